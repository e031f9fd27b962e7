// A reader of XML in its plainest form, without xmldom: the tree of a small SOAP envelope (a
// stored query, WS-Addressing, the Security block's tags) read in one pass, with none of the
// DOM's building costs. It answers only for text it reads completely; anything else — a comment,
// a processing instruction past the XML declaration, CDATA, a character reference, a name outside
// ASCII, a line end other than LF, an undeclared prefix, any doubt — gets undefined, and the caller
// parses with the DOM as before, which refuses or accepts with its own words. So what it returns
// is the tree the DOM would have made of the same text (test/unit/xml/plain-read.test.ts holds
// that on generated and mangled envelopes), and it never refuses anything itself.
//
// The nodes carry the fields and methods of xmldom's that dom.ts's walks read (`childElements`,
// `firstChild`, `attr`, `attrNS`, `textOf`) and no more: no serializing, no search by name, no
// change. They are handed only to readers that use those walks alone (the AdhocQuery's, the
// SOAP Header's). The limits were met by the scan before: this reader keeps its own stack, never
// the call stack.
import type { Element } from './dom.js';
// a carriage return counts as space there, but never reaches the reading (NOT_PLAIN)
import { COLON, DQ, EQ, GT, isXmlSpace as isSpace, SLASH, SQ } from './char-codes.js';

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** One text node: a run of character data, its five predefined entities decoded. */
class PlainText {
  readonly nodeType = 3;
  readonly firstChild = null;
  nextSibling: PlainNode | null = null;
  constructor(
    readonly nodeValue: string,
    readonly parentNode: PlainElement,
  ) {}
  get data(): string {
    return this.nodeValue;
  }
}

interface PlainAttribute {
  name: string;
  localName: string;
  namespaceURI: string | null;
  value: string;
}

class PlainElement {
  readonly nodeType = 1;
  firstChild: PlainNode | null = null;
  lastChild: PlainNode | null = null;
  nextSibling: PlainNode | null = null;
  constructor(
    readonly tagName: string,
    readonly prefix: string | null,
    readonly localName: string,
    readonly namespaceURI: string | null,
    readonly attributes: readonly PlainAttribute[],
    readonly parentNode: PlainElement | null,
  ) {}
  get nodeName(): string {
    return this.tagName;
  }
  append(node: PlainNode): void {
    if (this.lastChild) this.lastChild.nextSibling = node;
    else this.firstChild = node;
    this.lastChild = node;
  }
  hasAttribute(name: string): boolean {
    return this.attributes.some((a) => a.name === name);
  }
  getAttribute(name: string): string | null {
    return this.attributes.find((a) => a.name === name)?.value ?? null;
  }
  hasAttributeNS(ns: string | null, local: string): boolean {
    return this.attributeNS(ns, local) !== undefined;
  }
  getAttributeNS(ns: string | null, local: string): string | null {
    return this.attributeNS(ns, local)?.value ?? null;
  }
  private attributeNS(ns: string | null, local: string): PlainAttribute | undefined {
    const uri = ns || null;
    return this.attributes.find((a) => a.localName === local && a.namespaceURI === uri);
  }
}

type PlainNode = PlainElement | PlainText;

/** The parts of the text left out of the tree: an element's content, kept apart (the Security block's). */
export interface Hollow {
  /** index just after the element's start tag */
  contentStart: number;
  /** index of its end tag's `<` */
  contentEnd: number;
}

