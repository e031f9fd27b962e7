// One linear pass over XML text that enforces the limits before any parser builds a tree: depth,
// element count, attributes per element, the length of each text and attribute value. It also
// refuses what this server never reads: document type declarations (no DTD, so no external
// entities and no entity expansion). It does not check well-formedness — the parser that runs
// afterwards does — but it never counts less than a parser would find, so a document it lets
// through costs at most what the limits allow.
//
// The scan can be fed text as it arrives (XmlScanner.feed): a body is then refused at the chunk
// where it passes a limit, not once it has been read whole. A construct cut between two chunks
// (a tag, a comment) is read again from its start when the next chunk comes.
import { XmlParseError } from './errors.js';
import { xmlLimitError, type XmlLimits } from './limits.js';
import { BANG, DQ, EQ, GT, isXmlSpace as isSpace, LT, QUESTION, SLASH, SQ } from './char-codes.js';


/** A child element of the document's root, as the scan saw it: where its text is, what it holds. */
export interface RootChild {
  /** the qualified name, as written (`env:Header`) */
  name: string;
  /** index of its `<` in the whole text */
  start: number;
  /** index just after its end tag (or its `/>`) */
  end: number;
  /** elements in it, itself included */
  elements: number;
  /** its own child elements, where their text is (a SOAP Header's blocks, found without a second scan) */
  children: ChildSpan[];
}

/** A child element of a root's child: its qualified name as written, its `<`, and the index after its end. */
export interface ChildSpan {
  name: string;
  start: number;
  end: number;
}

/** `<![CDATA[`: what a CDATA section has before its text */
const CDATA_OPENER = 9;

/** The text ends inside a construct: more text may complete it. */
const INCOMPLETE = -1 as const;

/** Where `needle` starts at or after `from`; INCOMPLETE, or (final text) an error naming what was left open. */
function find(text: string, needle: string, from: number, what: string, final: boolean): number {
  const at = text.indexOf(needle, from);
  if (at >= 0) return at;
  if (final) throw new XmlParseError(`malformed XML: unterminated ${what}`);
  return INCOMPLETE;
}

/** A construct cut by the end of the text: INCOMPLETE, or (final text) malformed. */
function cut(final: boolean, what: string): typeof INCOMPLETE {
  if (final) throw new XmlParseError(`malformed XML: unterminated ${what}`);
  return INCOMPLETE;
}

export class XmlScanner {
  /** the text not yet consumed: an unfinished construct, or nothing */
  private pending = '';
  /** index, in the whole text, of pending's first character */
  private offset = 0;
  /** index, in the whole text, where the current run of character data started */
  private textStart = 0;
  private depth = 0;
  private elements = 0;
  private readonly children: RootChild[] = [];
  private open: RootChild | undefined;
  /** the open root child's child element being read */
  private openGrandchild: ChildSpan | undefined;
  /** how long `pending` must be before an unfinished construct is read again from its start */
  private retryAt = 0;
  /** characters walked so far, those read again included: what the scan has cost */
  private walked = 0;

  constructor(private readonly limits: XmlLimits) {}

  /** Characters the scan has walked, an unfinished construct read again counted again. */
  get charactersWalked(): number {
    return this.walked;
  }

  /** Elements seen so far (all of them, once end() has returned). */
  get elementCount(): number {
    return this.elements;
  }

  /** Scans what `chunk` completes; throws the first limit passed or an XmlParseError for a DTD. */
  feed(chunk: string): void {
    this.pending += chunk;
    // An unfinished construct (a comment, a tag name, an attribute value) is read again from its
    // start: reading it again only once it has doubled keeps the scan linear in the body's size
    // however small its chunks come (read at every chunk, an 8 MB comment sent in 1 KB chunks
    // cost seconds of the event loop).
    if (this.pending.length < this.retryAt) return;
    this.run(false);
  }

  /** The text is complete: anything left open is malformed. Returns the root's child elements. */
  end(): RootChild[] {
    this.run(true);
    return this.children;
  }

  private run(final: boolean): void {
    this.walked += this.pending.length;
    const text = this.pending;
    const n = text.length;
    const max = this.limits.maxTextLength;
    let i = 0;
    this.retryAt = 0;
    while (i < n) {
      const lt = text.indexOf('<', i);
      const textEnd = lt < 0 ? n : lt;
      if (this.offset + textEnd - this.textStart > max) throw xmlLimitError('maxTextLength', max);
      if (lt < 0) {
        i = n;
        break;
      }
      const next = this.construct(text, lt, final);
      if (next === INCOMPLETE) {
        i = lt;
        // ...and once more as soon as it may pass the text limit (a CDATA section's length), so
        // that one too long is still refused at the chunk that makes it so
        const size = n - lt;
        this.retryAt = size <= max + CDATA_OPENER ? Math.min(2 * size, max + CDATA_OPENER + 1) : 2 * size;
        break;
      }
      i = next;
      this.textStart = this.offset + i;
    }
    this.pending = text.slice(i);
    this.offset += i;
  }

