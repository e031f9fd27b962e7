// Small namespace-aware helpers over the DOM that parseXml returns. Every walk is iterative:
// the limits bound depth, but a reader must not depend on that to stay off the call stack.
import { XMLSerializer } from '@xmldom/xmldom';
import type { Document, Element, Node } from '@xmldom/xmldom';

export type { Document, Element, Node };

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

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

/** The next node in document order below `root` (depth first), or null at the end. */
function nextInOrder(node: Node, root: Node): Node | null {
  if (node.firstChild) return node.firstChild;
  for (let n: Node | null = node; n && n !== root; n = n.parentNode) {
    if (n.nextSibling) return n.nextSibling;
  }
  return null;
}

/** The element and every element below it, in document order. */
export function selfAndDescendants(root: Element): Element[] {
  const out: Element[] = [];
  for (let n: Node | null = root; n; n = nextInOrder(n, root)) if (isElement(n)) out.push(n);
  return out;
}

/** Concatenated text and CDATA content of a node (all descendants). */
export function textOf(node: Node | undefined | null): string {
  if (!node) return '';
  let s = '';
  for (let n: Node | null = node.firstChild ? node.firstChild : null; n; n = nextInOrder(n, node)) {
    if (n.nodeType === TEXT_NODE || n.nodeType === CDATA_SECTION_NODE) s += n.nodeValue ?? '';
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
