// MTOM/XOP framing (multipart/related, type application/xop+xml) for ITI-41 requests and ITI-43
// responses. Parts are views (subarray) into the received Buffer: document bytes are not copied.
import { randomUUID } from 'node:crypto';
import { decodeUtf8, XmlParseError, type ScannedXml } from '../xml/index.js';
import { isReceivedMultipart, multipartBoundary, MultipartSplitter, type ReceivedMultipart } from './mtom-split.js';
import { XdsWireError } from './wire-error.js';

/** What one SOAP message may be, read before its XML is (see the XML limits for the envelope). */
export interface SoapFramingLimits {
  /** bytes of the SOAP envelope (the MTOM root part, or the whole plain body) */
  maxEnvelopeBytes: number;
  /** MIME parts of an MTOM message */
  maxParts: number;
}

/** For messages this project wrote itself (answers read by its own clients). */
export const TRUSTED_FRAMING: SoapFramingLimits = { maxEnvelopeBytes: 1024 ** 3, maxParts: 1_000_000 };

/** A part's headers end within this many bytes, or the part is refused (no search through a document). */
const MAX_PART_HEADER_BYTES = 16 * 1024;

export interface ContentType {
  /** lower-cased type/subtype */
  mediaType: string;
  /** parameter names lower-cased, values unquoted */
  params: Record<string, string>;
}

/** Parses a Content-Type header value, quoted or unquoted parameters, `\"` escapes. */
export function parseContentType(header: string): ContentType {
  const s = header.trim();
  const semi = s.indexOf(';');
  const mediaType = (semi < 0 ? s : s.slice(0, semi)).trim().toLowerCase();
  const params: Record<string, string> = {};
  let i = semi < 0 ? s.length : semi + 1;
  while (i < s.length) {
    while (i < s.length && /[\s;]/.test(s[i]!)) i++;
    const eq = s.indexOf('=', i);
    if (eq < 0) break;
    const name = s.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    while (i < s.length && /\s/.test(s[i]!)) i++;
    let value = '';
    if (s[i] === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        value += s[i];
        i++;
      }
      i++; // closing quote
      const next = s.indexOf(';', i);
      i = next < 0 ? s.length : next + 1;
    } else {
      const next = s.indexOf(';', i);
      value = (next < 0 ? s.slice(i) : s.slice(i, next)).trim();
      i = next < 0 ? s.length : next + 1;
    }
    if (name) params[name] = value;
  }
  return { mediaType, params };
}

export interface MimePart {
  /** header names lower-cased */
  headers: Record<string, string>;
  /** Content-ID without the angle brackets */
  contentId?: string;
  contentType?: string;
  /** decoded body (a view into the request buffer unless a transfer encoding had to be undone) */
  body: Buffer;
}

export interface MultipartRelated {
  root: MimePart;
  /** every part by Content-ID (without `<>`) */
  byContentId: Map<string, MimePart>;
  parts: MimePart[];
  /** the `action` parameter of the outer Content-Type, when given */
  action?: string;
}

/** Normalises a Content-ID header or a `cid:` URL to the bare id used as a map key. */
export function normaliseContentId(value: string): string {
  let v = value.trim();
  if (/^cid:/i.test(v)) {
    v = v.slice(4);
    try {
      v = decodeURIComponent(v);
    } catch {
      /* keep as sent */
    }
  }
  if (v.startsWith('<') && v.endsWith('>')) v = v.slice(1, -1);
  return v.trim();
}

const CR = 0x0d;
const LF = 0x0a;

function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (!line) continue;
    if (/^[ \t]/.test(line) && last) {
      headers[last] += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new XdsWireError(`malformed MIME part header: ${line.slice(0, 60)}`);
    last = line.slice(0, colon).trim().toLowerCase();
    headers[last] = line.slice(colon + 1).trim();
  }
  return headers;
}

function decodeTransfer(body: Buffer, encoding: string | undefined): Buffer {
  const enc = (encoding ?? 'binary').trim().toLowerCase();
  if (enc === 'binary' || enc === '8bit' || enc === '7bit') return body;
  // Node's base64 decoder skips the line breaks and spaces itself: removing them first was a
  // regular expression over the whole part, a third of a second for 60 MB, before the sender is known
  if (enc === 'base64') return Buffer.from(body.toString('latin1'), 'base64');
  throw new XdsWireError(`unsupported Content-Transfer-Encoding: ${enc}`);
}

