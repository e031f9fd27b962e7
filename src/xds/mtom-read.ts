// An MTOM (multipart/related) request body read as it arrives: each chunk copied into one buffer
// sized by Content-Length and searched for the delimiter then (mtom-split.ts), so that neither
// joining the chunks (~45 ms for 60 MB) nor searching the whole body (~350 ms for 60 MB of `-`) is
// one long task of the event loop before the sender is known. The root part (the SOAP envelope)
// is held to the XML part's size while it arrives. The body limit and its error are those of
// Fastify's own buffer parser, which read these bodies before.
import type { Readable } from 'node:stream';
import { errorCodes, type FastifyRequest } from 'fastify';
import { normaliseContentId, parseContentType, partHeaderEnd, partHeaders } from './mtom.js';
import { BOUNDARY_SNIFF_BYTES, multipartBoundary, MultipartSplitter, type ReceivedMultipart } from './mtom-split.js';
import { XdsWireError } from './wire-error.js';

/**
 * A body no Content-Length announced (chunked transfer) grows by doubling up to this, then by
 * GROWTH_PAST_DOUBLING at once, up to the route's limit: growing a large body step by step was
 * copies of tens of megabytes and the collections they caused (a turn of the event loop of
 * 170-300 ms for 60 MB; growing fourfold up to 4 MB before a jump to the limit measured 185-450 ms
 * in a large process, the jump at 1 MB 35 ms: docs/PERFORMANCE.md). A jump straight to the limit
 * (64 MB) made every chunked body past 1 MB count as 64 MB of the process's memory, unfinished
 * bodies included: 30 connections of 1.2 MB each were 1.9 GB of buffers to the collector, and one
 * client may hold 256. Growing eightfold, 1 MB becomes 8 MB then the limit: one more copy of 8 MB,
 * and a buffer never more than eight times what arrived.
 */
const FIRST_UNANNOUNCED_BYTES = 64 * 1024;
const DOUBLED_UNTIL_BYTES = 1024 * 1024;
const GROWTH_PAST_DOUBLING = 8;

export interface MultipartReadLimits {
  /** the route's body limit (CARNET_DOCUMENT_BODY_LIMIT) */
  bodyBytes: number;
  /** MIME parts (CARNET_MTOM_MAX_PARTS) */
  maxParts: number;
  /** the root part's body: the SOAP envelope (CARNET_XML_MAX_BYTES) */
  envelopeBytes: number;
}

/**
 * The most bytes a root part sent in base64 may take on the wire for an envelope of `maxBytes`:
 * four characters for three bytes, with a CRLF after every 64 characters (MIME writes lines of
 * 76, PEM-minded writers of 64). A sender that pads its base64 with more spaces or line breaks
 * than that is refused with the envelope's limit, as one that sends the envelope larger than it.
 */
export function base64PartBytes(maxBytes: number): number {
  const chars = Math.ceil(maxBytes / 3) * 4;
  return chars + Math.ceil(chars / 64) * 2;
}

/**
 * Watches the root part while it arrives: the part named by the `start` parameter, else the
 * first. Once its headers are in, the root is refused as soon as its body passes the envelope
 * limit (in base64: what that limit takes in base64, base64PartBytes): an envelope of 60 MB was
 * read whole before the same limit refused it.
 */
class EnvelopeWatch {
  private readonly start: string | undefined;
  /** the part whose headers are awaited or were read, and where its body starts (-1: not the root, or not watched) */
  private part = -1;
  private bodyStart = -1;
  /** the root's body's limit on the wire */
  private partMax: number;

  constructor(
    start: string | undefined,
    private readonly maxBytes: number,
    /** bytes a part's end may hold that are not its body: the next delimiter's line end and dashes */
    private readonly slack: number,
  ) {
    this.start = start === undefined ? undefined : normaliseContentId(start);
    this.partMax = maxBytes;
  }

