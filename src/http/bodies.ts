// The readers the shared server's body parsers use. They refuse invalid UTF-8 instead of
// storing U+FFFD in its place, and accept a leading byte order mark.
import type { Readable } from 'node:stream';
import { CarnetError } from '../domain/errors.js';
import { parseJson, type JsonLimits } from '../json/read.js';
import { decodeUtf8, withoutBom, xmlLimitError, XmlParseError, type XmlLimits } from '../xml/index.js';

function utf8(bytes: Buffer): string {
  try {
    return decodeUtf8(bytes);
  } catch (e) {
    if (e instanceof XmlParseError) throw new CarnetError('invalid_metadata', e.message, { reason: 'invalid_request' });
    throw e;
  }
}

/** A JSON body under the JSON limits; an empty body is undefined. */
export function readJsonBody(bytes: Buffer, limits: JsonLimits): unknown {
  return parseJson(utf8(bytes), limits);
}

/**
 * An XML body's text read from the wire chunk by chunk: each chunk decoded as it arrives (strict
 * UTF-8, a sequence cut between chunks joined), the size counted as it grows. A body past
 * `maxBytes` is refused at the chunk that passes it, whatever Content-Length said, and decoding
 * never becomes one long task of the event loop however large the body is.
 * `tooLarge` is the error for a body past `maxBytes` when that is the route's own body limit.
 */
export function readXmlStream(payload: Readable, limits: XmlLimits, maxBytes: number, tooLarge: () => Error): Promise<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const parts: string[] = [];
  let received = 0;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      payload.removeAllListeners('data');
      // Nothing more is read or decoded here; once the refusal is answered, Node's HTTP server
      // discards what the client still sends.
      payload.pause();
      reject(e);
    };
    payload.on('data', (chunk: Buffer) => {
      if (settled) return;
      received += chunk.length;
      if (received > maxBytes) return fail(maxBytes < limits.maxBytes ? tooLarge() : xmlLimitError('maxBytes', limits.maxBytes));
      try {
        parts.push(decoder.decode(chunk, { stream: true }));
      } catch {
        fail(new CarnetError('invalid_metadata', 'the body is not valid UTF-8', { reason: 'invalid_request' }));
      }
    });
    payload.on('error', (e) => fail(e));
    payload.on('end', () => {
      if (settled) return;
      try {
        parts.push(decoder.decode());
      } catch {
        return fail(new CarnetError('invalid_metadata', 'the body is not valid UTF-8', { reason: 'invalid_request' }));
      }
      settled = true;
      resolve(withoutBom(parts.join('')));
    });
  });
}
