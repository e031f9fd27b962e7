// A CDA document's human-readable part: the title, and each section's title and narrative
// block, read with the browser's XML parser into a small tree of allowed elements. Nothing of
// the document is ever inserted as HTML: the tree is drawn by React from this allow-list, so
// scripts, styles, links and attributes of the document cannot act (CDA narrative, "sanitised"
// by construction). Unknown elements keep their text only.

export type NarrativeNode =
  | { kind: 'text'; text: string }
  | { kind: 'element'; tag: NarrativeTag; children: NarrativeNode[] };

/** CDA narrative elements and the HTML element each becomes. */
const TAGS = {
  paragraph: 'p',
  content: 'span',
  list: 'ul',
  item: 'li',
  table: 'table',
  thead: 'thead',
  tbody: 'tbody',
  tfoot: 'tfoot',
  tr: 'tr',
  th: 'th',
  td: 'td',
  caption: 'caption',
  br: 'br',
  sub: 'sub',
  sup: 'sup',
} as const;
export type NarrativeTag = (typeof TAGS)[keyof typeof TAGS] | 'ol';

export interface CdaSection {
  title: string;
  narrative: NarrativeNode[];
  sections: CdaSection[];
}

export interface CdaDocument {
  title: string;
  sections: CdaSection[];
}

const HL7 = 'urn:hl7-org:v3';

const childrenNamed = (el: Element, name: string) => Array.from(el.children).filter((c) => c.localName === name && c.namespaceURI === HL7);

function narrative(node: Node): NarrativeNode[] {
  const out: NarrativeNode[] = [];
  node.childNodes.forEach((c) => {
    if (c.nodeType === 3 || c.nodeType === 4) {
      const text = c.textContent ?? '';
      if (text) out.push({ kind: 'text', text });
      return;
    }
    if (c.nodeType !== 1) return;
    const el = c as Element;
    if (el.namespaceURI !== HL7) return;
    const mapped = TAGS[el.localName as keyof typeof TAGS];
    // renderMultiMedia, footnotes, linkHtml…: only their text, never their targets.
    if (!mapped) return void out.push(...narrative(el));
    const tag: NarrativeTag = el.localName === 'list' && el.getAttribute('listType') === 'ordered' ? 'ol' : mapped;
    out.push({ kind: 'element', tag, children: tag === 'br' ? [] : narrative(el) });
  });
  return out;
}

function section(el: Element): CdaSection {
  const text = childrenNamed(el, 'text')[0];
  return {
    title: childrenNamed(el, 'title')[0]?.textContent?.trim() ?? '',
    narrative: text ? narrative(text) : [],
    sections: childrenNamed(el, 'component').flatMap((c) => childrenNamed(c, 'section')).map(section),
  };
}

/** The readable part of a CDA document, or null if the bytes are not a CDA ClinicalDocument. */
export function readCda(xml: string): CdaDocument | null {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const root = doc.documentElement;
  if (!root || root.localName !== 'ClinicalDocument' || root.namespaceURI !== HL7 || doc.getElementsByTagName('parsererror').length) return null;
  const body = childrenNamed(root, 'component')[0];
  const structured = body ? childrenNamed(body, 'structuredBody')[0] : undefined;
  const sections = structured ? childrenNamed(structured, 'component').flatMap((c) => childrenNamed(c, 'section')).map(section) : [];
  return { title: childrenNamed(root, 'title')[0]?.textContent?.trim() ?? '', sections };
}
