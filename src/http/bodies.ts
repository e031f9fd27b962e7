// The two readers the shared server's body parsers use. Both refuse invalid UTF-8 instead of
// storing U+FFFD in its place, and both accept a leading byte order mark.
import { CarnetError } from '../domain/errors.js';
import { parseJson, type JsonLimits } from '../json/read.js';
import { checkXmlSize, decodeUtf8, XmlParseError, type XmlLimits } from '../xml/index.js';

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

/** An XML body's text, within the XML part's size; its structure is checked where it is parsed. */
export function readXmlBody(bytes: Buffer, limits: XmlLimits): string {
  checkXmlSize(bytes.length, limits);
  return utf8(bytes);
}
