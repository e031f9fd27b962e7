// The limits every XML body is read under, and the errors that name them. They bound what one
// request can cost before anything about its sender is known: the scanner (scan.ts) enforces
// them in one pass over the text, before any tree is built.
import { InputLimitError } from '../domain/input-limits.js';

export interface XmlLimits {
  /** the XML part in bytes (a SOAP envelope outside its MTOM attachments, a FHIR XML body) */
  maxBytes: number;
  /** element nesting */
  maxDepth: number;
  /** elements in the whole document */
  maxElements: number;
  /** attributes (namespace declarations included) on one element */
  maxAttributes: number;
  /** characters of one text node, CDATA section or attribute value */
  maxTextLength: number;
}

/** Safe defaults: an ebRIM submission of a few hundred documents, a FHIR XML Bundle, fit well within them. */
export const DEFAULT_XML_LIMITS: XmlLimits = {
  maxBytes: 8 * 1024 * 1024,
  maxDepth: 64,
  maxElements: 20_000,
  maxAttributes: 64,
  maxTextLength: 4 * 1024 * 1024,
};

/**
 * The most elements a SOAP Header may hold (CARNET_SOAP_MAX_HEADER_ELEMENTS): it is read before
 * the sender is known, and WS-Addressing plus one VIHF assertion need a few hundred.
 */
export const DEFAULT_SOAP_MAX_HEADER_ELEMENTS = 2000;

/** The configuration variable of each limit, so that a refusal says what an operator may change. */
export const XML_LIMIT_VARIABLES: Record<keyof XmlLimits, string> = {
  maxBytes: 'CARNET_XML_MAX_BYTES',
  maxDepth: 'CARNET_XML_MAX_DEPTH',
  maxElements: 'CARNET_XML_MAX_ELEMENTS',
  maxAttributes: 'CARNET_XML_MAX_ATTRIBUTES',
  maxTextLength: 'CARNET_XML_MAX_TEXT_LENGTH',
};

const WHAT: Record<keyof XmlLimits, string> = {
  maxBytes: 'the XML part is larger than',
  maxDepth: 'XML elements are nested deeper than',
  maxElements: 'the XML holds more elements than',
  maxAttributes: 'an XML element carries more attributes than',
  maxTextLength: 'an XML text or attribute value is longer than',
};

export function xmlLimitError(limit: keyof XmlLimits, value: number): InputLimitError {
  const kind = limit === 'maxBytes' || limit === 'maxTextLength' ? 'too_long' : 'too_costly';
  const unit = limit === 'maxBytes' ? ' bytes' : limit === 'maxTextLength' ? ' characters' : '';
  return new InputLimitError(kind, `${WHAT[limit]} ${value}${unit} (${XML_LIMIT_VARIABLES[limit]})`, XML_LIMIT_VARIABLES[limit]);
}

/**
 * For XML this project wrote or ships itself (its own answers read back by the conformance
 * runner, test plans): never for a request. Still bounded, so that a runaway file cannot take
 * the process with it.
 */
export const TRUSTED_XML_LIMITS: XmlLimits = {
  maxBytes: 1024 ** 3,
  maxDepth: 512,
  maxElements: 10_000_000,
  maxAttributes: 4096,
  maxTextLength: 1024 ** 3,
};
