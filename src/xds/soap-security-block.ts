// Where the wsse:Security block of a SOAP Header stands in the envelope's text, found from the
// scan's positions without a tree: so that the Header's tree can be made without the block's
// content (an assertion: most of the Header), which the verifier asks for only when it does not
// know the block already (soap.ts SecurityBlock, src/auth/vihf.ts).
import { startTagEnd, type RootChild } from '../xml/index.js';

/** The local part of a qualified name as written (`env:Header` -> `Header`). */
export function localNameOf(qname: string): string {
  return qname.slice(qname.indexOf(':') + 1);
}

/** Where a Header's one block named Security is in the envelope's text, its content apart. */
export interface SecuritySpan {
  start: number;
  end: number;
  /** its content: from after its start tag to its end tag */
  contentStart: number;
  contentEnd: number;
  /** the text before the Header's first child: every namespace declaration in scope in the block */
  scope: string;
}

/**
 * The Header's one child named Security (any prefix: its namespace is read from the DOM), or
 * undefined when there is none, more than one, or it is empty: such a Header is parsed whole.
 * The scan of the envelope found the Header's children.
 */
export function securitySpan(text: string, headerPart: RootChild): SecuritySpan | undefined {
  const blocks = headerPart.children.filter((c) => localNameOf(c.name) === 'Security');
  if (blocks.length !== 1) return undefined;
  const { start, end } = blocks[0]!;
  const contentStart = startTagEnd(text, start);
  const contentEnd = text.lastIndexOf('</', end - 1);
  const headerContent = startTagEnd(text, headerPart.start);
  if (contentStart < 0 || headerContent < 0 || contentEnd < contentStart) return undefined;
  return { start, end, contentStart, contentEnd, scope: text.slice(0, headerContent) };
}

/** The envelope's text without its Body and without the Security block's content. */
export function hollowed(text: string, span: SecuritySpan, bodyPart: RootChild | undefined): string {
  const cuts: Array<[number, number]> = [[span.contentStart, span.contentEnd]];
  if (bodyPart) cuts.push([bodyPart.start, bodyPart.end]);
  cuts.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [from, to] of cuts) {
    out += text.slice(at, from);
    at = to;
  }
  return out + text.slice(at);
}