/** Splits a multipart/related body. The root is the `start` part, else the first part. */
export function parseMultipartRelated(whole: Buffer | ReceivedMultipart, contentTypeHeader: string, maxParts = TRUSTED_FRAMING.maxParts): MultipartRelated {
  const received = Buffer.isBuffer(whole) ? undefined : whole;
  const body = received ? received.body : (whole as Buffer);
  const ct = parseContentType(contentTypeHeader);
  if (ct.mediaType !== 'multipart/related') {
    throw new XdsWireError(`expected multipart/related, got ${ct.mediaType || 'no content type'}`);
  }
  const boundary = multipartBoundary(ct, body);
  if (boundary === undefined) throw new XdsWireError('multipart/related without a boundary');
  const split = received?.split ?? splitWhole(body, boundary, maxParts);
  if (!split.found) throw new XdsWireError('multipart boundary not found in the body');
  const parts: MimePart[] = [];
  for (let k = 0; k < split.spans.length; k += 2) parts.push(readPart(body.subarray(split.spans[k], split.spans[k + 1])));
  if (split.tooManyParts) {
    throw new XdsWireError(`the MTOM message has more than ${maxParts} parts (CARNET_MTOM_MAX_PARTS)`, { status: 413 });
  }
  if (!split.closed) throw new XdsWireError('multipart body is truncated (no closing boundary)');
  if (parts.length === 0) throw new XdsWireError('multipart body has no parts');

  const byContentId = new Map<string, MimePart>();
  for (const p of parts) {
    if (p.contentId === undefined) continue;
    // a Content-ID names one part (RFC 2392): with two, which one is read would be a guess
    if (byContentId.has(p.contentId)) throw new XdsWireError(`two MIME parts have the Content-ID <${p.contentId.slice(0, 200)}>`);
    byContentId.set(p.contentId, p);
  }
  let root = parts[0]!;
  if (ct.params['start']) {
    const r = byContentId.get(normaliseContentId(ct.params['start']));
    if (!r) throw new XdsWireError('the multipart start part was not found');
    root = r;
  }
  return { root, byContentId, parts, action: ct.params['action'] };
}

/** A body split at once (a message this project wrote, or a test's): the same reading as one split while it arrived. */
function splitWhole(body: Buffer, boundary: string, maxParts: number) {
  return new MultipartSplitter(boundary, maxParts).end(body);
}

/**
 * Where a part's headers end and its body begins (`raw` being the part from its first byte, or as
 * much of it as arrived): undefined while no separator is within its first bytes and more may
 * come (`complete` false); a Fault when none is within MAX_PART_HEADER_BYTES.
 */
export function partHeaderEnd(raw: Buffer, complete = true): { headersEnd: number; bodyStart: number } | undefined {
  // no headers at all
  if (raw[0] === LF) return { headersEnd: 0, bodyStart: 1 };
  if (raw[0] === CR && raw[1] === LF) return { headersEnd: 0, bodyStart: 2 };
  const headerEnd = Math.min(raw.length, MAX_PART_HEADER_BYTES);
  for (let i = 0; i < headerEnd; i++) {
    if (raw[i] === LF && raw[i + 1] === LF) return { headersEnd: i, bodyStart: i + 2 };
    if (raw[i] === LF && raw[i + 1] === CR && raw[i + 2] === LF) return { headersEnd: i, bodyStart: i + 3 };
  }
  if (!complete && raw.length < MAX_PART_HEADER_BYTES + 3) return undefined;
  throw new XdsWireError(`MIME part without a header/body separator in its first ${MAX_PART_HEADER_BYTES} bytes`);
}

/** A part's headers (names lower-cased), from the bytes before partHeaderEnd's `headersEnd`. */
export function partHeaders(raw: Buffer, headersEnd: number): Record<string, string> {
  return headersEnd === 0 ? {} : parseHeaders(raw.subarray(0, headersEnd).toString('latin1'));
}

function readPart(raw: Buffer): MimePart {
  const { headersEnd, bodyStart } = partHeaderEnd(raw)!;
  const headers = partHeaders(raw, headersEnd);
  const body = raw.subarray(bodyStart);
  const cid = headers['content-id'];
  return {
    headers,
    contentId: cid !== undefined ? normaliseContentId(cid) : undefined,
    contentType: headers['content-type'],
    body: decodeTransfer(body, headers['content-transfer-encoding']),
  };
}

/** What the SOAP layer needs from an HTTP request body, whatever its framing. */
export interface SoapPayload {
  envelope: string;
  /** the envelope as the body reader scanned it while it arrived (plain SOAP), not to be scanned again */
  scanned?: ScannedXml;
  /** attachments by bare Content-ID (root excluded) */
  attachments: Map<string, Buffer>;
  mtom: boolean;
  /** `action` parameter of the Content-Type (SOAP 1.2), when present */
  action?: string;
}

/**
 * Reads an HTTP body as a SOAP message: MTOM multipart/related or plain
 * application/soap+xml (also text/xml / application/xml for lenient clients).
 */
