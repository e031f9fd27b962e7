// The request's line writes its path and the names of its query parameters, and the caller
// writes both: a client that reads a patient by their INS (`/fhir/Patient/<INS>`), escapes its
// query (`/fhir/Patient%3Fidentifier=...|<INS>`) or forgets a parameter's `=`
// (`?urn:oid:...|<INS>`) put the identifier where the log took it as a path or a name. The log
// keeps a path's route words, Carnet's own keys and version numbers, and names shaped as names.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { startTestApp, type RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';
import { adultRecord, makeWorld, patientCaller, proActor, type World } from '../support/world.js';
import { capturedLog } from '../support/captured-log.js';

const doctor = proActor('doctor');
const INS_OID = 'urn:oid:1.2.250.1.213.1.4.8';

interface LogLine {
  msg: string;
  requestId?: string;
  url?: string;
  status?: number;
}

describeEachStore('the paths and query names of the request log', (db) => {
  let server: RunningApp;
  let w: World;
  let token: string;
  const log = capturedLog<LogLine>();
  const written = log.written;
  const lineFor = async (requestId: string): Promise<LogLine> => (await log.linesFor(requestId)).find((l) => l.msg === 'request')!;
  const get = async (path: string, requestId: string): Promise<{ status: number; line: LogLine }> => {
    const res = await fetch(`${server.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}`, 'x-request-id': requestId } });
    await res.arrayBuffer();
    return { status: res.status, line: await lineFor(requestId) };
  };
  const expectNowhere = (values: string[]) => {
    const log = written.join('\n');
    for (const v of values) expect(log).not.toContain(v);
  };

  beforeAll(async () => {
    w = await makeWorld(db());
    server = await startTestApp(db(), {}, { logger: log.logger });
    token = await server.tokenFor(doctor);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it('a patient read by their INS or their name in the path: the line has the route\'s words and `…`, never the identifier nor the name', async () => {
    const { ins } = await adultRecord(w);
    const byIns = await get(`/fhir/Patient/${ins.value}`, 'path-ins');
    expect(byIns.status).toBe(404);
    expect(byIns.line).toMatchObject({ status: 404, url: '/fhir/Patient/…' });
    const everything = await get(`/fhir/Patient/${ins.value}/$everything`, 'path-ins-op');
    // no route has `$everything`: a word of no route is the caller's too
    expect(everything.line.url).toBe('/fhir/Patient/…/…');
    const byName = await get('/fhir/Patient/Sondecheminnom', 'path-name');
    expect(byName.line.url).toBe('/fhir/Patient/…');
    const unknown = await get(`/dossiers/${ins.value}/Sondecheminnom`, 'path-unknown');
    expect(unknown.line).toMatchObject({ status: 404, url: '/…/…/…' });
    expectNowhere([ins.value, 'Sondecheminnom']);
  });

  it('a query escaped into the path, or sent without its `=`: the line has neither the identifier nor the escaped query', async () => {
    const { ins } = await adultRecord(w);
    const escaped = await get(`/fhir/Patient%3Fidentifier=${INS_OID}%7C${ins.value}`, 'path-escaped-query');
    expect(escaped.line.url).toBe('/fhir/…');
    const bare = await get(`/fhir/Patient?${INS_OID}|${ins.value}`, 'query-bare-value');
    expect(bare.line.url).toBe('/fhir/Patient?…');
    const escapedEquals = await get(`/fhir/Patient?identifier%3D${ins.value}&_count=5`, 'query-escaped-equals');
    expect(escapedEquals.line.url).toBe('/fhir/Patient?…&_count');
    expectNowhere([ins.value]);
  });

  it('what the operator needs stays: the route\'s words, Carnet\'s keys, versions and the names of the parameters', async () => {
    const { patientKey } = await adultRecord(w);
    await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
    const read = await get(`/fhir/Patient/${patientKey}`, 'path-key');
    expect(read.line).toMatchObject({ status: 200, url: `/fhir/Patient/${patientKey}` });
    const search = await get(`/fhir/DocumentReference?patient=${patientKey}&status=current&_count=10`, 'query-names');
    expect(search.line.url).toBe('/fhir/DocumentReference?patient&status&_count');
    const metadata = await get('/fhir/metadata', 'path-metadata');
    expect(metadata.line.url).toBe('/fhir/metadata');
  });

  it("a patient's name or identifier written as a parameter's name (`?Durand`, `?Durand=1`, a dotted INS): `…`; a declared parameter with its chain and modifier stays", async () => {
    const { ins } = await adultRecord(w);
    const dotted = ins.value.replace(/(\d{2})(?=\d)/g, '$1.');
    const bare = await get('/fhir/Patient?Sondenomfamille', 'query-name-bare');
    expect(bare.line.url).toBe('/fhir/Patient?…');
    const asName = await get(`/fhir/DocumentReference?Sondenomfamille=1&x${dotted}=1&_count=5`, 'query-name-as-name');
    expect(asName.line.url).toBe('/fhir/DocumentReference?…&_count');
    const chained = await get(`/fhir/DocumentReference?patient.identifier=${INS_OID}|${ins.value}&type:text=x`, 'query-name-chain');
    expect(chained.line.url).toBe('/fhir/DocumentReference?patient.identifier&type:text');
    expectNowhere(['Sondenomfamille', dotted, ins.value]);
  });

  it('an x-request-id holding an identifier (a run of 8 digits or more, outside a UUID or a hexadecimal id) is not taken: the server answers and logs its own; an id of words, short numbers, UUIDs and hexadecimal ids is kept', async () => {
    const { ins } = await adultRecord(w);
    const res = await fetch(`${server.baseUrl}/fhir/metadata`, { headers: { 'x-request-id': `ticket-${ins.value}` } });
    await res.arrayBuffer();
    const id = res.headers.get('x-request-id')!;
    expect(id).not.toContain(ins.value);
    expect((await lineFor(id)).url).toBe('/fhir/metadata');
    for (const kept of ['ticket-4711-3f2a9c10-1234-4abc-8def-123456789012', '4bf92f3577b34da6a3ce929d0e0e4736', 'c0ffee1234567890123dead']) {
      const res2 = await fetch(`${server.baseUrl}/fhir/metadata`, { headers: { 'x-request-id': kept } });
      await res2.arrayBuffer();
      expect(res2.headers.get('x-request-id')).toBe(kept);
      expect((await lineFor(kept)).url).toBe('/fhir/metadata');
    }
    expectNowhere([ins.value]);
  });
});
