// An MTOM (multipart/related) request body read as it arrives: each chunk copied into one buffer
// sized by Content-Length and searched for the delimiter then (mtom-split.ts), so that neither
// joining the chunks (~45 ms for 60 MB) nor searching the whole body (~350 ms for 60 MB of `-`) is
// one long task of the event loop before the sender is known. The limits and errors are those of
// Fastify's own buffer parser, which read these bodies before.
import type { Readable } from 'node:stream';
import { errorCodes, type FastifyRequest } from 'fastify';
import { parseContentType } from './mtom.js';
import { BOUNDARY_SNIFF_BYTES, multipartBoundary, MultipartSplitter, type ReceivedMultipart } from './mtom-split.js';

/**
 * A body no Content-Length announced (chunked transfer) grows by doubling up to this, then to the
 * route's limit at once: growing a large body step by step was copies of tens of megabytes and
 * the collections they caused (a turn of the event loop of 170-300 ms for 60 MB); pages of the
 * limit's buffer that no byte reaches are not memory the process holds.
 */
const FIRST_UNANNOUNCED_BYTES = 64 * 1024;
const DOUBLED_UNTIL_BYTES = 1024 * 1024;

export function readMultipartRequestBody(req: FastifyRequest, payload: Readable, limit: number, maxParts: number): Promise<ReceivedMultipart> {
  const contentLength = Number(req.headers['content-length']);
  if (contentLength > limit) return Promise.reject(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
  const ct = parseContentType(req.headers['content-type'] ?? '');
  const announced = Number.isSafeInteger(contentLength) && contentLength >= 0;
  let body = Buffer.allocUnsafe(announced ? contentLength : FIRST_UNANNOUNCED_BYTES);
  let received = 0;
  let splitter: MultipartSplitter | undefined;
  let sniffed = false;
  const split = (final: boolean) => {
    if (!sniffed && (final || received >= BOUNDARY_SNIFF_BYTES)) {
      sniffed = true;
      const boundary = multipartBoundary(ct, body.subarray(0, received));
      if (boundary !== undefined) splitter = new MultipartSplitter(boundary, maxParts);
    }
    if (!final) splitter?.feed(body.subarray(0, received));
  };
  return new Promise((resolve, reject) => {
    const stop = (error: Error | undefined, read?: ReceivedMultipart) => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onError);
      if (error) reject(error);
      else resolve(read!);
    };
    const onData = (chunk: Buffer) => {
      if (received + chunk.length > limit) return stop(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      if (received + chunk.length > body.length) {
        // unannounced (or longer than announced: refused at the end, as Fastify did)
        const wanted = Math.max(body.length * 2, received + chunk.length);
        const grown = Buffer.allocUnsafe(wanted > DOUBLED_UNTIL_BYTES ? limit : wanted);
        body.copy(grown, 0, 0, received);
        body = grown;
      }
      chunk.copy(body, received);
      received += chunk.length;
      split(false);
    };
    const onError = (err: Error & { statusCode?: number }) => {
      if (!(typeof err.statusCode === 'number' && err.statusCode >= 400)) err.statusCode = 400;
      stop(err);
    };
    const onEnd = () => {
      if (announced && received !== contentLength) return stop(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
      const whole = body.subarray(0, received);
      split(true);
      stop(undefined, splitter ? { body: whole, split: splitter.end(whole) } : { body: whole });
    };
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
    payload.resume();
  });
}
