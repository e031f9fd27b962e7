// A request body sent with a Content-Encoding (gzip, deflate, br…) is refused with 415 before it
// is read, on every door: the server decompresses nothing (no compression bomb can reach it), and
// reading the compressed bytes as the body mistook what the sender meant. A gzip body was answered
// "not valid UTF-8" or "the request cannot be read"; a body labelled `br` but sent plain was read
// and served as if it carried no label, although a proxy or a log honouring the label reads other
// bytes. `identity` is no encoding, and a request without a body is served whatever it says.
import { expect, it } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import type { Db } from '../../src/store/db.js';
import { describeEachStore } from '../support/stores.js';
import { envelope, XDS_ACTIONS } from '../support/xds-client.js';
import { patientTraceRows, useOneRecordOverFhir } from './one-record.js';

const PATIENT = JSON.stringify({ resourceType: 'Patient' });

describeEachStore('hostile bodies: a Content-Encoding is refused before the body is read', (db: () => Db) => {
  const fhir = useOneRecordOverFhir(db);

  const send = async (path: string, headers: Record<string, string>, body?: string | Uint8Array) => {
    const res = await fetch(`${fhir.server.baseUrl}${path}`, { method: body === undefined ? 'GET' : 'POST', headers, body: body as RequestInit['body'] });
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };
  const postFhir = (encoding: string, body: string | Uint8Array) =>
    send('/fhir/Patient/$validate', { authorization: `Bearer ${fhir.token}`, accept: 'application/fhir+json', 'content-type': 'application/fhir+json', 'content-encoding': encoding }, body);

  const bomb = new Uint8Array(gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)));

  it.each([
    ['gzip (a compression bomb: 64 MB of spaces)', 'gzip', bomb],
    ['deflate', 'deflate', PATIENT],
    ['br, the body sent plain', 'br', PATIENT],
    ['gzip, identity', 'gzip, identity', PATIENT],
  ] as Array<[string, string, string | Uint8Array]>)('FHIR: refuses %s with 415 not-supported naming the header', async (_name, encoding, body) => {
    const before = await patientTraceRows(db());
    const a = await postFhir(encoding, body);
    const outcome = JSON.parse(a.text);
    expect({ status: a.status, type: outcome.resourceType, code: outcome.issue?.[0]?.code, says: /Content-Encoding/.test(outcome.issue?.[0]?.diagnostics ?? '') }).toEqual({
      status: 415,
      type: 'OperationOutcome',
      code: 'not-supported',
      says: true,
    });
    expect(await patientTraceRows(db())).toBe(before);
  });

  it('FHIR: takes identity as no encoding, and serves a GET that names one without a body', async () => {
    expect((await postFhir('identity', PATIENT)).status).toBe(200);
    const get = await send('/fhir/metadata', { accept: 'application/fhir+json', 'content-encoding': 'gzip' });
    expect(get.status).toBe(200);
  });

  it('/auth: refuses a gzip body with 415 in its own JSON shape', async () => {
    const a = await send('/auth/login', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, new Uint8Array(gzipSync('{"login":"a","password":"b"}')));
    expect({ status: a.status, json: JSON.parse(a.text) }).toEqual({ status: 415, json: { error: 'invalid_request', message: expect.stringMatching(/Content-Encoding/) } });
  });

  it('XDS: refuses a gzip envelope with a SOAP Fault naming the header', async () => {
    const soap = new Uint8Array(gzipSync(envelope(XDS_ACTIONS['ITI-18'], '<x/>')));
    const a = await send('/xds/registry', { 'content-type': `application/soap+xml; charset=UTF-8; action="${XDS_ACTIONS['ITI-18']}"`, 'content-encoding': 'gzip' }, soap);
    expect({ status: a.status, soap: a.type.startsWith('application/soap+xml'), fault: /Fault/.test(a.text), says: /Content-Encoding/.test(a.text) }).toEqual({ status: 415, soap: true, fault: true, says: true });
  });

  it('an unknown path: refuses a gzip body with an OperationOutcome', async () => {
    const a = await send('/nowhere', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, new Uint8Array(gzipSync('{}')));
    expect({ status: a.status, type: JSON.parse(a.text).resourceType }).toEqual({ status: 415, type: 'OperationOutcome' });
  });
});
