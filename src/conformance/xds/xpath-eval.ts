// XPath over what a section has sent and received, for <Report> values and <Assertions>.
// The toolkit evaluates `DataRef file="THIS"` assertions on the section's log, whose shape is
// TestStep[@id]/<Transaction>/{InputMetadata,Result}: the same shape is rebuilt here so
// paths written against it (//TestStep[@id="x"]/StoredQueryTransaction/Result/...) work.
import xpath from 'xpath';
import { parseXml, TRUSTED_XML_LIMITS } from '../../xml/index.js';

export interface LoggedStep {
  id: string;
  /** transaction element name, e.g. StoredQueryTransaction */
  element: string;
  input?: string;
  result?: string;
}

function stripDeclaration(xml: string): string {
  return xml.replace(/^\s*<\?xml[^?]*\?>/, '');
}

/** The section log document as XML text. */
export function sectionLog(steps: LoggedStep[]): string {
  const body = steps
    .map((s) => {
      const el = s.element || 'NullTransaction';
      const input = s.input ? `<InputMetadata>${stripDeclaration(s.input)}</InputMetadata>` : '';
      const result = s.result ? `<Result>${stripDeclaration(s.result)}</Result>` : '';
      return `<TestStep id="${s.id.replace(/"/g, '&quot;')}"><${el}>${input}${result}</${el}></TestStep>`;
    })
    .join('');
  return `<TestResults>${body}</TestResults>`;
}

type Raw = ReturnType<typeof xpath.select> | unknown;

function evaluate(expr: string, xml: string): Raw {
  const doc = parseXml(xml, TRUSTED_XML_LIMITS);
  return xpath.select(expr.trim(), doc as unknown as Node);
}

function nodeText(node: unknown): string {
  const n = node as { nodeType: number; nodeValue: string | null; textContent: string | null };
  return (n.nodeType === 2 ? n.nodeValue : n.textContent) ?? '';
}

/** The string value of an XPath (first node's value for a node-set), or undefined when empty. */
export function xpathString(expr: string, xml: string): string | undefined {
  const r = evaluate(expr, xml);
  if (Array.isArray(r)) return r.length ? nodeText(r[0]).trim() : undefined;
  if (r === null || r === undefined) return undefined;
  return String(r);
}

/** An XPath read as a boolean (a node-set is true when not empty). */
export function xpathTrue(expr: string, xml: string): boolean {
  const r = evaluate(expr, xml);
  if (Array.isArray(r)) return r.length > 0;
  if (typeof r === 'number') return r !== 0 && !Number.isNaN(r);
  if (typeof r === 'string') return r.length > 0;
  return !!r;
}
