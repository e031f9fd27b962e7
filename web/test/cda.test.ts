// @vitest-environment happy-dom
// (the reader parses with the browser's DOMParser)
// A CDA document's narrative is read into a tree of allowed elements only: nothing of the
// document (scripts, handlers, links, styles) survives to be run or rendered as HTML.
import { describe, expect, it } from 'vitest';
import { readCda, type NarrativeNode } from '../src/viewer/cda';

const doc = `<?xml version="1.0"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:x="http://www.w3.org/1999/xhtml">
  <title>Compte rendu</title>
  <component><structuredBody>
    <component><section><title>Motif</title>
      <text><paragraph onclick="steal()" style="color:red">Douleur <content styleCode="Bold">thoracique</content><br/>depuis hier</paragraph>
        <x:script>steal()</x:script><linkHtml href="javascript:steal()">lien</linkHtml>
        <list listType="ordered"><item>un</item></list></text>
      <component><section><title>Détail</title><text><table><tbody><tr><td>a</td></tr></tbody></table></text></section></component>
    </section></component>
  </structuredBody></component>
</ClinicalDocument>`;

const tags = (nodes: NarrativeNode[]): string[] => nodes.flatMap((n) => (n.kind === 'element' ? [n.tag, ...tags(n.children)] : []));
const text = (nodes: NarrativeNode[]): string => nodes.map((n) => (n.kind === 'text' ? n.text : text(n.children))).join('');

describe('reading a CDA narrative', () => {
  it('keeps titles, sections and the allowed narrative elements, with their text only', () => {
    const cda = readCda(doc)!;
    expect(cda.title).toBe('Compte rendu');
    const [motif] = cda.sections;
    expect(motif.title).toBe('Motif');
    expect(tags(motif.narrative)).toEqual(['p', 'span', 'br', 'ol', 'li']);
    expect(text(motif.narrative)).toContain('Douleur thoracique');
    expect(text(motif.narrative)).toContain('lien');
    expect(motif.sections[0].title).toBe('Détail');
    expect(tags(motif.sections[0].narrative)).toEqual(['table', 'tbody', 'tr', 'td']);
  });

  it('drops foreign elements (an XHTML script) and carries no attribute at all', () => {
    const cda = readCda(doc)!;
    const all = JSON.stringify(cda);
    expect(all).not.toContain('steal');
    expect(all).not.toContain('onclick');
    expect(all).not.toContain('javascript');
  });

  it('anything that is not a CDA ClinicalDocument is refused', () => {
    expect(readCda('<html><script>x()</script></html>')).toBeNull();
    expect(readCda('not xml at all <')).toBeNull();
  });
});