  /** Reads the construct starting at `lt`; returns the index after it, or INCOMPLETE. */
  private construct(text: string, lt: number, final: boolean): number {
    const limits = this.limits;
    if (lt + 1 >= text.length) return cut(final, 'tag');
    const c = text.charCodeAt(lt + 1);
    if (c === QUESTION) {
      const end = find(text, '?>', lt + 2, 'processing instruction', final);
      return end === INCOMPLETE ? INCOMPLETE : end + 2;
    }
    if (c === BANG) {
      if (text.startsWith('<!--', lt)) {
        const end = find(text, '-->', lt + 4, 'comment', final);
        return end === INCOMPLETE ? INCOMPLETE : end + 3;
      }
      if (text.startsWith('<![CDATA[', lt)) {
        const end = find(text, ']]>', lt + 9, 'CDATA section', final);
        const length = (end === INCOMPLETE ? text.length : end) - (lt + 9);
        if (length > limits.maxTextLength) throw xmlLimitError('maxTextLength', limits.maxTextLength);
        return end === INCOMPLETE ? INCOMPLETE : end + 3;
      }
      // `<!`, `<!-`, `<![CD`: which construct it is comes with the next chunk
      if (!final && ('<![CDATA['.startsWith(text.slice(lt, lt + 9)) || '<!--'.startsWith(text.slice(lt, lt + 4)))) return INCOMPLETE;
      // <!DOCTYPE, <!ENTITY, <!ELEMENT ...: no DTD is ever read.
      throw new XmlParseError('DOCTYPE and ENTITY declarations are not accepted');
    }
    if (c === SLASH) {
      const end = find(text, '>', lt + 2, 'end tag', final);
      if (end === INCOMPLETE) return INCOMPLETE;
      this.depth--;
      if (this.depth < 0) throw new XmlParseError('malformed XML: an end tag closes no element');
      this.closeChild(this.offset + end + 1);
      return end + 1;
    }
    const end = scanStartTag(text, lt + 1, limits, final);
    if (end === INCOMPLETE) return INCOMPLETE;
    this.elements++;
    if (this.elements > limits.maxElements) throw xmlLimitError('maxElements', limits.maxElements);
    this.depth++;
    if (this.depth > limits.maxDepth) throw xmlLimitError('maxDepth', limits.maxDepth);
    if (this.depth === 2) this.open = { name: tagName(text, lt + 1), start: this.offset + lt, end: -1, elements: this.elements - 1, children: [] };
    else if (this.depth === 3 && this.open) this.open.children.push((this.openGrandchild = { name: tagName(text, lt + 1), start: this.offset + lt, end: -1 }));
    // `/>`: the only way a start tag the scan accepted ends with a slash before its `>`
    if (text.charCodeAt(end - 2) === SLASH) {
      this.depth--;
      this.closeChild(this.offset + end);
    }
    return end;
  }

  private closeChild(end: number): void {
    if (this.openGrandchild && this.depth === 2) {
      this.openGrandchild.end = end;
      this.openGrandchild = undefined;
    }
    if (this.open && this.depth === 1) {
      this.open.end = end;
      this.open.elements = this.elements - this.open.elements;
      this.children.push(this.open);
      this.open = undefined;
    }
  }
}

/**
 * Throws the first limit the text passes (an InputLimitError) or an XmlParseError for a DTD.
 * Returns the root's child elements, so that a reader may parse one part of a large document
 * (a SOAP Header before its Body) without walking the text again.
 */
export function scanXml(text: string, limits: XmlLimits): RootChild[] {
  const scanner = new XmlScanner(limits);
  scanner.feed(text);
  return scanner.end();
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

/**
 * Reads a start tag's name and attributes from `i` (just after `<`): the index after its `>`,
 * or INCOMPLETE when the text ends inside it (and is not final).
 */
function scanStartTag(text: string, i: number, limits: XmlLimits, final: boolean): number {
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
    if (i >= n) return cut(final, 'start tag');
    const c = text.charCodeAt(i);
    if (c === GT) return i + 1;
    if (c === SLASH) {
      if (i + 1 >= n) return cut(final, 'start tag');
      if (text.charCodeAt(i + 1) !== GT) throw new XmlParseError('malformed XML: "/" inside a start tag');
      return i + 2;
    }
    // an attribute: name, =, quoted value
    const nameStart = i;
    while (i < n) {
      const a = text.charCodeAt(i);
      if (isSpace(a) || a === EQ || a === GT || a === SLASH || a === LT) break;
      i++;
    }
    if (i >= n) return cut(final, 'start tag');
    if (i === nameStart) throw new XmlParseError('malformed XML: unexpected character in a start tag');
    attributes++;
    if (attributes > limits.maxAttributes) throw xmlLimitError('maxAttributes', limits.maxAttributes);
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) return cut(final, 'start tag');
    if (text.charCodeAt(i) !== EQ) throw new XmlParseError('malformed XML: an attribute without a value');
    i++;
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) return cut(final, 'start tag');
    const quote = text.charCodeAt(i);
    if (quote !== DQ && quote !== SQ) throw new XmlParseError('malformed XML: an attribute value without quotes');
    const end = text.indexOf(quote === DQ ? '"' : "'", i + 1);
    const length = (end < 0 ? n : end) - (i + 1);
    if (length > limits.maxTextLength) throw xmlLimitError('maxTextLength', limits.maxTextLength);
    if (end < 0) return cut(final, 'attribute value');
    i = end + 1;
  }
}
