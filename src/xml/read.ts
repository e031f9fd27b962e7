// Reading XML from a request: bytes to text (strict UTF-8, a leading byte order mark allowed),
// the limits checked in one pass (scan.ts), then the DOM. DTDs are refused by the scan, so the
// parser never sees an entity declaration: no XXE, no expansion bombs.
import { DOMParser } from '@xmldom/xmldom';
import type { Document } from '@xmldom/xmldom';
import { InputLimitError } from '../domain/input-limits.js';
import { XmlParseError } from './errors.js';
import { DEFAULT_XML_LIMITS, xmlLimitError, type XmlLimits } from './limits.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { scanXml, XmlScanner, type RootChild } from './scan.js';
import { rememberXmldomRegexps } from './xmldom-regexps.js';

rememberXmldomRegexps();

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Decodes request bytes as UTF-8, refusing invalid sequences rather than turning them into
 * U+FFFD (a title would otherwise be stored altered). A leading BOM is dropped.
 */
export function decodeUtf8(bytes: Uint8Array, what = 'the body'): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new XmlParseError(`${what} is not valid UTF-8`);
  }
}

/** The text without a leading byte order mark (XML 1.0 §4.3.3 allows one). */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Checks an XML part's size in bytes against the limit, before it is decoded or scanned. */
export function checkXmlSize(bytes: number, limits: XmlLimits = DEFAULT_XML_LIMITS): void {
  if (bytes > limits.maxBytes) throw xmlLimitError('maxBytes', limits.maxBytes);
}

/**
 * Checks XML text against the limits without building anything (a BOM allowed): for text that
 * another thread will parse, so that what it receives is already known to be admissible.
 */
export function checkXml(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS): void {
  const xml = withoutBom(text);
  if (xml.length > limits.maxBytes) throw xmlLimitError('maxBytes', limits.maxBytes);
  scanXml(xml, limits);
}

/** XML text the scan admitted (its BOM dropped), with the root's child elements it found. */
export interface ScannedXml {
  text: string;
  rootChildren: RootChild[];
  /** elements in the whole text */
  elements: number;
}

export function isScannedXml(value: unknown): value is ScannedXml {
  return typeof value === 'object' && value !== null && typeof (value as ScannedXml).text === 'string' && Array.isArray((value as ScannedXml).rootChildren);
}

/** The size and the limits checked on `text` (scan.ts), nothing built yet. */
export function scanXmlText(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS): ScannedXml {
  const xml = withoutBom(text);
  // Characters are at most as many as UTF-8 bytes: this bounds the text the scan may walk.
  if (xml.length > limits.maxBytes) throw xmlLimitError('maxBytes', limits.maxBytes);
  const scanner = new XmlScanner(limits);
  scanner.feed(xml);
  const rootChildren = scanner.end();
  return { text: xml, rootChildren, elements: scanner.elementCount };
}

/** Characters scanned between two turns of the event loop by scanXmlTextInSlices. */
const SCAN_SLICE = 256 * 1024;

/**
 * scanXmlText for text that arrived whole (an MTOM root part of up to CARNET_XML_MAX_BYTES):
 * the same scan, fed in slices with a turn of the event loop between them, so that an envelope
 * of megabytes never holds the loop for the whole of its scan.
 */
export async function scanXmlTextInSlices(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS): Promise<ScannedXml> {
  const xml = withoutBom(text);
  if (xml.length <= SCAN_SLICE) return scanXmlText(xml, limits);
  if (xml.length > limits.maxBytes) throw xmlLimitError('maxBytes', limits.maxBytes);
  const scanner = new XmlScanner(limits);
  for (let at = 0; at < xml.length; ) {
    if (at > 0) await nextTurn();
    let end = Math.min(xml.length, at + SCAN_SLICE);
    // never between the two halves of a surrogate pair
    const last = xml.charCodeAt(end - 1);
    if (end < xml.length && last >= 0xd800 && last <= 0xdbff) end++;
    scanner.feed(xml.slice(at, end));
    at = end;
  }
  const rootChildren = scanner.end();
  return { text: xml, rootChildren, elements: scanner.elementCount };
}

/**
 * Parses XML text into a DOM under the limits. Limits passed raise InputLimitError; anything
 * not well-formed raises XmlParseError with the parser's first complaint.
 */
export function parseXml(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS): Document {
  return parseScannedXml(scanXmlText(text, limits).text);
}

/** Characters XML 1.0 does not allow (§2.2 Char), as they stand in a JavaScript string. */
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const CHAR_REFERENCE = /&#(?:x([0-9A-Fa-f]+)|([0-9]+));/g;

function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/**
 * Refuses a character XML 1.0 does not allow, written as itself or as a character reference
 * (`&#1;`, `&#xFFFE;`, `&#xD800;`), which the parser lets through: kept in a document's metadata,
 * it made every later answer naming that document (ITI-18, FHIR XML) XML no reader can parse.
 */
function checkXmlChars(xml: string): void {
  const raw = NOT_XML_CHAR.exec(xml);
  if (raw) throw new XmlParseError(`malformed XML: the character U+${raw[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML`);
  if (!xml.includes('&#')) return;
  for (const m of xml.matchAll(CHAR_REFERENCE)) {
    const code = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2]!, 10);
    if (!isXmlChar(code)) throw new XmlParseError(`malformed XML: the character reference ${m[0].slice(0, 20)} names a character XML does not allow`);
  }
}

/**
 * The DOM of text scanXmlText admitted, or of a part of it cut at the root children it found
 * (the scan's bounds hold for any part). XmlParseError when it is not well-formed.
 */
export function parseScannedXml(xml: string): Document {
  checkXmlChars(xml);
  // The parser wraps what onError throws in its own message: keep the first complaint as said.
  let complaint: string | undefined;
  const parser = new DOMParser({
    onError: (level: string, message: string) => {
      if (level === 'warning') return;
      complaint ??= message.split('\n')[0];
      throw new XmlParseError(`malformed XML: ${complaint}`);
    },
  });
  let doc: Document;
  try {
    doc = parser.parseFromString(xml, 'text/xml');
  } catch (e) {
    if (e instanceof InputLimitError) throw e;
    const msg = complaint ?? (e instanceof Error ? e.message.split('\n')[0] : String(e));
    throw new XmlParseError(`malformed XML: ${msg}`);
  }
  if (!doc || !doc.documentElement) throw new XmlParseError('empty XML document');
  return doc;
}
