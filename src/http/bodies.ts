// The readers the shared server's body parsers use. They refuse invalid UTF-8 instead of
// storing U+FFFD in its place, and accept a leading byte order mark.
import type { Readable } from 'node:stream';
import { CarnetError } from '../domain/errors.js';
import { parseJson, type JsonLimits } from '../json/read.js';
import { decodeUtf8, withoutBom, xmlLimitError, XmlParseError, XmlScanner, type ScannedXml, type XmlLimits } from '../xml/index.js';

function utf8(bytes: Buffer): string {
  try {
    return decodeUtf8(bytes);
  } catch (e) {
    if (e instanceof XmlParseError) throw new CarnetError('invalid_metadata', e.message, { reason: 'invalid_request' });
    throw e;
  }
}

/** Whether every percent-escape of a query or a form decodes to UTF-8 (`%ff`, `%c0%ae`, `%zz` do not). */
export function percentDecodes(text: string): boolean {
  if (text.indexOf('%') < 0) return true;
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * A form body (POST _search) read as a URL's query is (server.ts): its bytes UTF-8, and each of
 * its percent-escapes too. URLSearchParams would read either fault as U+FFFD, and search for a
 * value nobody sent.
 */
export function readFormBody(bytes: Buffer): string {
  const text = utf8(bytes);
  if (!percentDecodes(text)) {
    throw new CarnetError('invalid_metadata', 'the form is not valid: the percent-encoding of a value does not decode to UTF-8', { reason: 'invalid_request' });
  }
  return text;
}

/** A JSON body under the JSON limits; an empty body is undefined. */
export function readJsonBody(bytes: Buffer, limits: JsonLimits): unknown {
  return parseJson(utf8(bytes), limits);
}

/**
 * An XML body's text read from the wire chunk by chunk: each chunk decoded as it arrives (strict
 * UTF-8, a sequence cut between chunks joined), the size counted and the XML limits scanned
 * (scan.ts) as it grows. A body past a limit is refused at the chunk that passes it, whatever
 * Content-Length said, and neither decoding nor scanning ever becomes one long task of the event
 * loop however large the body is. The answer is the text with what the scan found (the root's
 * children), so that a reader who knows the text came from here need not scan it again.
 * `tooLarge` is the error for a body past `maxBytes` when that is the route's own body limit;
 * `drainBytes`, how much of a refused body is still read (and dropped) before answering.
 */
export function readXmlStream(payload: Readable, limits: XmlLimits, maxBytes: number, tooLarge: () => Error, drainBytes = maxBytes): Promise<ScannedXml> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const scanner = new XmlScanner(limits);
  const parts: string[] = [];
  let started = false;
  const take = (text: string) => {
    // the byte order mark XML allows before the first character is not the document's
    const part = started ? text : withoutBom(text);
    if (text) started = true;
    parts.push(part);
    scanner.feed(part);
  };
  const reading = (e: unknown): Error =>
    (e as { code?: unknown }).code === 'ERR_ENCODING_INVALID_ENCODED_DATA'
      ? new CarnetError('invalid_metadata', 'the body is not valid UTF-8', { reason: 'invalid_request' })
      : e instanceof XmlParseError
        ? new CarnetError('invalid_metadata', e.message)
        : (e as Error);
  let received = 0;
  return new Promise((resolve, reject) => {
    let settled = false;
    /** the body is refused: what still comes is counted and dropped, never decoded nor scanned */
    let refusal: Error | undefined;
    const settle = (error: Error | undefined, read?: ScannedXml) => {
      if (settled) return;
      settled = true;
      if (error) reject(error);
      else resolve(read!);
    };
    const refuse = (e: Error) => {
      refusal ??= e;
      parts.length = 0;
      // The client reads the refusal once it has sent its body (a connection closed under a
      // client still writing reaches it as a reset, not as an answer), unless the body goes past
      // `drainBytes`: then the answer is sent now and the connection closed.
      if (received > drainBytes) {
        payload.pause();
        settle(refusal);
      }
    };
    payload.on('data', (chunk: Buffer) => {
      if (settled) return;
      received += chunk.length;
      if (refusal) return refuse(refusal);
      if (received > maxBytes) return refuse(maxBytes < limits.maxBytes ? tooLarge() : xmlLimitError('maxBytes', limits.maxBytes));
      try {
        take(decoder.decode(chunk, { stream: true }));
      } catch (e) {
        refuse(reading(e));
      }
    });
    payload.on('error', (e) => settle(refusal ?? e));
    payload.on('end', () => {
      if (refusal) return settle(refusal);
      let rootChildren;
      try {
        take(decoder.decode());
        rootChildren = scanner.end();
      } catch (e) {
        return settle(reading(e));
      }
      settle(undefined, { text: parts.join(''), rootChildren, elements: scanner.elementCount });
    });
  });
}

/** A body held as the blocks it was copied into while it arrived, each an ArrayBuffer of its own. */
export interface BlockBody {
  blocks: ArrayBuffer[];
  /** bytes in all the blocks */
  length: number;
}

const BLOCK_BYTES = 1024 * 1024;

export function isBlockBody(body: unknown): body is BlockBody {
  return typeof body === 'object' && body !== null && Array.isArray((body as BlockBody).blocks) && typeof (body as BlockBody).length === 'number';
}

/**
 * A body for another thread to read: each chunk copied as it arrives into blocks of 1 MB (small
 * copies spread over the reading), never joined here, so that the blocks move to a worker
 * without a copy and the event loop never copies the whole body in one task. Past `maxBytes`
 * the body is refused (`tooLarge`) at the chunk that passes it. `expectedBytes` (the request's
 * Content-Length) sizes the first block: a 20 KB body then costs a 20 KB block, not a zeroed
 * megabyte that only memory pressure (and so garbage collection) would notice; a body longer
 * than announced simply goes on in blocks of 1 MB.
 */
export function readBlocks(payload: Readable, maxBytes: number, tooLarge: () => Error, expectedBytes?: number): Promise<BlockBody> {
  const first = expectedBytes !== undefined && Number.isSafeInteger(expectedBytes) && expectedBytes > 0 ? Math.min(expectedBytes, BLOCK_BYTES) : BLOCK_BYTES;
  const blocks: ArrayBuffer[] = [];
  let block: Uint8Array | undefined;
  let used = 0;
  let length = 0;
  return new Promise((resolve, reject) => {
    let settled = false;
    payload.on('data', (chunk: Buffer) => {
      if (settled) return;
      length += chunk.length;
      if (length > maxBytes) {
        settled = true;
        payload.pause();
        return reject(tooLarge());
      }
      let at = 0;
      while (at < chunk.length) {
        if (!block || used === block.length) {
          block = new Uint8Array(blocks.length === 0 ? first : BLOCK_BYTES);
          used = 0;
          blocks.push(block.buffer as ArrayBuffer);
        }
        const n = Math.min(block.length - used, chunk.length - at);
        block.set(chunk.subarray(at, at + n), used);
        used += n;
        at += n;
      }
    });
    payload.on('error', (e) => {
      if (!settled) (settled = true), reject(e);
    });
    payload.on('end', () => {
      if (settled) return;
      settled = true;
      // the last block's unused end is cut off (a copy of at most 1 MB)
      if (block && used < block.length) blocks[blocks.length - 1] = block.buffer.slice(0, used) as ArrayBuffer;
      resolve({ blocks, length });
    });
  });
}

const XML_TYPES = ['application/fhir+xml', 'application/xml', 'text/xml'];
/** Bodies that are one XML part as a whole. */
export const XML_BODY_TYPES = new Set([...XML_TYPES, 'application/soap+xml']);

