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

const NAME_END = /[\s/>]/;

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
  const from = startTagEnd(text, span.start);
  const to = text.lastIndexOf('</', span.end - 1);
  if (from < 0 || to < from || !new RegExp(`^</${span.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*>$`).test(text.slice(to, span.end))) {
    throw malformed(`the element ${span.name.slice(0, 80)} does not end with its own end tag`);
  }
  return { from, to };
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
function parseWithin(opened: Opened[], inner: string): Element {
  const xml = opened.map((o) => o.startTag).join('') + inner + opened.map((o) => `</${o.name}>`).reverse().join('');
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
export async function parseScannedXmlInSlices(text: string, elements: number, limits: XmlLimits, sliceElements: number): Promise<Document> {
  const root = elements > sliceElements ? rootSpan(text, elements) : undefined;
  if (!root) return parseScannedXml(text);
  const content = contentOf(text, root);
  // the root with nothing in it: the prolog, its start and end tags, what follows it
  const doc = parseScannedXml(text.slice(0, content.from) + text.slice(content.to));
  await fill(doc.documentElement!, text, root, content, [], limits, sliceElements);
  return doc;
}

/**
 * Moves every node parsed in `from` to the end of `into`. The parser's document keeps the child
 * list of each element indexed, and re-indexes the whole list at each removal: moving 2,000
 * children one by one was 2 million steps a slice (a third more CPU than parsing the whole
 * text). The wrapper's document is dropped after the move, so its lists are left as they are:
 * its change counter (`_inc`, which only asks for that re-indexing) is set to none.
 */
function moveChildren(from: Element, into: Element): void {
  (from.ownerDocument as unknown as { _inc: number })._inc = 0;
  while (from.firstChild) into.appendChild(from.firstChild);
}

async function fill(into: Element, text: string, span: Span, content: { from: number; to: number }, above: Opened[], limits: XmlLimits, sliceElements: number): Promise<void> {
  const opened = [...above, { startTag: text.slice(span.start, content.from), name: span.name }];
  await nextTurn();
  // its children, as a scan of its own text finds them (offsets from its start)
  const children: Span[] = scanXml(text.slice(span.start, span.end), limits).map((c) => ({ name: c.name, start: span.start + c.start, end: span.start + c.end, elements: c.elements }));
  // The content is cut into pieces that follow one another: groups of children (with the text
  // before each) of at most a slice, and single children too large, taken apart in turn.
  let from = content.from;
  let groupElements = 0;
  const flush = async (to: number) => {
    if (to > from) {
      moveChildren(parseWithin(opened, text.slice(from, to)), into);
      await nextTurn();
    }
    from = to;
    groupElements = 0;
  };
  for (const child of children) {
    if (child.elements > sliceElements) {
      await flush(child.start);
      const inner = contentOf(text, child);
      // the child alone, empty: its content is parsed into it below
      const shell = parseWithin([...opened, { startTag: text.slice(child.start, inner.from), name: child.name }], '');
      into.appendChild(shell);
      await fill(shell, text, child, inner, opened, limits, sliceElements);
      from = child.end;
      continue;
    }
    if (groupElements + child.elements > sliceElements) await flush(child.start);
    groupElements += child.elements;
  }
  await flush(content.to);
}
