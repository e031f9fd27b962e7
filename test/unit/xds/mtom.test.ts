import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import {
  buildMtomMessage,
  normaliseContentId,
  parseContentType,
  parseMultipartRelated,
  readSoapPayload,
} from '../../../src/xds/mtom.js';
import { extractDocuments } from '../../../src/xds/documents.js';
import { parseSoapEnvelope } from '../../../src/xds/soap.js';
import { XdsWireError } from '../../../src/xds/wire-error.js';
import { XDS_DATA, loadBareMime, loadHttpDump, loadToolkitHttp } from '../../support/xds-raw.js';

const RAW = `${XDS_DATA}/raw-messages`;

function documentsOf(contentType: string, body: Buffer) {
  const payload = readSoapPayload(body, contentType);
  const soap = parseSoapEnvelope(payload.envelope);
  return { payload, soap, ...extractDocuments(soap.body, payload.attachments) };
}

describe('parseContentType', () => {
  it('reads quoted and unquoted parameters', () => {
    const ct = parseContentType(
      'multipart/related; boundary=MIMEBoundaryurn_uuid_3D4B; type="application/xop+xml"; start="<0.urn:uuid:3D4B@apache.org>"; start-info="application/soap+xml"; action="urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"',
    );
    expect(ct.mediaType).toBe('multipart/related');
    expect(ct.params).toMatchObject({
      boundary: 'MIMEBoundaryurn_uuid_3D4B',
      type: 'application/xop+xml',
      start: '<0.urn:uuid:3D4B@apache.org>',
      action: 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b',
    });
  });

  it('keeps semicolons inside quotes', () => {
    expect(parseContentType('a/b; x="1;2"; y=3').params).toEqual({ x: '1;2', y: '3' });
  });
});

describe('normaliseContentId', () => {
  it('strips angle brackets and decodes cid: URLs', () => {
    expect(normaliseContentId('<1.abc@apache.org>')).toBe('1.abc@apache.org');
    expect(normaliseContentId('cid:1.urn%3Auuid%3AABC%40apache.org')).toBe('1.urn:uuid:ABC@apache.org');
  });
});

