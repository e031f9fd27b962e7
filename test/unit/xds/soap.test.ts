import { describe, expect, it } from '@jest/globals';
import { XDS_ACTIONS, effectiveAction, parseSoapEnvelope, readSoapHead, responseAction, transactionForAction } from '../../../src/xds/soap.js';
import { buildSoapEnvelope, buildSoapFault, faultFor } from '../../../src/xds/soap-write.js';
import { readSoapPayload } from '../../../src/xds/mtom.js';
import { XdsWireError } from '../../../src/xds/wire-error.js';
import { NS, attr, descendants, parseXml, textOf } from '../../../src/xml/index.js';

const ENV = (header: string, body = '<q:AdhocQueryRequest xmlns:q="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"/>') =>
  `<s:Envelope xmlns:s="${NS.soap12}" xmlns:a="${NS.wsa}"><s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;

describe('parseSoapEnvelope', () => {
  it('accepts a UTF-8 byte order mark before the XML declaration (XML 1.0 allows one)', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>${ENV(`<a:Action>${XDS_ACTIONS['ITI-18']}</a:Action>`)}`)]);
    const payload = readSoapPayload(bytes, 'application/soap+xml; charset=UTF-8');
    expect(parseSoapEnvelope(payload.envelope).header.action).toBe(XDS_ACTIONS['ITI-18']);
  });

  it('refuses invalid UTF-8 instead of storing U+FFFD', () => {
    const bytes = Buffer.concat([Buffer.from(ENV('<a:Action>x').slice(0, 60)), Buffer.from([0xc3, 0x28]), Buffer.from(ENV('').slice(60))]);
    expect(() => readSoapPayload(bytes, 'application/soap+xml')).toThrow(/not valid UTF-8/);
  });

  it('answers the XML limits with a 413 Fault naming the limit, 20,000-deep text readers included', () => {
    const deep = '<x>'.repeat(20_000) + 'urn:x' + '</x>'.repeat(20_000);
    const fault = (() => {
      try {
        parseSoapEnvelope(ENV(`<a:Action>${deep}</a:Action>`));
      } catch (e) {
        return e as XdsWireError;
      }
      return undefined;
    })();
    expect({ status: fault?.status, message: fault?.message }).toEqual({ status: 413, message: 'XML elements are nested deeper than 64 (CARNET_XML_MAX_DEPTH)' });
    expect(() => readSoapPayload(Buffer.from(ENV('')), 'application/soap+xml', { maxEnvelopeBytes: 100, maxParts: 10 })).toThrow(/larger than 100 bytes \(CARNET_XML_MAX_BYTES\)/);
  });

  it('reads WS-Addressing headers and keeps wsse:Security', () => {
    const r = parseSoapEnvelope(
      ENV(
        `<a:Action s:mustUnderstand="true">${XDS_ACTIONS['ITI-18']}</a:Action><a:MessageID>urn:uuid:m1</a:MessageID><a:To>http://x</a:To>` +
          `<a:ReplyTo><a:Address>http://www.w3.org/2005/08/addressing/anonymous</a:Address></a:ReplyTo>` +
          `<wsse:Security xmlns:wsse="${NS.wsse}" s:mustUnderstand="true"><t/></wsse:Security>`,
      ),
    );
    expect(r.header).toEqual({ action: XDS_ACTIONS['ITI-18'], messageId: 'urn:uuid:m1', to: 'http://x', replyTo: 'http://www.w3.org/2005/08/addressing/anonymous' });
    expect(r.security?.localName).toBe('Security');
    expect(r.body.localName).toBe('AdhocQueryRequest');
    expect(transactionForAction(r.header.action)).toBe('ITI-18');
  });

  it('refuses SOAP 1.1, non-envelopes, unknown mustUnderstand headers, empty bodies, DOCTYPE', () => {
    const f = (xml: string) => {
      try {
        parseSoapEnvelope(xml);
      } catch (e) {
        return e instanceof XdsWireError ? e.faultCode : 'other';
      }
      return 'ok';
    };
    expect(f('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><x/></s:Body></s:Envelope>')).toBe('VersionMismatch');
    // SOAP 1.2 Part 1 §5.4.7: any root other than the SOAP 1.2 Envelope is a VersionMismatch
    expect(f('<x/>')).toBe('VersionMismatch');
    expect(f(ENV('<h:X xmlns:h="urn:h" s:mustUnderstand="true"/>'))).toBe('MustUnderstand');
    // an xs:boolean's white space collapses: a block its sender needs understood is not ignored
    expect(f(ENV('<h:X xmlns:h="urn:h" s:mustUnderstand=" true "/>'))).toBe('MustUnderstand');
    expect(f(ENV('<h:X xmlns:h="urn:h" s:mustUnderstand="\t1\n"/>'))).toBe('MustUnderstand');
    expect(f(ENV('<h:X xmlns:h="urn:h" s:mustUnderstand=" false"/>'))).toBe('ok');
    // nor is a value outside the boolean's words read as false
    expect(f(ENV('<h:X xmlns:h="urn:h" s:mustUnderstand="TRUE"/>'))).toBe('Sender');
    expect(f(ENV('<h:X xmlns:h="urn:h" s:mustUnderstand="yes"/>'))).toBe('Sender');
    expect(f(ENV('', ''))).toBe('Sender');
    expect(f('<!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + ENV(''))).toBe('Sender');
  });

  it('reads the Header alone before identity: a Body that is not even well-formed is read only by readBody()', () => {
    const head = readSoapHead(ENV(`<a:Action>${XDS_ACTIONS['ITI-18']}</a:Action>`, '<q:x xmlns:q="urn:q"><a></b></q:x>'));
    expect(head.header.action).toBe(XDS_ACTIONS['ITI-18']);
    expect(() => head.readBody()).toThrow(/malformed XML/);
    const ok = readSoapHead(ENV('<a:Action>x</a:Action>'));
    expect(ok.readBody().localName).toBe('AdhocQueryRequest');
  });

  it('reads a Body as small as a Header with the Header (one tree), a larger one apart: the same Body either way, and a Body the parser refuses refused only by readBody()', () => {
    const query = (n: number) => `<q:AdhocQueryRequest xmlns:q="urn:q">${'<q:Slot/>'.repeat(n)}</q:AdhocQueryRequest>`;
    for (const n of [1, 200]) {
      const body = readSoapHead(ENV('<a:Action>x</a:Action>', query(n)), undefined, 50).readBody();
      expect([body.localName, body.namespaceURI, body.childNodes.length]).toEqual(['AdhocQueryRequest', 'urn:q', n]);
    }
    // one element of few children but much text (an inline document's base64): read apart, the same Body
    const text = 'QUJD'.repeat(40_000);
    const big = readSoapHead(ENV('<a:Action>x</a:Action>', `<d:Document xmlns:d="urn:d">${text}</d:Document>`), undefined, 50).readBody();
    expect([big.localName, big.textContent?.length]).toEqual(['Document', text.length]);
    // well-formed to the scan, refused by the parser: an undeclared prefix, a repeated attribute
    for (const bad of ['<u:x/>', '<x a="1" a="2"/>']) {
      const head = readSoapHead(ENV(`<a:Action>${XDS_ACTIONS['ITI-18']}</a:Action>`, bad));
      expect(head.header.action).toBe(XDS_ACTIONS['ITI-18']);
      expect(() => head.readBody()).toThrow(/malformed XML/);
    }
    // a Body of another namespace is no SOAP 1.2 Body, when read as before
    const other = readSoapHead(`<s:Envelope xmlns:s="${NS.soap12}"><s:Header/><o:Body xmlns:o="urn:o"><x/></o:Body></s:Envelope>`);
    expect(() => other.readBody()).toThrow('SOAP envelope without a Body');
  });

  it('hands the Security block over by its text in its namespace context, and parses it whole only when asked', () => {
    const block = `<wsse:Security xmlns:wsse="${NS.wsse}" s:mustUnderstand="true"><t:Token xmlns:t="urn:t">one</t:Token></wsse:Security>`;
    const head = readSoapHead(ENV(`<a:Action>${XDS_ACTIONS['ITI-18']}</a:Action>${block}`));
    expect(head.security?.context).toEqual([`<s:Envelope xmlns:s="${NS.soap12}" xmlns:a="${NS.wsa}"><s:Header>`, block]);
    expect(textOf(head.security!.element())).toBe('one');
    // a namespace the Envelope declares is part of what the block means
    expect(readSoapHead(ENV(block).replace('<s:Envelope ', '<s:Envelope xmlns:t="urn:other" ')).security?.context?.[0]).toContain('xmlns:t="urn:other"');
    // content that is not well-formed is refused when read, with the Sender fault a whole read gives
    const broken = readSoapHead(ENV(`<wsse:Security xmlns:wsse="${NS.wsse}"><a></b></wsse:Security>`));
    expect(() => broken.security!.element()).toThrow(XdsWireError);
    expect(() => parseSoapEnvelope(ENV(`<wsse:Security xmlns:wsse="${NS.wsse}"><a></b></wsse:Security>`))).toThrow(/malformed XML/);
    // two blocks named Security: the Header is read whole, and the one wsse:Security is not remembered by its text
    const two = readSoapHead(ENV(`${block}<o:Security xmlns:o="urn:o"/>`));
    expect(two.security?.context).toBeUndefined();
    expect(two.security!.element().localName).toBe('Security');
    expect(() => readSoapHead(ENV(`${block}${block}`))).toThrow(/more than one wsse:Security header/);
  });

  it('refuses a Header past CARNET_SOAP_MAX_HEADER_ELEMENTS with a 413 Fault, whatever the Body holds', () => {
    const security = `<wsse:Security xmlns:wsse="${NS.wsse}">${'<x/>'.repeat(60)}</wsse:Security>`;
    const refused = (() => {
      try {
        readSoapHead(ENV(security), undefined, 50);
      } catch (e) {
        return e as XdsWireError;
      }
      return undefined;
    })();
    expect({ status: refused?.status, message: refused?.message }).toEqual({ status: 413, message: 'the SOAP Header holds more elements than 50 (CARNET_SOAP_MAX_HEADER_ELEMENTS)' });
    // the same elements in the Body are the Body's business (bounded by the XML limits only)
    expect(readSoapHead(ENV('<a:Action>x</a:Action>', `<q:x xmlns:q="urn:q">${'<y/>'.repeat(60)}</q:x>`), undefined, 50).readBody().childNodes.length).toBe(60);
  });

  it('counts as the Header every element outside the Body: after it, in a second Body, in a decoy Header of another namespace', () => {
    const action = `<a:Action>${XDS_ACTIONS['ITI-18']}</a:Action>`;
    const bulk = `<q:x xmlns:q="urn:q">${'<y/>'.repeat(60)}</q:x>`;
    const query = '<q:AdhocQueryRequest xmlns:q="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"/>';
    const envelopes = {
      'elements after the Body': ENV(action).replace('</s:Envelope>', `${bulk}</s:Envelope>`),
      'a second Body': ENV(action).replace('</s:Envelope>', `<s:Body>${bulk}</s:Body></s:Envelope>`),
      'a decoy Header first': `<s:Envelope xmlns:s="${NS.soap12}" xmlns:a="${NS.wsa}"><o:Header xmlns:o="urn:o"/><s:Header>${action}${bulk}</s:Header><s:Body>${query}</s:Body></s:Envelope>`,
      'a Body named first in another namespace': `<s:Envelope xmlns:s="${NS.soap12}" xmlns:a="${NS.wsa}"><s:Header>${action}</s:Header><o:Body xmlns:o="urn:o"/><s:Body>${bulk}</s:Body></s:Envelope>`,
    };
    const refusal = (xml: string) => {
      try {
        readSoapHead(xml, undefined, 50);
      } catch (e) {
        return e instanceof XdsWireError ? `${e.status} ${e.message}` : String(e);
      }
      return 'read';
    };
    for (const [what, xml] of Object.entries(envelopes)) {
      expect(`${what}: ${refusal(xml)}`).toBe(`${what}: 413 the SOAP Envelope holds more elements outside its Body than 50 (CARNET_SOAP_MAX_HEADER_ELEMENTS)`);
    }
  });

  it('refuses an Envelope that is not an optional Header then one Body (Body first, two Headers, two Bodies, anything else)', () => {
    const action = `<a:Action>${XDS_ACTIONS['ITI-18']}</a:Action>`;
    const query = '<q:AdhocQueryRequest xmlns:q="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"/>';
    const open = `<s:Envelope xmlns:s="${NS.soap12}" xmlns:a="${NS.wsa}">`;
    const envelopes = [
      `${open}<s:Body>${query}</s:Body><s:Header>${action}</s:Header></s:Envelope>`,
      `${open}<s:Header>${action}</s:Header><s:Header/><s:Body>${query}</s:Body></s:Envelope>`,
      `${open}<s:Header>${action}</s:Header><s:Body>${query}</s:Body><s:Body><evil/></s:Body></s:Envelope>`,
      `${open}<s:Header>${action}</s:Header><s:Body>${query}</s:Body><x/></s:Envelope>`,
      `${open}<o:Header xmlns:o="urn:o">${action}</o:Header><s:Body>${query}</s:Body></s:Envelope>`,
      `${open}<s:Header>${action}</s:Header></s:Envelope>`,
    ];
    const refusal = (xml: string) => {
      try {
        readSoapHead(xml);
      } catch (e) {
        return e instanceof XdsWireError ? `${e.faultCode} ${e.message}` : String(e);
      }
      return 'read';
    };
    expect(envelopes.map(refusal)).toEqual([
      ...Array(5).fill('Sender a SOAP Envelope holds an optional Header then one Body, and no other element'),
      'Sender SOAP envelope without a Body',
    ]);
    // a default namespace or any prefix is still the SOAP 1.2 envelope
    const plain = `<Envelope xmlns="${NS.soap12}"><Header><a:Action xmlns:a="${NS.wsa}">${XDS_ACTIONS['ITI-18']}</a:Action></Header><Body>${query}</Body></Envelope>`;
    expect(readSoapHead(plain).readBody().localName).toBe('AdhocQueryRequest');
  });

  it('effectiveAction: header or Content-Type, and they must agree', () => {
    expect(effectiveAction({}, XDS_ACTIONS['ITI-41'])).toBe(XDS_ACTIONS['ITI-41']);
    expect(() => effectiveAction({})).toThrow(XdsWireError);
    expect(() => effectiveAction({ action: XDS_ACTIONS['ITI-41'] }, XDS_ACTIONS['ITI-18'])).toThrow(/differ/);
  });
});

