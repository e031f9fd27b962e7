// The XML limits are met in one pass over the text, before a tree exists: each one is named in
// the refusal, and what stays within them parses as before.
import { describe, expect, it } from '@jest/globals';
import { InputLimitError } from '../../../src/domain/input-limits.js';
import { DEFAULT_XML_LIMITS, XmlParseError, XmlScanner, decodeUtf8, parseXml, scanXml, scanXmlText, scanXmlTextInSlices, textOf, type XmlLimits } from '../../../src/xml/index.js';

const small: XmlLimits = { maxBytes: 10_000, maxDepth: 5, maxElements: 20, maxAttributes: 3, maxTextLength: 50 };

function limitOf(xml: string, limits = small): string | undefined {
  try {
    scanXml(xml, limits);
    return undefined;
  } catch (e) {
    if (e instanceof InputLimitError) return e.limit;
    throw e;
  }
}

describe('scanXml', () => {
  it('fed in chunks cut anywhere, finds exactly what one pass over the whole text finds', () => {
    const documents = [
      '<?xml version="1.0"?><r a="1" b=\'x>y\'><!-- c <x> --><h><x/><![CDATA[<y></y>]]></h> text <b k="v"/></r>',
      '<r><!-- unterminated',
      '<r><![CDATA[' + 'a'.repeat(60) + ']]></r>',
      '<r>' + '<a>'.repeat(6) + '</a>'.repeat(6) + '</r>',
      '<r>' + '<e/>'.repeat(25) + '</r>',
      '<r><e a="1" b="2" c="3" d="4"/></r>',
      '<r>' + 't'.repeat(51) + '</r>',
      '<!DOCTYPE r><r/>',
      '<r><!ELEMENT x></r>',
      '<r x="1"  />',
      '<r x="1" / ></r>',
      '<r></r></r>',
    ];
    const outcome = (f: () => unknown) => {
      try {
        return JSON.stringify(f());
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
    };
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (const doc of documents) {
      const whole = outcome(() => scanXml(doc, small));
      for (let trial = 0; trial < 40; trial++) {
        const chunked = outcome(() => {
          const scanner = new XmlScanner(small);
          let at = 0;
          while (at < doc.length) {
            const size = 1 + Math.floor(random() * (trial < 10 ? 3 : 12));
            scanner.feed(doc.slice(at, at + size));
            at += size;
          }
          return scanner.end();
        });
        expect(`${doc} -> ${chunked}`).toBe(`${doc} -> ${whole}`);
      }
    }
  });

  it('fed in small chunks, does not read an unfinished construct again at every chunk (a long comment, name or value costs linear time)', () => {
    const fill = 'a'.repeat(4_000_000);
    const documents = {
      comment: `<r><!--${fill}--></r>`,
      name: `<r><e${fill}/></r>`,
      attribute: `<r><e a="${fill.slice(0, 3_000_000)}"/></r>`,
      instruction: `<r><?p ${fill}?></r>`,
    };
    const cost: Record<string, number> = {};
    for (const [what, doc] of Object.entries(documents)) {
      const scanner = new XmlScanner(DEFAULT_XML_LIMITS);
      for (let at = 0; at < doc.length; at += 1024) scanner.feed(doc.slice(at, at + 1024));
      scanner.end();
      cost[what] = Math.ceil(scanner.charactersWalked / doc.length);
    }
    // read again at every chunk, each walked about 2,000 times its length (4,000 chunks, 2 MB on average)
    for (const what of Object.keys(documents)) expect(`${what}: ${cost[what]! <= 3 ? 'linear' : `${cost[what]} times its length`}`).toBe(`${what}: linear`);
  });

  it('fed in chunks, still refuses a CDATA section at the chunk that makes it longer than the limit', () => {
    const scanner = new XmlScanner(small);
    scanner.feed('<r><![CDATA[');
    for (let i = 0; i < small.maxTextLength; i++) scanner.feed('x');
    expect(() => scanner.feed('x')).toThrow(/longer than 50 characters/);
  });

  it("names the root's children with where they start and end and how many elements each holds", () => {
    const xml = '<r><a:h xmlns:a="urn:a"><x/><y>t</y></a:h> <b/><c>z</c></r>';
    const children = scanXml(xml, small);
    expect(children.map((c) => ({ name: c.name, text: xml.slice(c.start, c.end), elements: c.elements }))).toEqual([
      { name: 'a:h', text: '<a:h xmlns:a="urn:a"><x/><y>t</y></a:h>', elements: 3 },
      { name: 'b', text: '<b/>', elements: 1 },
      { name: 'c', text: '<c>z</c>', elements: 1 },
    ]);
  });

  it('names each limit it meets', () => {
    expect(limitOf('<a>'.repeat(6) + '</a>'.repeat(6))).toBe('CARNET_XML_MAX_DEPTH');
    expect(limitOf('<a>' + '<b/>'.repeat(20) + '</a>')).toBe('CARNET_XML_MAX_ELEMENTS');
    expect(limitOf('<a w="1" x="2" y="3" z="4"/>')).toBe('CARNET_XML_MAX_ATTRIBUTES');
    expect(limitOf(`<a>${'x'.repeat(51)}</a>`)).toBe('CARNET_XML_MAX_TEXT_LENGTH');
    expect(limitOf(`<a x="${'x'.repeat(51)}"/>`)).toBe('CARNET_XML_MAX_TEXT_LENGTH');
    expect(limitOf(`<a><![CDATA[${'x'.repeat(51)}]]></a>`)).toBe('CARNET_XML_MAX_TEXT_LENGTH');
  });

  it('lets through what stays within the limits, self-closing elements leaving the depth as it was', () => {
    expect(limitOf('<a>' + '<b/>'.repeat(10) + '<c><d><e><f/></e></d></c></a>')).toBeUndefined();
    expect(limitOf(`<a x='1' y="2">${'x'.repeat(50)}<!-- <b><b><b><b><b><b> --></a>`)).toBeUndefined();
  });

  it('does not count a > inside an attribute value as the end of the tag', () => {
    expect(limitOf('<a x="<b><b><b><b><b><b>"/>')).toBeUndefined();
  });

  it('refuses document type declarations, whatever their case or place', () => {
    expect(() => scanXml('<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>', small)).toThrow(XmlParseError);
    expect(() => scanXml('<a><!ENTITY x "y"></a>', small)).toThrow(/DOCTYPE/);
    expect(() => scanXml('<?xml version="1.0"?><!doctype a><a/>', small)).toThrow(/DOCTYPE/);
  });

  it('meets a deep nesting in milliseconds instead of building it', () => {
    const deep = '<a>'.repeat(200_000) + '</a>'.repeat(200_000);
    expect(() => parseXml(deep)).toThrow(InputLimitError);
  });
});

describe('parseXml', () => {
  it('accepts a leading byte order mark', () => {
    expect(textOf(parseXml('\ufeff<?xml version="1.0" encoding="UTF-8"?><a>ok</a>').documentElement)).toBe('ok');
  });

  it('refuses more bytes than the limit before scanning', () => {
    expect(() => parseXml(`<a>${'x'.repeat(100)}</a>`, { ...DEFAULT_XML_LIMITS, maxBytes: 50 })).toThrow(/CARNET_XML_MAX_BYTES/);
  });

  it('reads the text of a nesting as deep as the limit allows without recursion', () => {
    const depth = DEFAULT_XML_LIMITS.maxDepth;
    const doc = parseXml('<a>'.repeat(depth) + 'deep' + '</a>'.repeat(depth));
    expect(textOf(doc.documentElement)).toBe('deep');
  });
});

describe('decodeUtf8', () => {
  it('refuses invalid UTF-8 instead of replacing it', () => {
    expect(() => decodeUtf8(Buffer.from([0x3c, 0x61, 0x3e, 0xc3, 0x28, 0x3c, 0x2f, 0x61, 0x3e]))).toThrow(/not valid UTF-8/);
  });

  it('drops a leading byte order mark', () => {
    expect(decodeUtf8(Buffer.from([0xef, 0xbb, 0xbf, 0x3c, 0x61, 0x2f, 0x3e]))).toBe('<a/>');
  });
});

describe('an envelope that arrived whole is scanned in slices (issue 11: the event loop stays free)', () => {
  const big = { ...DEFAULT_XML_LIMITS, maxBytes: 4 * 1024 * 1024, maxTextLength: 4 * 1024 * 1024, maxElements: 200_000 };
  // Text around every slice boundary holds characters of 2, 3 and 4 UTF-8 bytes (a surrogate pair).
  const text = `<a x="é">${'<b>été 𝄞 ok</b>'.repeat(60_000)}<c>${'𝄞'.repeat(200_000)}</c></a>`;

  it('finds what the whole scan finds, and gives the loop back between slices', async () => {
    let turns = 0;
    let scanning = true;
    const turn = (): void => {
      if (!scanning) return;
      turns++;
      setImmediate(turn);
    };
    setImmediate(turn);
    const sliced = await scanXmlTextInSlices(text, big);
    scanning = false;
    const whole = scanXmlText(text, big);
    expect(sliced.elements).toBe(whole.elements);
    expect(sliced.rootChildren).toEqual(whole.rootChildren);
    expect(sliced.text).toBe(whole.text);
    expect(turns).toBeGreaterThanOrEqual(Math.floor(text.length / (256 * 1024)) - 1);
  });

  it('refuses at the same limit as the whole scan', async () => {
    const over = { ...big, maxElements: 30_000 };
    await expect(scanXmlTextInSlices(text, over)).rejects.toMatchObject({ limit: 'CARNET_XML_MAX_ELEMENTS' });
    expect(() => scanXmlText(text, over)).toThrow(InputLimitError);
  });
});