export function readSoapPayload(body: Buffer | string | ScannedXml | ReceivedMultipart, contentTypeHeader: string | undefined, limits: SoapFramingLimits = TRUSTED_FRAMING): SoapPayload {
  const ct = parseContentType(contentTypeHeader ?? 'application/soap+xml');
  if (ct.mediaType === 'multipart/related') {
    if (!Buffer.isBuffer(body) && !isReceivedMultipart(body)) throw new XdsWireError('an MTOM message must be read as bytes');
    const m = parseMultipartRelated(body, contentTypeHeader!, limits.maxParts);
    const attachments = new Map<string, Buffer>();
    for (const p of m.parts) {
      if (p !== m.root && p.contentId !== undefined) attachments.set(p.contentId, p.body);
    }
    return { envelope: envelopeText(m.root.body, limits), attachments, mtom: true, action: m.action };
  }
  if (ct.mediaType === 'application/soap+xml' || ct.mediaType === 'text/xml' || ct.mediaType === 'application/xml') {
    if (isReceivedMultipart(body)) throw new XdsWireError(`unsupported content type for a SOAP request: ${ct.mediaType}`);
    const scanned = typeof body === 'object' && !Buffer.isBuffer(body) ? body : undefined;
    return { envelope: envelopeText(scanned ? scanned.text : (body as Buffer | string), limits), ...(scanned ? { scanned } : {}), attachments: new Map(), mtom: false, action: ct.params['action'] };
  }
  throw new XdsWireError(`unsupported content type for a SOAP request: ${ct.mediaType}`);
}

/**
 * The envelope's text: within its size limit (413 otherwise) and strict UTF-8 (a BOM is dropped).
 * Text was decoded, its bytes counted, while the body was read; its characters (never more than
 * its bytes) are checked again here for callers that hand text over directly.
 */
function envelopeText(bytes: Buffer | string, limits: SoapFramingLimits): string {
  if (bytes.length > limits.maxEnvelopeBytes) {
    throw new XdsWireError(`the SOAP envelope is larger than ${limits.maxEnvelopeBytes} bytes (CARNET_XML_MAX_BYTES)`, { status: 413 });
  }
  if (typeof bytes === 'string') return bytes;
  try {
    return decodeUtf8(bytes, 'the SOAP envelope');
  } catch (e) {
    if (e instanceof XmlParseError) throw new XdsWireError(e.message);
    throw e;
  }
}

export interface Attachment {
  /** bare Content-ID (no `<>`) */
  contentId: string;
  contentType: string;
  body: Uint8Array;
}

export interface MtomMessage {
  contentType: string;
  /** parts to write in order; concatenating them gives the body without copying documents */
  chunks: Buffer[];
  /** total length in bytes */
  length: number;
}

/** A Content-ID to use for an attachment; safe for `cid:` URLs without escaping. */
export function newContentId(): string {
  return `${randomUUID()}@carnet`;
}

/**
 * Builds an MTOM response: the SOAP envelope as root part (application/xop+xml) then each
 * attachment, referred to in the envelope by `<xop:Include href="cid:<contentId>"/>`.
 */
export function buildMtomMessage(envelopeXml: string, attachments: Attachment[], action?: string): MtomMessage {
  const frame = mtomFraming(action);
  const boundary = frame.boundary;
  const chunks: Buffer[] = [frame.head];
  chunks.push(Buffer.from(envelopeXml, 'utf8'));
  for (const a of attachments) {
    chunks.push(attachmentPartHead(boundary, a));
    chunks.push(Buffer.isBuffer(a.body) ? a.body : Buffer.from(a.body.buffer, a.body.byteOffset, a.body.byteLength));
  }
  chunks.push(frame.tail);
  return { contentType: frame.contentType, chunks, length: chunks.reduce((n, c) => n + c.length, 0) };
}

/** What opens an attachment's part, after the envelope or the attachment before it. */
export function attachmentPartHead(boundary: string, a: { contentId: string; contentType: string }): Buffer {
  const crlf = '\r\n';
  return Buffer.from(
    `${crlf}--${boundary}${crlf}` + `Content-Type: ${a.contentType}${crlf}` + `Content-Transfer-Encoding: binary${crlf}` + `Content-ID: <${a.contentId}>${crlf}${crlf}`,
    'latin1',
  );
}

/**
 * An MTOM message's frame: its content type, the root part's headers (before the envelope) and
 * the closing boundary. A message of no attachment is head + envelope + tail, which an answer
 * written as it is read (ITI-18 LeafClass) sends in that order.
 */
export function mtomFraming(action?: string): { boundary: string; contentType: string; head: Buffer; tail: Buffer } {
  const boundary = `MIMEBoundary_${randomUUID().replace(/-/g, '')}`;
  const rootId = `root.${randomUUID()}@carnet`;
  const crlf = '\r\n';
  const head = Buffer.from(
    `--${boundary}${crlf}` +
      `Content-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"${action ? `; action="${action}"` : ''}${crlf}` +
      `Content-Transfer-Encoding: binary${crlf}` +
      `Content-ID: <${rootId}>${crlf}${crlf}`,
    'latin1',
  );
  const contentType =
    `multipart/related; boundary="${boundary}"; type="application/xop+xml"; start="<${rootId}>"; ` +
    `start-info="application/soap+xml"${action ? `; action="${action}"` : ''}`;
  return { boundary, contentType, head, tail: Buffer.from(`${crlf}--${boundary}--${crlf}`, 'latin1') };
}
