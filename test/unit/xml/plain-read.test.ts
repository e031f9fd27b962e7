// The plain reader (src/xml/plain-read.ts) answers only for text the DOM would read into the same
// tree: checked here on envelopes as clients send them, on the forms it leaves to the DOM, and on
// thousands of envelopes mangled at random (whatever it reads, the DOM reads alike).
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { issueVihf, securityHeader } from '../../../src/auth/vihf-issuer.js';
import { NS, parseScannedXml, scanXmlText, type Element, type Node } from '../../../src/xml/index.js';
import { isPlainElement, readPlainXml } from '../../../src/xml/plain-read.js';
import { hollowed, securitySpan } from '../../../src/xds/soap-security-block.js';
import { XDS_ACTIONS, readSoapHead } from '../../../src/xds/soap.js';
import { seededRandom } from '../../support/seeded-random.js';
import { testSigner } from '../../support/vihf-keys.js';

/** What a reader sees of a tree: names, namespaces, attributes in order, text. */
type Shape = { text: string } | { tag: string; ns: string | null; local: string; attrs: string[][]; children: Shape[] };

function shape(node: Node): Shape {
  if (node.nodeType === 3) return { text: node.nodeValue ?? '' };
  const el = node as Element;
  const attrs: string[][] = [];
  // the plain reader keeps its attributes in an array, xmldom in a NamedNodeMap: both indexable
  const list = el.attributes as unknown as ArrayLike<{ name: string; localName: string; namespaceURI: string | null; value: string }>;
  for (let i = 0; i < list.length; i++) attrs.push([list[i]!.name, list[i]!.localName, String(list[i]!.namespaceURI), list[i]!.value]);
  const children: Shape[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) children.push(shape(n));
  return { tag: el.tagName, ns: el.namespaceURI ?? null, local: el.localName ?? '', attrs, children };
}

/** The DOM's tree of text the scan admitted, or its refusal. */
function domShape(text: string): Shape | Error {
  try {
    return shape(parseScannedXml(text).documentElement!);
  } catch (e) {
    return e as Error;
  }
}

const QUERY =
  `<query:AdhocQueryRequest xmlns:query="${NS.query}" xmlns:rim="${NS.rim}"><query:ResponseOption returnType="ObjectRef"/>` +
  `<rim:AdhocQuery id="urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d">` +
  `<rim:Slot name="$XDSDocumentEntryPatientId"><rim:ValueList><rim:Value>'123456789012345^^^&amp;1.2.250.1.213.1.4.8&amp;ISO'</rim:Value></rim:ValueList></rim:Slot>` +
  `<rim:Slot name="$XDSDocumentEntryStatus"><rim:ValueList><rim:Value>('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')</rim:Value></rim:ValueList></rim:Slot>` +
  `</rim:AdhocQuery></query:AdhocQueryRequest>`;

const SECURITY = securityHeader(
  issueVihf(
    { idNatPs: '899700000001', profession: { code: '10', codeSystem: '1.2.250.1.71.1.2.7' }, structureId: '1', subjectName: 'Anne Martin', mode: 'normal' },
    { ...testSigner('trusted'), validitySeconds: 3600 },
  ),
);