describe('responses and faults', () => {
  it('response carries the response action and RelatesTo', () => {
    const doc = parseXml(buildSoapEnvelope({ action: responseAction(XDS_ACTIONS['ITI-41']), relatesTo: 'urn:uuid:m1', bodyXml: '<r/>' }));
    expect(textOf(descendants(doc, NS.wsa, 'Action')[0])).toBe('urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse');
    expect(textOf(descendants(doc, NS.wsa, 'RelatesTo')[0])).toBe('urn:uuid:m1');
    expect(textOf(descendants(doc, NS.wsa, 'MessageID')[0])).toMatch(/^urn:uuid:/);
  });

  it('fault with a wsse subcode', () => {
    const doc = parseXml(buildSoapFault({ code: 'Sender', subcode: 'wsse:InvalidSecurity', reason: 'no assertion', relatesTo: 'urn:uuid:m1' }));
    const values = descendants(doc, NS.soap12, 'Value').map((v) => textOf(v));
    expect(values).toEqual(['env:Sender', 'wsse:InvalidSecurity']);
    const fault = descendants(doc, NS.soap12, 'Fault')[0]!;
    expect(fault.lookupNamespaceURI('wsse')).toBe(NS.wsse);
    expect(textOf(descendants(doc, NS.soap12, 'Text')[0])).toBe('no assertion');
    expect(attr(descendants(doc, NS.soap12, 'Text')[0]!, 'xml:lang')).toBe('en');
  });

  it('an unexpected error becomes a bare Receiver fault without internals', () => {
    const xml = faultFor(new TypeError('Cannot read properties of undefined at /srv/carnet/src/x.ts:12'));
    expect(xml).toContain('env:Receiver');
    expect(xml).not.toMatch(/Cannot read|\.ts/);
  });
});
