// XML reading and writing shared by the XDS door, the VIHF check and FHIR XML: limits enforced
// while reading, namespaces, text and the small DOM helpers every reader uses.
export { NS } from './names.js';
export { XmlParseError } from './errors.js';
export { DEFAULT_XML_LIMITS, TRUSTED_XML_LIMITS, XML_LIMIT_VARIABLES, xmlLimitError, type XmlLimits } from './limits.js';
export { scanXml, XmlScanner, type RootChild } from './scan.js';
export { checkXml, checkXmlSize, decodeUtf8, isScannedXml, parseScannedXml, parseXml, scanXmlText, scanXmlTextInSlices, withoutBom, type ScannedXml } from './read.js';
export { parseScannedXmlInSlices, startTagEnd, type SliceCost } from './sliced-parse.js';
export * from './dom.js';
export { ATTR_NEEDS_ESCAPING, escapeAttr, escapeText, needsAttrEscaping, withXmlCharsOnly } from './escape.js';