/** Characters that send the text to the DOM: not XML (§2.2), line ends it would normalise, references it would resolve. */
const NOT_PLAIN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\r\u0085\u2028\u2029\uFFFE\uFFFF]|&#/;
/** An XML declaration in the forms clients write; any other sends the text to the DOM. */
const XML_DECLARATION = /^<\?xml version=(["'])1\.0\1(?: encoding=(["'])(?:UTF-8|utf-8)\2)?\?>/;

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
}

/** Stops the reading: the text is left to the DOM. */
class NotPlain {}
const NOT_PLAIN_TEXT = new NotPlain();

/** The qualified name starting at `i` (ASCII, one colon at most): its end, and where its colon is (-1). */
function readName(text: string, i: number): [end: number, colon: number] {
  if (!isNameStart(text.charCodeAt(i))) throw NOT_PLAIN_TEXT;
  let colon = -1;
  let j = i + 1;
  for (;;) {
    const c = text.charCodeAt(j);
    if (isNameChar(c)) j++;
    else if (c === COLON && colon < 0 && isNameStart(text.charCodeAt(j + 1))) {
      colon = j;
      j += 2;
    } else return [j, colon];
  }
}

/** Character data with its entities decoded; `<` and `]]>` are not plain. */
function decoded(raw: string): string {
  if (raw.includes(']]>')) throw NOT_PLAIN_TEXT;
  let amp = raw.indexOf('&');
  if (amp < 0) return raw;
  // one walk from `&` to `&`: a regular expression's callback per reference cost three times the
  // DOM's whole parse on a text of many references
  let out = '';
  let from = 0;
  while (amp >= 0) {
    const k = predefinedEntity(raw, amp + 1);
    out += raw.slice(from, amp) + ENTITY_CHARACTERS[k];
    from = amp + 1 + ENTITY_NAMES[k]!.length;
    amp = raw.indexOf('&', from);
  }
  return out + raw.slice(from);
}

/** The predefined entities (XML 1.0 §4.6), each name with its `;`, and their characters. */
const ENTITY_NAMES = ['amp;', 'apos;', 'lt;', 'gt;', 'quot;'] as const;
const ENTITY_CHARACTERS = ['&', "'", '<', '>', '"'] as const;

/** Which predefined entity's name starts at `i`; any other reference is not plain (the DOM refuses it). */
function predefinedEntity(raw: string, i: number): number {
  for (let k = 0; k < ENTITY_NAMES.length; k++) if (raw.startsWith(ENTITY_NAMES[k]!, i)) return k;
  throw NOT_PLAIN_TEXT;
}

interface RawAttribute {
  name: string;
  colon: number;
  value: string;
}

/** An element's namespace scope: the prefixes (`''` the default) in force at it. */
type Scope = ReadonlyMap<string, string>;

/** The scope an element's declarations make of its parent's, or the parent's when it declares nothing. */
function scopeOf(parent: Scope, attrs: RawAttribute[]): Scope {
  let scope: Map<string, string> | undefined;
  for (const a of attrs) {
    const prefix = a.name === 'xmlns' ? '' : a.colon === 5 && a.name.startsWith('xmlns:') ? a.name.slice(6) : undefined;
    if (prefix === undefined) continue;
    // undeclaring, the reserved prefixes and names: left to the DOM
    if (!a.value || prefix === 'xml' || prefix === 'xmlns' || a.value === XML_NS || a.value === XMLNS_NS) throw NOT_PLAIN_TEXT;
    (scope ??= new Map(parent)).set(prefix, a.value);
  }
  return scope ?? parent;
}

function attributesOf(raw: RawAttribute[], scope: Scope): PlainAttribute[] {
  const out: PlainAttribute[] = [];
  for (const a of raw) {
    let ns: string | null = null;
    let local = a.name;
    if (a.name === 'xmlns') ns = XMLNS_NS;
    else if (a.colon >= 0) {
      const prefix = a.name.slice(0, a.colon);
      local = a.name.slice(a.colon + 1);
      if (prefix === 'xmlns') ns = XMLNS_NS;
      else {
        if (prefix === 'xml') throw NOT_PLAIN_TEXT;
        ns = scope.get(prefix) ?? null;
        if (ns === null) throw NOT_PLAIN_TEXT;
      }
    }
    // the same name twice (as written, or once expanded): left to the DOM
    for (const b of out) if (b.name === a.name || (ns !== null && ns !== XMLNS_NS && b.localName === local && b.namespaceURI === ns)) throw NOT_PLAIN_TEXT;
    out.push({ name: a.name, localName: local, namespaceURI: ns, value: a.value });
  }
  return out;
}

/**
 * The root element of `text` read plainly, `hollow`'s content left out (an element with no
 * children there), or undefined when the text is not in the plain form (the DOM then reads it).
 * `text` passed the scan (limits, no DTD).
 */
export function readPlainXml(text: string, hollow?: Hollow): Element | undefined {
  try {
    return read(text, hollow) as unknown as Element;
  } catch (e) {
    if (e === NOT_PLAIN_TEXT) return undefined;
    throw e;
  }
}

/** Throws NOT_PLAIN_TEXT at the first thing outside the plain form. */
function notPlainIn(text: string, from: number, to: number): void {
  if (NOT_PLAIN.test(from === 0 && to === text.length ? text : text.slice(from, to))) throw NOT_PLAIN_TEXT;
}

function read(text: string, hollow: Hollow | undefined): PlainElement {
  const n = text.length;
  const skipFrom = hollow ? hollow.contentStart : n + 1;
  const skipTo = hollow ? hollow.contentEnd : n + 1;
  if (hollow) {
    notPlainIn(text, 0, skipFrom);
    notPlainIn(text, skipTo, n);
  } else notPlainIn(text, 0, n);
  let i = 0;
  const declaration = text.startsWith('<?') ? XML_DECLARATION.exec(text) : null;
  if (declaration) i = declaration[0].length;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  let root: PlainElement | undefined;
  let open: PlainElement | null = null;
  const scopes: Scope[] = [new Map([['xml', XML_NS]])];
  for (;;) {
    if (i === skipFrom) i = skipTo;
    else if (i > skipFrom && i < skipTo) throw NOT_PLAIN_TEXT;
    const lt = text.indexOf('<', i);
    const end = lt < 0 ? n : lt;
    if (end > skipFrom && i < skipFrom) throw NOT_PLAIN_TEXT;
    if (end > i) {
      if (open) open.append(new PlainText(decoded(text.slice(i, end)), open));
      else for (let k = i; k < end; k++) if (!isSpace(text.charCodeAt(k))) throw NOT_PLAIN_TEXT;
    }
    if (lt < 0) break;
    if (root && !open) throw NOT_PLAIN_TEXT; // an element after the root's end
    const c = text.charCodeAt(lt + 1);
    if (c === SLASH) {
      if (!open) throw NOT_PLAIN_TEXT;
      const [nameEnd] = readName(text, lt + 2);
      if (text.charCodeAt(nameEnd) !== GT || text.slice(lt + 2, nameEnd) !== open.tagName) throw NOT_PLAIN_TEXT;
      open = open.parentNode;
      scopes.pop();
      i = nameEnd + 1;
      continue;
    }
    // a start tag: anything else (`<!`, `<?`) is not plain
    const [nameEnd, colon] = readName(text, lt + 1);
    const raw: RawAttribute[] = [];
    let j = nameEnd;
    let closed = false;
    for (;;) {
      const before = j;
      while (isSpace(text.charCodeAt(j))) j++;
      const d = text.charCodeAt(j);
      if (d === GT) {
        j++;
        break;
      }
      if (d === SLASH) {
        if (text.charCodeAt(j + 1) !== GT) throw NOT_PLAIN_TEXT;
        closed = true;
        j += 2;
        break;
      }
      if (j === before) throw NOT_PLAIN_TEXT; // attributes are apart
      const [attrEnd, attrColon] = readName(text, j);
      const quote = text.charCodeAt(attrEnd + 1);
      if (text.charCodeAt(attrEnd) !== EQ || (quote !== DQ && quote !== SQ)) throw NOT_PLAIN_TEXT;
      const close = text.indexOf(quote === DQ ? '"' : "'", attrEnd + 2);
      if (close < 0) throw NOT_PLAIN_TEXT;
      const value = text.slice(attrEnd + 2, close);
      // `<` is never in a value; a tab or a line end the DOM would turn to a space
      if (value.includes('<') || value.includes('\n') || value.includes('\t')) throw NOT_PLAIN_TEXT;
      raw.push({ name: text.slice(j, attrEnd), colon: attrColon < 0 ? -1 : attrColon - j, value: decoded(value) });
      j = close + 1;
    }
    if (j > skipFrom && lt < skipFrom) throw NOT_PLAIN_TEXT;
    const scope = raw.length ? scopeOf(scopes[scopes.length - 1]!, raw) : scopes[scopes.length - 1]!;
    const tagName = text.slice(lt + 1, nameEnd);
    const prefix = colon < 0 ? null : tagName.slice(0, colon - lt - 1);
    // the DOM refuses an element named xmlns, as the prefix xmlns (Namespaces in XML §3); xml: is left to it
    if (prefix === 'xml' || prefix === 'xmlns' || tagName === 'xmlns') throw NOT_PLAIN_TEXT;
    const ns = scope.get(prefix ?? '') ?? null;
    if (prefix !== null && ns === null) throw NOT_PLAIN_TEXT;
    const el: PlainElement = new PlainElement(tagName, prefix, prefix === null ? tagName : tagName.slice(prefix.length + 1), ns, raw.length ? attributesOf(raw, scope) : [], open);
    if (open) open.append(el);
    else if (root) throw NOT_PLAIN_TEXT;
    else root = el;
    if (!closed) {
      open = el;
      scopes.push(scope);
    }
    i = j;
  }
  if (!root || open) throw NOT_PLAIN_TEXT;
  return root;
}

/** Whether an element came from this reader: such an element is only for dom.ts's walks. */
export function isPlainElement(el: Element): boolean {
  return (el as unknown) instanceof PlainElement;
}
