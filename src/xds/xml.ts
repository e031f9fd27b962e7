// Safe XML parsing and small namespace-aware DOM helpers for the XDS door.
// Senders pick any prefix (rim:, r:, tag0:, none), so every lookup goes by namespace URI + local name.
// DOCTYPE declarations are refused outright: no external entities (XXE), no entity expansion bombs.
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import type { Document, Element, Node } from '@xmldom/xmldom';

export type { Document, Element, Node };

export const NS = {
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  wsa: 'http://www.w3.org/2005/08/addressing',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  rim: 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0',
  lcm: 'urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0',
  query: 'urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0',
  rs: 'urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0',
  xdsb: 'urn:ihe:iti:xds-b:2007',
  xop: 'http://www.w3.org/2004/08/xop/include',
  saml2: 'urn:oasis:names:tc:SAML:2.0:assertion',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  hl7: 'urn:hl7-org:v3',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xs: 'http://www.w3.org/2001/XMLSchema',
} as const;

/** Raised for input that is not well-formed or not acceptable XML. */
export class XmlParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlParseError';
  }
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

/**
 * Parses XML text into a DOM. Refuses DTDs and entity declarations (checked on the raw text
 * before the parser sees it) and turns every parser error or warning-level malformation into
 * an XmlParseError.
 */
export function parseXml(text: string): Document {
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    throw new XmlParseError('DOCTYPE and ENTITY declarations are not accepted');
  }
  const parser = new DOMParser({
    onError: (level: string, message: string) => {
      if (level === 'warning') return;
      throw new XmlParseError(`malformed XML: ${message.split('\n')[0]}`);
    },
  });
  let doc: Document;
  try {
    doc = parser.parseFromString(text, 'text/xml');
  } catch (e) {
    if (e instanceof XmlParseError) throw e;
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new XmlParseError(`malformed XML: ${msg}`);
  }
  if (!doc || !doc.documentElement) throw new XmlParseError('empty XML document');
  return doc;
}

export function isElement(node: Node | null | undefined): node is Element {
  return !!node && node.nodeType === ELEMENT_NODE;
}

/** Direct child elements, optionally filtered by namespace URI and local name. */
export function childElements(parent: Node, ns?: string, local?: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (!isElement(n)) continue;
    if (ns !== undefined && n.namespaceURI !== ns) continue;
    if (local !== undefined && n.localName !== local) continue;
    out.push(n);
  }
  return out;
}

export function firstChild(parent: Node, ns: string, local: string): Element | undefined {
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (isElement(n) && n.namespaceURI === ns && n.localName === local) return n;
  }
  return undefined;
}

/** All descendant elements with this namespace and local name, in document order. */
export function descendants(parent: Element | Document, ns: string, local: string): Element[] {
  const list = parent.getElementsByTagNameNS(ns, local);
  const out: Element[] = [];
  for (let i = 0; i < list.length; i++) {
    const e = list.item(i);
    if (e) out.push(e);
  }
  return out;
}

/** The element and every element below it, in document order. */
export function selfAndDescendants(root: Element): Element[] {
  const out: Element[] = [];
  const walk = (el: Element) => {
    out.push(el);
    childElements(el).forEach(walk);
  };
  walk(root);
  return out;
}

/** Concatenated text and CDATA content of an element (all descendants). */
export function textOf(node: Node | undefined | null): string {
  if (!node) return '';
  let s = '';
  for (let n = node.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === TEXT_NODE || n.nodeType === CDATA_SECTION_NODE) s += n.nodeValue ?? '';
    else if (n.nodeType === ELEMENT_NODE) s += textOf(n);
  }
  return s;
}

/** Attribute value or undefined when absent (xmldom returns null / '' otherwise). */
export function attr(el: Element, name: string): string | undefined {
  return el.hasAttribute(name) ? (el.getAttribute(name) ?? undefined) : undefined;
}

export function attrNS(el: Element, ns: string, local: string): string | undefined {
  return el.hasAttributeNS(ns, local) ? (el.getAttributeNS(ns, local) ?? undefined) : undefined;
}

export function serializeXml(node: Node): string {
  return new XMLSerializer().serializeToString(node);
}

/** Escapes text for element content. */
export function escapeText(s: string): string {
  // Most values (codes, ids, dates) need nothing: answer them without building new strings.
  if (!/[&<>]/.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes text for a double-quoted attribute value. */
export function escapeAttr(s: string): string {
  if (!/[&<>"\r\n\t]/.test(s)) return s;
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}