describe('raw toolkit messages', () => {
  it('http-mtom-pnr.txt (start parameter, trailing blanks after boundaries)', () => {
    const { contentType, body } = loadHttpDump(`${RAW}/http-mtom-pnr.txt`);
    const { payload, soap, documents, problems } = documentsOf(contentType, body);
    expect(payload.mtom).toBe(true);
    expect(payload.action).toBe('urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b');
    expect(soap.header.action).toBe('urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b');
    expect(soap.header.messageId).toBe('urn:uuid:3D4B161591CD1DEC0C1286850962146');
    expect(problems).toEqual([]);
    const doc = documents.get('urn:uuid:102439f8-5881-4b36-8b42-ef73ae560c04')!;
    expect(doc.toString('utf8')).toMatch(/^Four score and seven years ago/);
    expect(doc.toString('utf8')).not.toMatch(/MIMEBoundary/);
  });

  it('request.txt (ihe: prefix, ReplyTo)', () => {
    const { contentType, body } = loadHttpDump(`${RAW}/request.txt`);
    const { soap, documents, problems } = documentsOf(contentType, body);
    expect(soap.header.replyTo).toBe('http://www.w3.org/2005/08/addressing/anonymous');
    expect(problems).toEqual([]);
    expect(documents.get('urn:uuid:2fa9ec30-8fa8-1888-c28c-0800271b8967')!.length).toBeGreaterThan(100);
  });

  it('sample_mtom_message.txt: an href naming no part is reported, not guessed', () => {
    const { contentType, body } = loadBareMime(`${RAW}/sample_mtom_message.txt`);
    const { documents, problems } = documentsOf(contentType, body);
    expect(documents.size).toBe(0);
    expect(problems.map((p) => [p.code, p.location])).toEqual([['missing_document', 'Document01']]);
  });

  it('PnrXop/Xop: no start parameter, first part is root', () => {
    const { contentType, body } = loadToolkitHttp(`${RAW}/it-tests-PnrXop/Xop`);
    const { documents, problems } = documentsOf(contentType, body);
    expect(problems).toEqual([]);
    expect(documents.get('Document01')!.toString('utf8')).toBe('This is my document.\n\nIt is great!\n\n');
  });

  it('PnrXop/NoXop: inline base64 document inside an MTOM package', () => {
    const { contentType, body } = loadToolkitHttp(`${RAW}/it-tests-PnrXop/NoXop`);
    const { documents, problems } = documentsOf(contentType, body);
    expect(problems).toEqual([]);
    expect(documents.get('Document01')!.toString('utf8')).toBe('This is my document.\r\n\r\nIt is great!\r\n');
  });

  it('PnrXop/encodedURL: a %-encoded cid href still finds its part', () => {
    // the toolkit test sends the Xop message with the href URL-encoded; derive it from Xop
    const { contentType, body } = loadToolkitHttp(`${RAW}/it-tests-PnrXop/Xop`);
    const href = 'cid:1.b5b57d7287e4fa4b528a8f050c41f8ad829c20332f23b48d@apache.org';
    const encoded = Buffer.from(body.toString('latin1').replace(href, 'cid:1.b5b57d7287e4fa4b528a8f050c41f8ad829c20332f23b48d%40apache.org'), 'latin1');
    expect(encoded.equals(body)).toBe(false);
    const { documents, problems } = documentsOf(contentType, encoded);
    expect(problems).toEqual([]);
    expect(documents.get('Document01')!.toString('utf8')).toContain('It is great!');
  });

  it('PnR1Doc.xml as plain application/soap+xml with an inline document', () => {
    const pnr = readFileSync(`${RAW}/PnR1Doc.xml`, 'utf8').replace(/<\?xml[^>]*\?>/, '');
    const env = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header><a:Action xmlns:a="http://www.w3.org/2005/08/addressing">urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b</a:Action></s:Header><s:Body>${pnr}</s:Body></s:Envelope>`;
    const payload = readSoapPayload(Buffer.from(env), 'application/soap+xml; charset=UTF-8');
    expect(payload.mtom).toBe(false);
    const soap = parseSoapEnvelope(payload.envelope);
    expect(soap.body.localName).toBe('ProvideAndRegisterDocumentSetRequest');
  });
});

describe('parseMultipartRelated', () => {
  const binary = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) % 256));

  it('round-trips binary attachments with CRLF framing, any part order', () => {
    const tricky = Buffer.concat([binary, Buffer.from('\r\n--notTheBoundary\r\n'), binary]);
    const msg = buildMtomMessage('<e/>', [
      { contentId: 'b@x', contentType: 'application/octet-stream', body: tricky },
      { contentId: 'a@x', contentType: 'application/pdf', body: binary },
    ]);
    const m = parseMultipartRelated(Buffer.concat(msg.chunks), msg.contentType);
    expect(m.root.body.toString()).toBe('<e/>');
    expect(m.byContentId.get('a@x')!.body.equals(binary)).toBe(true);
    expect(m.byContentId.get('b@x')!.body.equals(tricky)).toBe(true);
    expect(msg.length).toBe(Buffer.concat(msg.chunks).length);
  });

  it('parts are views on the request buffer (no copy)', () => {
    const msg = buildMtomMessage('<e/>', [{ contentId: 'a@x', contentType: 'application/pdf', body: binary }]);
    const whole = Buffer.concat(msg.chunks);
    const part = parseMultipartRelated(whole, msg.contentType).byContentId.get('a@x')!.body;
    expect(part.buffer).toBe(whole.buffer);
  });

  it('decodes base64 transfer encoding', () => {
    const body = Buffer.from(
      '--b\r\nContent-Type: application/xop+xml\r\nContent-ID: <r>\r\n\r\n<e/>\r\n--b\r\nContent-ID: <d>\r\nContent-Transfer-Encoding: base64\r\n\r\naGVs\r\nbG8=\r\n--b--\r\n',
    );
    const m = parseMultipartRelated(body, 'multipart/related; boundary=b; start="<r>"');
    expect(m.byContentId.get('d')!.body.toString()).toBe('hello');
  });

  it('rejects truncated bodies and unknown start parts', () => {
    const body = Buffer.from('--b\r\nContent-ID: <r>\r\n\r\n<e/>\r\n--b\r\nContent-ID: <d>\r\n\r\nabc');
    expect(() => parseMultipartRelated(body, 'multipart/related; boundary=b')).toThrow(XdsWireError);
    const ok = Buffer.from('--b\r\nContent-ID: <r>\r\n\r\n<e/>\r\n--b--');
    expect(() => parseMultipartRelated(ok, 'multipart/related; boundary=b; start="<zz>"')).toThrow(/start/);
    expect(() => readSoapPayload(ok, 'application/json')).toThrow(XdsWireError);
  });
});