const envelope = (security = SECURITY, body = QUERY) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<env:Envelope xmlns:env="${NS.soap12}" xmlns:wsa="${NS.wsa}">\n  <env:Header><wsa:Action env:mustUnderstand="true">${XDS_ACTIONS['ITI-18']}</wsa:Action>` +
  `<wsa:MessageID>urn:uuid:0b1c2d3e-0000-4000-8000-000000000001</wsa:MessageID><wsa:ReplyTo><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address></wsa:ReplyTo>${security}</env:Header>\n  <env:Body>${body}</env:Body>\n</env:Envelope>\n`;

/** The plain reader's tree of the envelope with its Security content left out, and the DOM's of the hollowed text. */
function bothHollowed(text: string): { plain: Shape | undefined; dom: Shape | Error } {
  const scanned = scanXmlText(text);
  const header = scanned.rootChildren.find((c) => c.name.endsWith('Header'));
  const span = header ? securitySpan(scanned.text, header) : undefined;
  const plain = readPlainXml(scanned.text, span);
  return { plain: plain && shape(plain), dom: domShape(span ? hollowed(scanned.text, span, undefined) : scanned.text) };
}

describe('the plain XML reader', () => {
  it('reads an ITI-18 envelope as clients send it into the tree the DOM makes, the Security block hollowed as the DOM reads it', () => {
    const { plain, dom } = bothHollowed(envelope());
    expect(plain).toBeDefined();
    expect(plain).toEqual(dom);
    // and whole, the signed assertion in it
    const whole = readPlainXml(envelope());
    expect(whole && shape(whole)).toEqual(domShape(envelope()));
  });

  it('reads default namespaces, single quotes, self-closed elements, the five entities, and text beside elements', () => {
    for (const text of [
      `<a xmlns="urn:a"><b c='x &lt; y &amp;&gt;&quot;&apos;'/>text<d xmlns="urn:d">é &amp; ü</d>  </a>`,
      `<?xml version='1.0'?><p:a xmlns:p="urn:p" p:x="1" y="2"><p:b/></p:a>`,
      `<a>\n\t<b  c = "1"/></a>`,
    ]) {
      const plain = readPlainXml(text);
      const dom = domShape(text);
      if (plain) expect(shape(plain)).toEqual(dom);
      else expect(dom).not.toBeInstanceOf(Error);
    }
    expect(readPlainXml(`<a xmlns="urn:a"><b c='x &lt; y'/></a>`)).toBeDefined();
  });

  it('leaves to the DOM every form outside the plain one, and everything the DOM refuses', () => {
    for (const text of [
      '<a><!-- c --></a>',
      '<a><?pi x?></a>',
      '<a><![CDATA[x]]></a>',
      '<a>&#65;</a>',
      '<a>&#1;</a>',
      '<a>x\r\ny</a>',
      '<a>x\u2028y</a>',
      '<a>\u0001</a>',
      '<a>&nbsp;</a>',
      '<a>&amp</a>',
      '<a>]]></a>',
      '<é/>',
      '<p:a/>',
      '<a p:x="1"/>',
      '<a xml:lang="fr"/>',
      '<a x="1" x="2"/>',
      '<a xmlns:p="urn:p" xmlns:q="urn:p" p:x="1" q:x="2"/>',
      '<a xmlns:p=""/>',
      '<a xmlns=""/>',
      '<a x="1\ty"/>',
      '<a x="<"/>',
      '<a x=1/>',
      '<a x="1"y="2"/>',
      '<a></b>',
      '<a></a >',
      '<a>',
      '<a/><b/>',
      'x<a/>',
      '<a/>x',
      '<?xml version="1.1"?><a/>',
      '<?xml version="1.0" standalone="yes"?><a/>',
      '<!DOCTYPE a><a/>',
      '',
    ]) {
      expect([text, readPlainXml(text)]).toEqual([text, undefined]);
    }
  });

  it('leaves to the DOM what the DOM refuses though it looks plain: a reference named as a property of every object, an element named xmlns', () => {
    for (const text of ['<a>&constructor;</a>', '<a x="&constructor;"/>', `<a xmlns:p="&constructor;"><p:b/></a>`, '<xmlns/>', '<a><xmlns>x</xmlns></a>', `<xmlns xmlns="urn:a"/>`]) {
      expect([text, domShape(text)]).toEqual([text, expect.any(Error)]);
      expect([text, readPlainXml(text)]).toEqual([text, undefined]);
    }
  });

  it('never reads a text the DOM would read otherwise, nor one it refuses: documents made at random of names, prefixes, declarations and references', () => {
    // the same 12,000 documents on every run
    const random = seededRandom(2026);
    let mild = false;
    // mild documents take the first few of each list most of the time: many of them are plain
    const pick = <T,>(list: readonly T[]): T => list[Math.floor(random() * (mild && random() < 0.85 ? Math.min(4, list.length) : list.length))]!;
    const names = ['a', 'b', 'Body', 'a.b', 'xmlns', 'xml', 'xmlfoo', 'XML', '_', 'a-b', 'a1', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'lang', 'mustUnderstand'];
    const prefixes = ['', 'p', 'q', '', 'env', 'xml', 'xmlns', 'constructor', '__proto__', 'toString', 'xmlfoo', 'XML', '_'];
    const uris = ['urn:a', 'urn:b', NS.soap12, '', ' ', 'http://www.w3.org/XML/1998/namespace', 'http://www.w3.org/2000/xmlns/', 'urn:&amp;x', '&constructor;', '&lt;', 'constructor'];
    const texts = ['x', ' ', '&amp;', 'é', '\n', '\t', '&lt;', '&gt;', '&quot;', '&apos;', '&constructor;', '&toString;', '&valueof;', '&__proto__;', '&nbsp;', '&#65;', '&#x41;', '>', ']]>', ']]', '\uD800', '\uDC00', '\uD800\uDC00', '\uFEFF', '\u0085', '\u2028', '&', '&amp', '&AMP;', '"', "'", '=', '/', '\r', '\r\n', '\u007F'];
    const spaces = [' ', '  ', '\t', '\n', '\r\n', '\r', ''];
    const declarations = ['', '<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-8"?>\n', "<?xml version='1.0' encoding='utf-8'?>", '<?xml version="1.1"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>', ' <?xml version="1.0"?>', '\uFEFF', '<?xml version="1.0" ?>', '<?xml version="1.0" standalone="yes"?>'];
    const some = (n: number) => {
      let t = '';
      for (let k = Math.floor(random() * n); k > 0; k--) t += pick(texts);
      return t;
    };
    const qname = () => {
      const p = pick(prefixes);
      return p ? `${p}:${pick(names)}` : pick(names);
    };
    const attributes = (root: boolean) => {
      let out = root && mild ? ` xmlns:p="${uris[Math.floor(random() * 3)]}" xmlns:q="${uris[Math.floor(random() * 3)]}"` : '';
      for (let k = Math.floor(random() * 4); k > 0; k--) {
        const quote = random() < 0.8 ? '"' : "'";
        const declared = random() < 0.35;
        const name = declared ? (pick(prefixes) ? `xmlns:${pick(prefixes)}` : 'xmlns') : qname();
        const value = (declared ? pick(uris) : some(3)).split(quote).join('');
        out += (random() < 0.95 ? ' ' : pick(spaces)) + name + (random() < 0.95 ? '=' : `${pick(spaces)}=${pick(spaces)}`) + quote + value + quote;
      }
      return out;
    };
    const element = (depth: number): string => {
      const name = qname();
      const open = `<${name}${attributes(depth === 0)}${random() < 0.9 ? '' : pick(spaces)}`;
      if (depth > 3 || random() < 0.3) return `${open}/>`;
      let inner = '';
      for (let k = Math.floor(random() * 4); k > 0; k--) inner += random() < 0.5 ? some(3) : element(depth + 1);
      return `${open}>${inner}</${random() < 0.97 ? name : qname()}${random() < 0.97 ? '' : pick(spaces)}>`;
    };
    let read = 0;
    for (let n = 0; n < 12_000; n++) {
      mild = random() < 0.7;
      let text = pick(declarations) + (random() < 0.2 ? pick(spaces) : '') + element(0) + (random() < 0.2 ? pick([...spaces, 'x', '<a/>', '<!--c-->']) : '');
      for (let k = mild && random() < 0.6 ? 0 : Math.floor(random() * 3); k > 0; k--) {
        const at = Math.floor(random() * (text.length + 1));
        text = random() < 0.5 ? text.slice(0, at) + pick([...texts, '<', '</', '/>', ' x="1"', ' xmlns=""', ' xmlns:p="urn:a"', ':', 'p:']) + text.slice(at) : text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 3));
      }
      const plain = readPlainXml(text);
      if (!plain) continue;
      read++;
      expect([text, shape(plain)]).toEqual([text, domShape(text)]);
    }
    // the property is not empty
    expect(read).toBeGreaterThan(1500);
  });

  it('never reads a text the DOM would read otherwise, nor one it refuses: envelopes mangled at random', () => {
    const base = envelope();
    const pieces = ['<', '>', '/', '&', '&amp;', '&lt;', '&#38;', '&x;', '"', "'", '=', ' ', '\t', '\n', '\r', ':', 'a', 'é', '\u0001', 'xmlns:a="urn:a"', ' a:b="1"', ' xmlns="urn:d"', ' xmlns:wsa=""', '</a>', '<a>', '<a/>', '<!--x-->', '<?p?>', ']]>', '<![CDATA[x]]>', 'xml:lang="fr"', '</env:Body>', '<env:Body>', '</wsse:Security>'];
    let read = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...pieces), fc.constant('')), fc.nat({ max: 12 })), { minLength: 1, maxLength: 3 }),
        (edits) => {
          let text = base;
          for (const [at, insert, cut] of edits) {
            const i = at % (text.length + 1);
            text = text.slice(0, i) + insert + text.slice(i + (insert ? 0 : cut));
          }
          let outcome;
          try {
            outcome = bothHollowed(text);
          } catch {
            return; // refused by the scan, which runs before either reader
          }
          if (outcome.plain === undefined) return;
          read++;
          expect(outcome.dom).not.toBeInstanceOf(Error);
          expect(outcome.plain).toEqual(outcome.dom);
        },
      ),
      { numRuns: 3000, seed: 13 },
    );
    // the property is not empty: most of the mangled envelopes are still plain (a changed text, a name)
    expect(read).toBeGreaterThan(300);
  });

  it('only a stored query\'s Body is read plainly, and handed plainly only to a reader that asks: every other Body is the DOM\'s, as before', () => {
    const query = readSoapHead(envelope());
    expect(isPlainElement(query.readBody(true))).toBe(true);
    expect(isPlainElement(query.readBody())).toBe(false);
    const other = readSoapHead(envelope(SECURITY, `<lcm:SubmitObjectsRequest xmlns:lcm="${NS.lcm}"/>`));
    expect(isPlainElement(other.readBody(true))).toBe(false);
    expect(other.readBody(true).localName).toBe('SubmitObjectsRequest');
  });

  it('a SOAP head read plainly hands the ITI-18 reader the Body the DOM reads, or the same refusal', () => {
    const base = envelope(SECURITY);
    const pieces = ['<', '&', '&#38;', '"', ' x="1"', ' xmlns:rim="urn:other"', '<rim:Slot name="x"/>', '<!--c-->', 'é', '</rim:Value>'];
    fc.assert(
      fc.property(fc.nat(), fc.constantFrom(...pieces), (at, insert) => {
        const start = base.indexOf('<env:Body>');
        const i = start + (at % (base.length - start));
        const text = base.slice(0, i) + insert + base.slice(i);
        const result = (plain: boolean) => {
          try {
            return shape(readSoapHead(text).readBody(plain));
          } catch (e) {
            return (e as Error).message;
          }
        };
        expect(result(true)).toEqual(result(false));
      }),
      { numRuns: 400, seed: 13 },
    );
  });
});