  /** Throws the Fault once the open part is the root and its body is surely past the limit. */
  check(body: Buffer, received: number, open: { index: number; start: number } | undefined): void {
    if (!open) return;
    if (open.index !== this.part) {
      const raw = body.subarray(open.start, received);
      const ends = partHeaderEnd(raw, false);
      if (!ends) return;
      this.part = open.index;
      const headers = partHeaders(raw, ends.headersEnd);
      const isRoot = this.start === undefined ? open.index === 0 : normaliseContentId(headers['content-id'] ?? '') === this.start;
      const encoding = (headers['content-transfer-encoding'] ?? 'binary').trim().toLowerCase();
      this.bodyStart = isRoot ? open.start + ends.bodyStart : -1;
      this.partMax = encoding === 'base64' ? base64PartBytes(this.maxBytes) : this.maxBytes;
    }
    if (this.bodyStart >= 0 && received - this.bodyStart - this.slack > this.partMax) {
      throw new XdsWireError(`the SOAP envelope is larger than ${this.maxBytes} bytes (CARNET_XML_MAX_BYTES)`, { status: 413 });
    }
  }
}

export function readMultipartRequestBody(req: FastifyRequest, payload: Readable, limits: MultipartReadLimits): Promise<ReceivedMultipart> {
  const limit = limits.bodyBytes;
  const contentLength = Number(req.headers['content-length']);
  if (contentLength > limit) return Promise.reject(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
  const ct = parseContentType(req.headers['content-type'] ?? '');
  const announced = Number.isSafeInteger(contentLength) && contentLength >= 0;
  let body = Buffer.allocUnsafe(announced ? contentLength : FIRST_UNANNOUNCED_BYTES);
  let received = 0;
  let splitter: MultipartSplitter | undefined;
  let watch: EnvelopeWatch | undefined;
  let sniffed = false;
  const split = (final: boolean) => {
    if (!sniffed && (final || received >= BOUNDARY_SNIFF_BYTES)) {
      sniffed = true;
      const boundary = multipartBoundary(ct, body.subarray(0, received));
      if (boundary !== undefined) {
        splitter = new MultipartSplitter(boundary, limits.maxParts);
        watch = new EnvelopeWatch(ct.params['start'], limits.envelopeBytes, boundary.length + 8);
      }
    }
    if (!final && splitter) {
      splitter.feed(body.subarray(0, received));
      watch!.check(body, received, splitter.openPart());
    }
  };
  return new Promise((resolve, reject) => {
    const stop = (error: Error | undefined, read?: ReceivedMultipart) => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onError);
      if (error) reject(error);
      else resolve(read!);
    };
    /** what still comes of a refused body: counted and dropped, up to the route's limit */
    const drop = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) payload.destroy();
    };
    /**
     * Answered now, while the body may still arrive: handed to the route as a refusal (a parser
     * error would make Fastify close the connection under a client still writing, which reads a
     * reset instead of the answer), the rest of the body dropped as it comes.
     */
    const refuse = (error: Error) => {
      stop(undefined, { body: Buffer.alloc(0), refused: error });
      body = Buffer.alloc(0);
      payload.on('data', drop);
      // a client that goes away meanwhile ends the dropping: there is nothing left to answer
      payload.on('error', () => payload.destroy());
    };
    const onData = (chunk: Buffer) => {
      if (received + chunk.length > limit) return stop(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      if (received + chunk.length > body.length) {
        // unannounced (or longer than announced: refused at the end, as Fastify did)
        let size = Math.max(body.length, FIRST_UNANNOUNCED_BYTES);
        while (size < received + chunk.length) size *= size < DOUBLED_UNTIL_BYTES ? 2 : GROWTH_PAST_DOUBLING;
        const grown = Buffer.allocUnsafe(Math.min(limit, size));
        body.copy(grown, 0, 0, received);
        body = grown;
      }
      chunk.copy(body, received);
      received += chunk.length;
      try {
        split(false);
      } catch (e) {
        refuse(e as Error);
      }
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
