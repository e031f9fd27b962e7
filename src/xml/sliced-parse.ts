// A DOM built in slices, with a turn of the event loop between them, for text the scan admitted
// (scan.ts): the parser (xmldom) is one synchronous call, ~10 µs an element, so a body at the
// element limit (CARNET_XML_MAX_ELEMENTS, 20,000) held the event loop 150-350 ms while it was
// parsed, every other request of the server waiting. Here an element holding more than a slice
// is parsed as its start tag alone, and its children in groups of at most a slice, each group
// wrapped in the start tags of its ancestors (so that every namespace in scope is declared) and
// moved into the element; a child itself too large is taken apart the same way. The tree is the
// one a parse of the whole text gives, and text that is not well-formed is refused as it would be.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Document, Element, Node } from '@xmldom/xmldom';
import { DQ, GT, SQ } from './char-codes.js';
import { XmlParseError } from './errors.js';
import type { XmlLimits } from './limits.js';
import { parseScannedXml } from './read.js';
import { scanXml } from './scan.js';

/** The index just after the `>` of the start tag at `lt` (quoted attribute values may hold `>`), or -1. */
export function startTagEnd(text: string, lt: number): number {
  let quote = 0;
  for (let i = lt + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote) {
      if (c === quote) quote = 0;
    } else if (c === DQ || c === SQ) quote = c;
    else if (c === GT) return i + 1;
  }
  return -1;
}

/** An element of the text: where it is, its qualified name, the elements it holds (itself included). */
interface Span {
  name: string;
  start: number;
  end: number;
  elements: number;
}

/** An element whose content is parsed apart: its start tag as written, and its name for the end tag. */
interface Opened {
  startTag: string;
  name: string;
}

// XML's white space (§2.3 S) only: JavaScript's \s also holds U+1680 and U+FEFF, which a name may
// hold, so `</a\u1680>` passed for the end tag of `<a>` (the whole parse refuses it).
const NAME_END = /[ \t\r\n/>]/;

/**
 * The most characters of start tags a slice is wrapped in, and the most elements taken apart one
 * inside another: each slice is parsed with its ancestors' start tags, and each element taken
 * apart is scanned again. Unbounded, a root start tag of 4 MB (one attribute) was parsed again
 * for every slice, 2.4 s of CPU and a turn longer than the whole parse, and a chain of 62 nested
 * elements cost its depth times its size. An element past either bound is parsed in one piece.
 */
const MAX_WRAPPER_CHARS = 16 * 1024;
const MAX_OPENED = 8;

/** What slicing cost, for tests: characters given to the parser, all slices and wrappers counted. */
export interface SliceCost {
  charactersParsed: number;
}

function nameAt(text: string, lt: number): string {
  let i = lt + 1;
  while (i < text.length && !NAME_END.test(text[i]!)) i++;
  return text.slice(lt + 1, i);
}

function malformed(what: string): XmlParseError {
  return new XmlParseError(`malformed XML: ${what}`);
}

/**
 * Where the content of the element at `span` is: after its start tag, up to its end tag, whose
 * name must be its own (the content is parsed apart from both, so no parser compares them).
 */
function contentOf(text: string, span: Span): { from: number; to: number } {
  const content = closedContentOf(text, span);
  if (!content) throw malformed(`the element ${span.name.slice(0, 80)} does not end with its own end tag`);
  return content;
}

/** contentOf, or undefined when the span does not end with the element's own end tag. */
function closedContentOf(text: string, span: Span): { from: number; to: number } | undefined {
  const from = startTagEnd(text, span.start);
  const to = text.lastIndexOf('</', span.end - 1);
  const endTag = new RegExp(`^</${span.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[ \\t\\r\\n]*>$`);
  return from < 0 || to < from || !endTag.test(text.slice(to, span.end)) ? undefined : { from, to };
}

/** The root element's span, or undefined when the text around it is more than a prolog and spaces (parsed whole then). */
function rootSpan(text: string, elements: number): Span | undefined {
  let at = 0;
  for (;;) {
    while (at < text.length && /\s/.test(text[at]!)) at++;
    const close = text.startsWith('<?', at) ? '?>' : text.startsWith('<!--', at) ? '-->' : undefined;
    if (!close) break;
    const found = text.indexOf(close, at);
    if (found < 0) return undefined;
    at = found + close.length;
  }
  if (text[at] !== '<') return undefined;
  const end = text.trimEnd().length;
  if (text.charCodeAt(end - 1) !== GT) return undefined;
  return { name: nameAt(text, at), start: at, end, elements };
}

