// A DOM parsed in slices (src/xml/sliced-parse.ts) is the DOM of the whole text, and text that is
// not well-formed is refused as a parse of the whole refuses it.
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_XML_LIMITS, parseScannedXml, parseScannedXmlInSlices, scanXmlText, selfAndDescendants, serializeXml, XmlParseError, type Document, type Node, type SliceCost } from '../../../src/xml/index.js';

/** The text, and each element's namespace and name in document order (what the serialization could write alike). */
function shape(doc: Document): string {
  return serializeXml(doc) + '\n' + selfAndDescendants(doc.documentElement!).map((e) => `${e.namespaceURI}|${e.localName}`).join(' ');
}

async function both(xml: string, slice: number): Promise<{ whole: string; sliced: string }> {
  const scanned = scanXmlText(xml, DEFAULT_XML_LIMITS);
  const whole = shape(parseScannedXml(scanned.text));
  const sliced = shape(await parseScannedXmlInSlices(scanned.text, scanned.elements, DEFAULT_XML_LIMITS, slice));
  return { whole, sliced };
}

const values = (n: number) => Array.from({ length: n }, (_, i) => `<rim:Value>v${i} &amp; &lt;${i}&gt;</rim:Value>`).join('\n  ');

const TEXTS: Array<[string, string]> = [
  ['a query of many values, prefixes declared above', `<?xml version="1.0"?><!-- c --><env:Envelope xmlns:env="urn:env"><env:Body><q:Req xmlns:q="urn:q" xmlns:rim="urn:rim"><rim:Slot name="a"><rim:ValueList>\n  ${values(40)}\n</rim:ValueList></rim:Slot></q:Req></env:Body></env:Envelope>\n`],
  ['a default namespace redeclared below, attributes with > in them', `<a xmlns="urn:a" x="1>2">${Array.from({ length: 30 }, (_, i) => `<b n='${i}'><c xmlns="urn:c" y="a&gt;b">t${i}</c><d/></b>`).join('')}</a>`],
  ['mixed content, comments, CDATA and PIs between children', `<r>text<x>1</x><!-- between --><x><![CDATA[<raw>]]></x><?pi data?>tail${'<x><y/></x>'.repeat(20)} end</r>`],
  ['a chain of large elements', `<a><b><c><d>${'<e><f/><g>h</g></e>'.repeat(25)}</d></c></b></a>`],
  ['a comment, a PI and spaces after the root', `<a>${'<i/>'.repeat(30)}</a><!-- after --><?pi after?>\n`],
  ['large siblings beside small ones', `<a><s/>${'<big>' + '<i/>'.repeat(30) + '</big>'}<s>x</s>${'<big>' + '<i/>'.repeat(30) + '</big>'}</a>`],
];

describe('parseScannedXmlInSlices', () => {
  it.each(TEXTS)('gives the DOM of the whole text: %s', async (_name, xml) => {
    for (const slice of [1, 3, 7, 1000]) {
      const { whole, sliced } = await both(xml, slice);
      expect(sliced).toBe(whole);
    }
  });

  // A node taken out of a slice's parse made xmldom renumber all the nodes left there: quadratic
  // in the nodes of a slice, which are not all elements (40,000 comments took 9.5 s).
  it('relies on a counter xmldom still keeps: a document made by the parser has a numeric _inc (an upgrade that drops it makes moving a slice quadratic again)', () => {
    const doc = parseScannedXml('<a><b/><c/></a>') as unknown as { _inc?: unknown };
    expect(typeof doc._inc).toBe('number');
  });

  it('gives the DOM of the whole text for a slice of 100,000 comments, each child list as its links say', async () => {
    const xml = `<a>${'<i/>'.repeat(10)}${'<!---->'.repeat(100_000)}<i/></a>`;
    const { whole, sliced } = await both(xml, 5);
    expect(sliced).toBe(whole);
    const scanned = scanXmlText(xml, DEFAULT_XML_LIMITS);
    const root = (await parseScannedXmlInSlices(scanned.text, scanned.elements, DEFAULT_XML_LIMITS, 5)).documentElement!;
    const linked: Node[] = [];
    for (let c = root.firstChild; c; c = c.nextSibling) linked.push(c);
    expect(root.childNodes.length).toBe(linked.length);
    expect(linked.every((c, i) => root.childNodes.item(i) === c)).toBe(true);
  });

  it.each([
    ['a large element closed by another name', `<a><b>${'<i/>'.repeat(30)}</c></a>`],
    ['the root closed by another name', `<a>${'<i/>'.repeat(30)}</z>`],
    ['a group whose tags do not match', `<a>${'<i/>'.repeat(30)}<j></k></a>`],
    ['a prefix declared nowhere', `<a>${'<i/>'.repeat(30)}<p:x/></a>`],
    // U+1680 and U+FEFF are white space to JavaScript's \s and name characters to XML
    ['a large element closed by its name and U+1680', `<a><b>${'<i/>'.repeat(30)}</b\u1680></a>`],
    ['the root closed by its name and U+FEFF', `<a>${'<i/>'.repeat(30)}</a\ufeff>`],
  ])('refuses what a parse of the whole refuses: %s', async (_name, xml) => {
    const scanned = scanXmlText(xml, DEFAULT_XML_LIMITS);
    expect(() => parseScannedXml(scanned.text)).toThrow(XmlParseError);
    await expect(parseScannedXmlInSlices(scanned.text, scanned.elements, DEFAULT_XML_LIMITS, 5)).rejects.toThrow(XmlParseError);
  });

  // Each slice is parsed inside its ancestors' start tags, and each element taken apart is
  // scanned again: a large start tag, or a deep chain of large elements, multiplied the parse.
  it.each([
    ['a root start tag of 100,000 characters', `<a k="${'x'.repeat(100_000)}">${'<i/>'.repeat(30)}</a>`],
    ['a chain of 60 large elements, each start tag of 1,000 characters', `<a k="${'x'.repeat(1000)}">`.repeat(60) + '<i/>'.repeat(30) + '</a>'.repeat(60)],
  ])('parses no more than twice the text, wrappers included: %s', async (_name, xml) => {
    const scanned = scanXmlText(xml, DEFAULT_XML_LIMITS);
    const cost: SliceCost = { charactersParsed: 0 };
    const sliced = shape(await parseScannedXmlInSlices(scanned.text, scanned.elements, DEFAULT_XML_LIMITS, 5, cost));
    expect(sliced).toBe(shape(parseScannedXml(scanned.text)));
    expect(cost.charactersParsed).toBeLessThanOrEqual(2 * xml.length);
  });
});
