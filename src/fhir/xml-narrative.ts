// Narrative.div between XML and JSON: FHIR JSON keeps the XHTML div as one serialised string with
// unprefixed names and a single namespace declaration. Both directions need that one form, and
// XHTML follows its own rules (no FHIR definitions), so it stands alone.
import { DEFAULT_XML_LIMITS } from '../xml/index.js';
import type { Element as XmlElement, Node as XmlNode } from '../xml/index.js';
import { CDATA_SECTION_NODE, ELEMENT_NODE, TEXT_NODE, XHTML_NS, XMLNS_NS, escapeAttr, escapeText, invalid, parseXmlDocument } from './xml-shared.js';

export function serializeXhtml(node: XmlElement, path: string): string {
  if (node.namespaceURI !== XHTML_NS || (node.localName ?? node.nodeName) !== 'div') {
    throw invalid('Narrative div must be an XHTML div element', path);
  }
  const parts: string[] = [];
  writeXhtml(node, parts, true, path);
  return parts.join('');
}

/**
 * The narrative in the one form FHIR JSON expects: unprefixed XHTML names under a single default
 * namespace declaration on the div, whatever prefixes or repeated declarations the sender used
 * (`<h:div xmlns:h="…xhtml">` is the same narrative as `<div xmlns="…xhtml">`).
 */
function writeXhtml(node: XmlElement, parts: string[], isRoot: boolean, path: string): void {
  if (node.namespaceURI !== XHTML_NS) {
    throw invalid(`Narrative element ${node.nodeName} is not XHTML`, path);
  }
  const name = node.localName ?? node.nodeName;
  let attrs = isRoot ? ` xmlns="${XHTML_NS}"` : '';
  for (let i = 0; i < node.attributes.length; i++) {
    const attr = node.attributes.item(i);
    if (!attr || attr.namespaceURI === XMLNS_NS || attr.name === 'xmlns' || attr.name.startsWith('xmlns:')) continue;
    const attrName = attr.namespaceURI === 'http://www.w3.org/XML/1998/namespace' ? `xml:${attr.localName}` : (attr.localName ?? attr.name);
    attrs += ` ${attrName}="${escapeAttr(attr.value)}"`;
  }
  const children: XmlNode[] = [];
  for (let child: XmlNode | null = node.firstChild; child; child = child.nextSibling) children.push(child);
  if (children.length === 0) {
    parts.push(`<${name}${attrs}/>`);
    return;
  }
  parts.push(`<${name}${attrs}>`);
  for (const child of children) {
    if (child.nodeType === ELEMENT_NODE) writeXhtml(child as XmlElement, parts, false, path);
    else if (child.nodeType === TEXT_NODE || child.nodeType === CDATA_SECTION_NODE) parts.push(escapeText(child.nodeValue ?? ''));
  }
  parts.push(`</${name}>`);
}

/** Check that a JSON narrative is one XHTML div and return it with its namespace declared. */
export function normaliseXhtml(div: string, path: string): string {
  let text = div.trim();
  if (!text.startsWith('<div')) throw new Error(`Narrative div must start with <div at ${path}`);
  if (!/^<div[^>]*\sxmlns="http:\/\/www\.w3\.org\/1999\/xhtml"/.test(text)) {
    text = text.replace(/^<div/, `<div xmlns="${XHTML_NS}"`);
  }
  const root = parseXmlDocument(text, 'The narrative', DEFAULT_XML_LIMITS);
  return serializeXhtml(root, path);
}