/**
 * The element that stands for the last of `opened` in the DOM of `inner` wrapped in their start
 * and end tags: the wrapper holds one element at each level, so it is found by going down.
 */
function parseWithin(opened: Opened[], inner: string, cost: SliceCost): Element {
  const xml = opened.map((o) => o.startTag).join('') + inner + opened.map((o) => `</${o.name}>`).reverse().join('');
  cost.charactersParsed += xml.length;
  let el: Element = parseScannedXml(xml).documentElement!;
  for (let depth = 1; depth < opened.length; depth++) {
    let next: Node | null = el.firstChild;
    while (next && next.nodeType !== 1) next = next.nextSibling;
    el = next as Element;
  }
  return el;
}

/**
 * The DOM of `text` (which scanXmlText admitted), parsed in slices of at most `sliceElements`
 * elements with a turn of the event loop between them; the whole at once when it holds no more
 * than a slice (`elements`, as the scan counted them). XmlParseError when it is not well-formed.
 */
export async function parseScannedXmlInSlices(text: string, elements: number, limits: XmlLimits, sliceElements: number, cost: SliceCost = { charactersParsed: 0 }): Promise<Document> {
  const root = elements > sliceElements ? rootSpan(text, elements) : undefined;
  // Not ended by the root's own end tag (a comment or a PI after it, or a mismatch), or a root
  // start tag too large to wrap every slice in: the whole text, which the parser judges.
  const content = root && closedContentOf(text, root);
  if (!root || !content || content.from - root.start > MAX_WRAPPER_CHARS) {
    cost.charactersParsed += text.length;
    return parseScannedXml(text);
  }
  // the root with nothing in it: the prolog, its start and end tags
  const shell = text.slice(0, content.from) + text.slice(content.to);
  cost.charactersParsed += shell.length;
  const doc = parseScannedXml(shell);
  await fill(doc.documentElement!, text, root, content, [], limits, sliceElements, cost);
  return doc;
}

/**
 * Moves every node parsed in `from` to the end of `into`. xmldom renumbers all the children left
 * in a parent each time one is taken out, unless its document's version counter (`_inc`) is 0:
 * moved one by one, a slice of 40,000 comments (not elements, so not counted in a slice) took
 * 9.5 s in one turn, 60 ms parsed whole. The slice's own element is dropped afterwards, so its
 * list is left as it is; the counter is set again, past where it was, before anything reads it.
 */
function moveChildren(from: Element, into: Element): void {
  const slice = from.ownerDocument as unknown as { _inc?: unknown };
  const version = slice._inc;
  if (typeof version === 'number') slice._inc = 0;
  try {
    while (from.firstChild) into.appendChild(from.firstChild);
  } finally {
    if (typeof version === 'number') slice._inc = version + 1;
  }
}

async function fill(into: Element, text: string, span: Span, content: { from: number; to: number }, above: Opened[], limits: XmlLimits, sliceElements: number, cost: SliceCost): Promise<void> {
  const opened = [...above, { startTag: text.slice(span.start, content.from), name: span.name }];
  const wrapperChars = opened.reduce((sum, o) => sum + o.startTag.length, 0);
  await nextTurn();
  // its children, as a scan of its own text finds them (offsets from its start)
  const children: Span[] = scanXml(text.slice(span.start, span.end), limits).map((c) => ({ name: c.name, start: span.start + c.start, end: span.start + c.end, elements: c.elements }));
  // The content is cut into pieces that follow one another: groups of children (with the text
  // before each) of at most a slice, and single children too large, taken apart in turn.
  let from = content.from;
  let groupElements = 0;
  const flush = async (to: number) => {
    if (to > from) {
      moveChildren(parseWithin(opened, text.slice(from, to), cost), into);
      await nextTurn();
    }
    from = to;
    groupElements = 0;
  };
  for (const child of children) {
    const startTagChars = child.elements > sliceElements ? startTagEnd(text, child.start) - child.start : 0;
    if (child.elements > sliceElements && opened.length < MAX_OPENED && startTagChars > 0 && wrapperChars + startTagChars <= MAX_WRAPPER_CHARS) {
      await flush(child.start);
      const inner = contentOf(text, child);
      // the child alone, empty: its content is parsed into it below
      const shell = parseWithin([...opened, { startTag: text.slice(child.start, inner.from), name: child.name }], '', cost);
      into.appendChild(shell);
      await fill(shell, text, child, inner, opened, limits, sliceElements, cost);
      from = child.end;
      continue;
    }
    if (groupElements + child.elements > sliceElements) await flush(child.start);
    groupElements += child.elements;
  }
  await flush(content.to);
}
