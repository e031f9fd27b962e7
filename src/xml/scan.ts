// One linear pass over XML text that enforces the limits before any parser builds a tree: depth,
// element count, attributes per element, the length of each text and attribute value. It also
// refuses what this server never reads: document type declarations (no DTD, so no external
// entities and no entity expansion). It does not check well-formedness — the parser that runs
// afterwards does — but it never counts less than a parser would find, so a document it lets
// through costs at most what the limits allow.
import { XmlParseError } from './errors.js';
import { xmlLimitError, type XmlLimits } from './limits.js';

const LT = 0x3c; // <
const GT = 0x3e; // >
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const EQ = 0x3d;
const DQ = 0x22;
const SQ = 0x27;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Where `needle` starts at or after `from`, or a parse error naming what was left open. */
function find(text: string, needle: string, from: number, what: string): number {
  const at = text.indexOf(needle, from);
  if (at < 0) throw new XmlParseError(`malformed XML: unterminated ${what}`);
  return at;
}

/** A child element of the document's root, as the scan saw it: where its text is, what it holds. */
export interface RootChild {
  /** the qualified name, as written (`env:Header`) */
  name: string;
  /** index of its `<` */
  start: number;
  /** index just after its end tag (or its `/>`) */
  end: number;
  /** elements in it, itself included */
  elements: number;
}

/**
 * Throws the first limit the text passes (an InputLimitError) or an XmlParseError for a DTD.
 * Returns the root's child elements, so that a reader may parse one part of a large document
 * (a SOAP Header before its Body) without walking the text again.
 */
export function scanXml(text: string, limits: XmlLimits): RootChild[] {
  const n = text.length;
  let depth = 0;
  let elements = 0;
  let i = 0;
  const children: RootChild[] = [];
  let open: RootChild | undefined;
  const closeChild = (end: number) => {
    if (open && depth === 1) {
      open.end = end;
      open.elements = elements - open.elements;
      children.push(open);
      open = undefined;
    }
  };
  while (i < n) {
    const lt = text.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd - i > limits.maxTextLength) throw xmlLimitError('maxTextLength', limits.maxTextLength);
    if (lt < 0) break;
    const c = text.charCodeAt(lt + 1);
    if (c === QUESTION) {
      i = find(text, '?>', lt + 2, 'processing instruction') + 2;
    } else if (c === BANG) {
      if (text.startsWith('<!--', lt)) {
        i = find(text, '-->', lt + 4, 'comment') + 3;
      } else if (text.startsWith('<![CDATA[', lt)) {
        const end = find(text, ']]>', lt + 9, 'CDATA section');
        if (end - (lt + 9) > limits.maxTextLength) throw xmlLimitError('maxTextLength', limits.maxTextLength);
        i = end + 3;
      } else {
        // <!DOCTYPE, <!ENTITY, <!ELEMENT ...: no DTD is ever read.
        throw new XmlParseError('DOCTYPE and ENTITY declarations are not accepted');
      }
    } else if (c === SLASH) {
      depth--;
      if (depth < 0) throw new XmlParseError('malformed XML: an end tag closes no element');
      i = find(text, '>', lt + 2, 'end tag') + 1;
      closeChild(i);
    } else {
      elements++;
      if (elements > limits.maxElements) throw xmlLimitError('maxElements', limits.maxElements);
      depth++;
      if (depth > limits.maxDepth) throw xmlLimitError('maxDepth', limits.maxDepth);
      if (depth === 2) open = { name: tagName(text, lt + 1), start: lt, end: -1, elements: elements - 1 };
      i = scanStartTag(text, lt + 1, limits, () => depth--);
      closeChild(i);
    }
  }
  return children;
}

/** The name of the tag whose name starts at `i`. */
function tagName(text: string, i: number): string {
  let end = i;
  while (end < text.length) {
    const c = text.charCodeAt(end);
    if (isSpace(c) || c === GT || c === SLASH) break;
    end++;
  }
  return text.slice(i, end);
}

/** Reads a start tag's name and attributes from `i` (just after `<`); returns the index after `>`. */
function scanStartTag(text: string, i: number, limits: XmlLimits, selfClosed: () => void): number {
  const n = text.length;
  // the element name
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c) || c === GT || c === SLASH) break;
    i++;
  }
  let attributes = 0;
  for (;;) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) throw new XmlParseError('malformed XML: unterminated start tag');
    const c = text.charCodeAt(i);
    if (c === GT) return i + 1;
    if (c === SLASH) {
      if (text.charCodeAt(i + 1) !== GT) throw new XmlParseError('malformed XML: "/" inside a start tag');
      selfClosed();
      return i + 2;
    }
    // an attribute: name, =, quoted value
    const nameStart = i;
    while (i < n) {
      const a = text.charCodeAt(i);
      if (isSpace(a) || a === EQ || a === GT || a === SLASH || a === LT) break;
      i++;
    }
    if (i === nameStart) throw new XmlParseError('malformed XML: unexpected character in a start tag');
    attributes++;
    if (attributes > limits.maxAttributes) throw xmlLimitError('maxAttributes', limits.maxAttributes);
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) !== EQ) throw new XmlParseError('malformed XML: an attribute without a value');
    i++;
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    const quote = text.charCodeAt(i);
    if (quote !== DQ && quote !== SQ) throw new XmlParseError('malformed XML: an attribute value without quotes');
    const end = find(text, quote === DQ ? '"' : "'", i + 1, 'attribute value');
    if (end - (i + 1) > limits.maxTextLength) throw xmlLimitError('maxTextLength', limits.maxTextLength);
    i = end + 1;
  }
}
