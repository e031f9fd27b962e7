// The request's line writes its path and the names of its query parameters, and the caller
// writes both: a client that reads a patient by their INS (`/fhir/Patient/<INS>`), escapes its
// query (`/fhir/Patient%3Fidentifier=...|<INS>`) or forgets a parameter's `=`
// (`?urn:oid:...|<INS>`) put the identifier where the log took it as a path or a name. The log
// keeps a path's route words, Carnet's own keys and version numbers, and the parameters' names
// that are the server's own. Last, a sweep: one patient's values sent wherever a client could put
// them by mistake (path, query, headers, bodies the doors refuse) reach no line of the log, even
// at the debug level.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { startTestApp, type RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';
import { adultRecord, makeWorld, patientCaller, proActor, submission, type World } from '../support/world.js';
import { errorCodes, postSoap, provideAndRegister, vihfFor, XDS_ACTIONS } from '../support/xds-client.js';
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
  const log = capturedLog<LogLine>('debug');
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

  it('a date of birth written with slashes in the path (12/03/85): no part of it is kept; a version after `_history` is', async () => {
    const { patientKey } = await adultRecord(w);
    const dated = await get('/fhir/Patient/12/03/85', 'path-short-date');
    expect(dated.line.url).toBe('/fhir/Patient/…/…/…');
    const version = await get(`/fhir/Patient/${patientKey}/_history/1`, 'path-version');
    expect(version.line.url).toBe(`/fhir/Patient/${patientKey}/_history/1`);
    expectNowhere(['12/03/85', '/03/']);
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

  it('an x-request-id holding an identifier or a date written in parts (a dotted INS, a phone number with dots or dashes, a date of birth) is not taken either; tickets, UUIDs, trace ids and ULIDs are', async () => {
    // an INS (NIR) of 15 digits: sex, year, month, department, commune, order, key
    const refused = [
      '1.85.03.75.123.456.78',
      'ins-1-85-03-75-123-456-78',
      '1850375123456-78',
      'tel-06.12.34.56.78',
      '06-12-34-56-78',
      '06 12 34 56 78',
      '+33612345678',
      '33.6.12.34.56.78',
      'ddn-1985-03-12',
      '12.03.1985',
      '12-03-85',
      '12/03/1985',
      '19850312',
      // shaped as a ULID, but its head is a phone number, no time of a ULID
      '0612345678GHJKMNPQRSTVWXYZ',
    ];
    for (const given of refused) {
      const res = await fetch(`${server.baseUrl}/fhir/metadata`, { headers: { 'x-request-id': given } });
      await res.arrayBuffer();
      const id = res.headers.get('x-request-id')!;
      expect([given, id]).not.toEqual([given, given]);
      expect((await lineFor(id)).url).toBe('/fhir/metadata');
    }
    const kept = [
      '3f2a9c10-1234-4abc-8def-123456789012',
      'integrator-ticket-4711',
      'integrator-ticket-4711-0001',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      // machine ids whose random digits fell into a run of eight: a parent id all decimal, a ULID's random part
      '00-4bf92f3577b34da6a3ce929d0e0e4736-1234567890123456-01',
      '01JE4B3C5DX12345678YZABCDE',
      'v1.2.3-build.45',
      'batch:12:30:05',
    ];
    for (const given of kept) {
      const res = await fetch(`${server.baseUrl}/fhir/metadata`, { headers: { 'x-request-id': given } });
      await res.arrayBuffer();
      expect([given, res.headers.get('x-request-id')]).toEqual([given, given]);
      expect((await lineFor(given)).url).toBe('/fhir/metadata');
    }
    expectNowhere([...refused.filter((r) => !r.includes(' ')), '1850375123456', '06.12.34.56.78', '06-12-34-56-78', '1985-03-12', '612345678']);
  });

  it('ACC-08, AUTH-06: values sent in the path, the query, the headers and bodies the doors refuse reach no line of the log', async () => {
    const { ins, patientKey } = await adultRecord(w);
    const family = 'Sondebalayage';
    const birth = '1971-08-19';
    const mail = 'sonde.balayage@example.org';
    const title = 'Compte-rendu Sondetitre';
    const secret = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzb25kZSJ9.c29uZGVzZWNyZXQ';
    const values = [ins.value, family, birth, mail, 'Sondetitre', secret];
    const sub = submission(ins, [{ authorId: doctor.idNatPs }]);
    const uniqueId = `${sub.documents[0]!.metadata.uniqueId}.${ins.value}`;
    sub.documents[0]!.metadata.uniqueId = uniqueId;
    sub.documents[0]!.metadata.title = title;
    // an ITI-41 the door refuses: a class that does not go with the type (DOC-01), the title and a uniqueId holding the INS
    sub.documents[0]!.metadata.classCode = { code: '99', system: '1.2.250.1.213.1.1.4.1' };
    values.push(uniqueId);
    const auth = { authorization: `Bearer ${token}` };
    const requests: Array<[string, RequestInit]> = [
      [`/fhir/Patient/${ins.value}`, { headers: auth }],
      [`/fhir/Patient?family=${family}&birthdate=${birth}&email=${mail}`, { headers: auth }],
      [`/fhir/Patient?${family}&${INS_OID}|${ins.value}`, { headers: auth }],
      [`/fhir/DocumentReference?patient=Patient/${patientKey}&${encodeURIComponent(title)}=1`, { headers: auth }],
      [`/fhir/DocumentReference?patient=Patient/${patientKey}&_count=${ins.value}`, { headers: auth }],
      [`/fhir/DocumentReference?patient=Patient/${ins.value}`, { headers: auth }],
      [`/fhir/metadata`, { headers: { 'x-request-id': `r-${ins.value}`, 'user-agent': `agent ${family} ${mail}`, referer: `https://ehr.example/${ins.value}?name=${family}` } }],
      [`/fhir/metadata?access_token=${secret}`, {}],
      [`/fhir/Patient`, { method: 'POST', headers: { ...auth, 'content-type': `application/fhir+json; name=${family}` }, body: '{}' }],
      [`/fhir/Patient`, { method: 'POST', headers: { ...auth, 'content-type': 'application/fhir+json' }, body: `{"resourceType":"Patient","name":[{"family":"${family}"}],"birthDate":"${birth}",` }],
      [
        `/fhir/Patient`,
        {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/fhir+json' },
          body: JSON.stringify({ resourceType: 'Patient', identifier: [{ system: INS_OID, value: ins.value }], name: [{ family }], birthDate: `${birth}T99`, telecom: [{ system: 'email', value: mail }] }),
        },
      ],
      [`/xds/registry`, { method: 'POST', headers: { 'content-type': 'application/soap+xml; charset=UTF-8' }, body: `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><x>${ins.value} ${family}</y></env:Body></env:Envelope>` }],
      [`/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: mail, password: secret }) }],
    ];
    for (const [path, init] of requests) {
      const res = await fetch(`${server.baseUrl}${path}`, init);
      await res.arrayBuffer();
      expect(res.status).toBeLessThan(500);
      await log.linesFor(res.headers.get('x-request-id')!);
    }
    const { body, attachments } = provideAndRegister(sub);
    const refused = await postSoap(`${server.baseUrl}/xds/repository`, XDS_ACTIONS['ITI-41'], body, { assertion: vihfFor(doctor), attachments, requestId: 'sweep-iti41' });
    expect(errorCodes(refused)).toEqual(['XDSRegistryMetadataError']);
    await log.linesFor('sweep-iti41');
    const all = log.written.join('\n');
    const decoded = log.lines().map((l) => JSON.stringify(l)).join('\n');
    for (const v of values) {
      expect(all).not.toContain(v);
      expect(decoded).not.toContain(v);
    }
  });
});
