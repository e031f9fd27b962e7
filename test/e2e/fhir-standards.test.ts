// FHIR R4 and MHD details checked clause by clause (issue 12), on a real port: status codes for
// bodies and methods the door does not take, JSON without empty arrays, Bundle.total in ITI-67,
// versions and their headers, conditional create in ITI-65, ITI-66's source search.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, CapabilityStatement, DocumentReference, List } from '@medplum/fhirtypes';
import { EXT_IS_ARCHIVED } from '../../src/fhir/mhd/document-reference.js';
import type { Actor } from '../../src/domain/actor.js';
import type { PatientIdentifier } from '../../src/domain/model.js';
import { provideBundle } from '../support/mhd-bundle.js';
import { submission } from '../support/world.js';
import { adultRecord, deposit, patientActor, pro, startRecordServer, type RecordServer } from '../support/fhir-record.js';

/** Every path to an empty array in a JSON value ("$.entry"), for R4 json.html. */
function emptyArrays(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.length === 0 ? [path] : value.flatMap((v, i) => emptyArrays(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => emptyArrays(v, `${path}.${k}`));
  return [];
}

/** Every Coding (an element of a `coding` array) that has a code but no system. */
function codesWithoutSystem(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => codesWithoutSystem(v, `${path}[${i}]`));
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) =>
    k === 'coding' && Array.isArray(v)
      ? v.flatMap((c: { code?: string; system?: string }, i) => (c.code !== undefined && !c.system ? [`${path}.coding[${i}] ${c.code}`] : []))
      : codesWithoutSystem(v, `${path}.${k}`),
  );
}

describe('FHIR R4 / MHD 4.2 details (issue 12)', () => {
  let rs: RecordServer;
  let rec: { patientKey: string; ins: PatientIdentifier };
  let documentId: string;
  const doctor = pro('doctor');

  async function call(path: string, init: { method?: string; headers?: Record<string, string>; body?: string; actor?: Actor } = {}): Promise<Response> {
    const headers = { authorization: `Bearer ${await rs.server.tokenFor(init.actor ?? doctor)}`, accept: 'application/fhir+json', ...init.headers };
    return fetch(`${rs.fhirBase}/${path}`, { method: init.method ?? 'GET', headers, body: init.body });
  }

  beforeAll(async () => {
    rs = await startRecordServer();
    rec = await adultRecord(rs);
    await rs.server.app.services.consent.addGrant({ actor: patientActor(rec.patientKey), channel: 'test' }, rec.patientKey, {
      subjectKind: 'professional',
      subjectId: doctor.idNatPs,
      effect: 'permit',
    });
    documentId = await deposit(rs, doctor, rec.ins);
  }, 60_000);
  afterAll(async () => {
    await rs?.close();
  });

  it('item 9 (R4 http.html#2.21.0.3, 415): a body in a type the door does not read is 415, for a resource and for a posted search', async () => {
    const cases = [
      { path: '', type: 'text/csv', body: 'a,b' },
      { path: '', type: 'text/plain', body: '{}' },
      { path: '', type: 'application/octet-stream', body: '{}' },
      { path: 'DocumentReference/_search', type: 'text/plain', body: `patient=Patient/${rec.patientKey}` },
      { path: 'DocumentReference/_search', type: 'application/fhir+json', body: '{}' },
      { path: 'List', type: 'application/x-www-form-urlencoded', body: 'a=b' },
    ];
    for (const c of cases) {
      const res = await call(c.path, { method: 'POST', headers: { 'content-type': c.type }, body: c.body });
      const outcome = (await res.json()) as { resourceType: string; issue: Array<{ code: string }> };
      expect({ ...c, status: res.status, type: outcome.resourceType, code: outcome.issue[0]?.code }).toEqual({ ...c, status: 415, type: 'OperationOutcome', code: 'not-supported' });
    }
    // the form a search is posted in still works
    const form = await call('DocumentReference/_search', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `patient=Patient/${rec.patientKey}` });
    expect(form.status).toBe(200);
  });

  it('R4 http.html#mime-type (content negotiation): every answer says it varies with Accept — a document\'s bytes, its Binary resource, a 304, a 406, a search and an error', async () => {
    /** Status and Vary of an answer, its body read so that the connection is free again. */
    const varyOf = async (path: string, headers: Record<string, string> = {}) => {
      const res = await call(path, { headers });
      await res.arrayBuffer();
      return { status: res.status, vary: res.headers.get('vary'), etag: res.headers.get('etag') };
    };
    const bytes = await varyOf(`Binary/${documentId}`, { accept: '*/*' });
    const answers = [
      bytes,
      await varyOf(`Binary/${documentId}`),
      await varyOf(`Binary/${documentId}`, { accept: '*/*', 'if-none-match': bytes.etag! }),
      await varyOf(`Binary/${documentId}`, { accept: 'image/png' }),
      await varyOf(`DocumentReference?patient=Patient/${rec.patientKey}`, { accept: 'application/fhir+xml' }),
      await varyOf('DocumentReference/not-a-document'),
    ];
    expect(answers.map(({ status, vary }) => ({ status, vary }))).toEqual([200, 200, 304, 406, 200, 404].map((status) => ({ status, vary: 'Accept' })));
  });

  it('item 9 (R4 http.html#2.21.0.3, 405): a method on a path that exists for other methods is 405 with Allow', async () => {
    const cases = [
      { method: 'PUT', path: `DocumentReference/${documentId}`, allow: 'GET, HEAD, PATCH' },
      { method: 'DELETE', path: `Binary/${documentId}`, allow: 'GET, HEAD' },
      { method: 'GET', path: 'DocumentReference/_search', allow: 'POST' },
      { method: 'GET', path: 'List/_search', allow: 'POST' },
      { method: 'DELETE', path: 'metadata', allow: 'GET, HEAD' },
    ];
    for (const c of cases) {
      const res = await call(c.path, { method: c.method });
      expect({ ...c, status: res.status, allowed: res.headers.get('allow') }).toEqual({ ...c, status: 405, allowed: c.allow });
    }
  });

  it('item 6 (R4 json.html: no empty arrays): a search without matches and the CapabilityStatement carry no empty array', async () => {
    const none = await call(`DocumentReference?patient=Patient/${rec.patientKey}&status=entered-in-error`);
    const bundle = (await none.json()) as Bundle;
    expect(bundle.total).toBe(0);
    const metadata = (await (await call('metadata')).json()) as CapabilityStatement;
    const lists = await call(`List?patient=Patient/${rec.patientKey}&code=folder`);
    expect({ search: emptyArrays(bundle), metadata: emptyArrays(metadata), lists: emptyArrays(await lists.json()) }).toEqual({ search: [], metadata: [], lists: [] });
  });

  it('item 6 (MHD ITI-67 §2:3.67.4.2.2): Bundle.total is in every ITI-67 answer, _total=none included', async () => {
    for (const total of ['none', 'estimate', 'accurate']) {
      const res = await call(`DocumentReference?patient=Patient/${rec.patientKey}&_total=${total}&_count=0`);
      expect({ total, value: ((await res.json()) as Bundle).total }).toEqual({ total, value: 1 });
    }
  });

  it('item 4 (R4 http.html#versioning, #concurrency): a PATCH that archives changes versionId and lastUpdated; reads carry ETag and Last-Modified; vread of the current version only; If-Match is honoured', async () => {
    const patient = patientActor(rec.patientKey);
    const own = await deposit(rs, doctor, rec.ins);
    const first = await call(`DocumentReference/${own}`);
    const before = (await first.json()) as DocumentReference;
    expect({ etag: first.headers.get('etag'), modified: first.headers.get('last-modified') }).toEqual({
      etag: `W/"${before.meta?.versionId}"`,
      modified: new Date(before.meta!.lastUpdated!).toUTCString(),
    });
    expect((await call(`DocumentReference/${own}/_history/${before.meta?.versionId}`)).status).toBe(200);
    const archive = JSON.stringify([{ op: 'add', path: '/extension', value: [{ url: EXT_IS_ARCHIVED, valueBoolean: true }] }]);
    const patchHeaders = (ifMatch: string) => ({ 'content-type': 'application/json-patch+json', 'if-match': ifMatch });
    const stale = await call(`DocumentReference/${own}`, { method: 'PATCH', actor: patient, headers: patchHeaders('W/"0"'), body: archive });
    expect(stale.status).toBe(412);
    expect(((await (await call(`DocumentReference/${own}`)).json()) as DocumentReference).extension?.some((e) => e.url === EXT_IS_ARCHIVED)).toBeFalsy();
    const patched = await call(`DocumentReference/${own}`, { method: 'PATCH', actor: patient, headers: patchHeaders(`W/"${before.meta?.versionId}"`), body: archive });
    expect(patched.status).toBe(200);
    const after = (await patched.json()) as DocumentReference;
    expect(after.meta?.versionId).not.toBe(before.meta?.versionId);
    expect(after.meta!.lastUpdated! >= before.meta!.lastUpdated!).toBe(true);
    expect(after.meta?.lastUpdated).not.toBe(before.meta?.lastUpdated);
    expect(patched.headers.get('etag')).toBe(`W/"${after.meta?.versionId}"`);
    const reread = await call(`DocumentReference/${own}`);
    expect({ etag: reread.headers.get('etag'), meta: ((await reread.json()) as DocumentReference).meta }).toEqual({ etag: `W/"${after.meta?.versionId}"`, meta: after.meta });
    // the old version is not kept: vread of it is not found, of the new one found
    expect((await call(`DocumentReference/${own}/_history/${before.meta?.versionId}`)).status).toBe(404);
    expect((await call(`DocumentReference/${own}/_history/${after.meta?.versionId}`)).status).toBe(200);
  });

  it('item 4 (R4 http.html#transaction-response): ITI-65 locations name the version created, and each one reads with its ETag', async () => {
    const res = await call('', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(provideBundle({ patient: `Patient/${rec.patientKey}`, docs: [{ typeCode: '11490-0', author: { idNatPs: doctor.idNatPs, family: 'Martin', given: 'Alice' }, content: 'CR', creation: '2026-01-06T08:00:00Z' }] })) });
    expect(res.status).toBe(200);
    const locations = ((await res.json()) as Bundle).entry!.map((e) => e.response!.location!).filter((l) => !l.startsWith('Binary/'));
    expect(locations).toHaveLength(2);
    for (const location of locations) {
      expect(location).toMatch(/^(DocumentReference|List)\/[0-9a-f-]{36}\/_history\/1$/);
      const read = await call(location);
      expect({ location, status: read.status, etag: read.headers.get('etag') }).toEqual({ location, status: 200, etag: 'W/"1"' });
    }
  });

  it('item 5 (R4 http.html#ccreate, MHD ITI-65): request.ifNoneExist is refused clearly and stores nothing; a Patient entry answers 200 with the record\'s readable location', async () => {
    const author = { idNatPs: doctor.idNatPs, family: 'Martin', given: 'Alice' };
    const count = async () => ((await (await call(`DocumentReference?patient=Patient/${rec.patientKey}&_count=0`)).json()) as Bundle).total;
    const before = await count();
    const conditional = provideBundle({ patient: `Patient/${rec.patientKey}`, docs: [{ typeCode: '11490-0', author, content: 'CR', creation: '2026-01-07T08:00:00Z' }] });
    const doc = conditional.entry!.find((e) => e.resource?.resourceType === 'DocumentReference')!;
    doc.request = { ...doc.request!, ifNoneExist: 'identifier=urn:oid:1.2.3|x' };
    const refused = await call('', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(conditional) });
    const outcome = await refused.json();
    expect({ status: refused.status, text: JSON.stringify(outcome).includes('ifNoneExist') }).toEqual({ status: 400, text: true });
    expect(await count()).toBe(before);
    // the declaration says so
    const metadata = (await (await call('metadata')).json()) as CapabilityStatement;
    expect(metadata.rest?.[0]?.documentation).toContain('request.ifNoneExist');

    const withPatient = provideBundle({ patient: 'urn:uuid:00000000-0000-4000-8000-0000000000bb', docs: [{ typeCode: '11490-0', author, content: 'CR', creation: '2026-01-08T08:00:00Z' }] });
    withPatient.entry!.push({ fullUrl: 'urn:uuid:00000000-0000-4000-8000-0000000000bb', resource: { resourceType: 'Patient', identifier: [{ system: `urn:oid:${rec.ins.system}`, value: rec.ins.value }] }, request: { method: 'POST', url: 'Patient' } });
    const res = await call('', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(withPatient) });
    expect(res.status).toBe(200);
    const patientEntry = ((await res.json()) as Bundle).entry![withPatient.entry!.length - 1]!;
    expect(patientEntry.response).toEqual({ status: '200 OK', location: `Patient/${rec.patientKey}` });
    expect((await call(patientEntry.response!.location!)).status).toBe(200);
  });

  it('item 2 (MHD ITI-66 §2:3.66.4.1.2.1): source.given and source.family find the submission sets of an author, case and accents ignored', async () => {
    const author = { idNatPs: doctor.idNatPs, family: 'Martin', given: 'Alice' };
    const bundle = provideBundle({ patient: `Patient/${rec.patientKey}`, docs: [{ typeCode: '11490-0', author, content: 'CR', creation: '2026-01-09T08:00:00Z' }] });
    const ss = bundle.entry![0]!.resource as List;
    ss.contained = [{ resourceType: 'Practitioner', id: 'ssauthor', identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: doctor.idNatPs }], name: [{ family: 'Lefèvre', given: ['Élodie'] }] }];
    ss.source = { reference: '#ssauthor' };
    const res = await call('', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(bundle) });
    expect(res.status).toBe(200);
    const setId = ((await res.json()) as Bundle).entry!.find((e) => e.response?.location?.startsWith('List/'))!.response!.location!.split('/')[1];
    const found = async (query: string) => {
      const answer = await call(`List?patient=Patient/${rec.patientKey}&${query}`, { headers: { prefer: 'handling=strict' } });
      expect({ query, status: answer.status }).toEqual({ query, status: 200 });
      return ((await answer.json()) as Bundle).entry?.filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id) ?? [];
    };
    expect(await found('source.family=lefevre')).toEqual([setId]);
    expect(await found('source.family=LEF&source.given=elo')).toEqual([setId]);
    expect(await found('source.given=Élodie&code=submissionset')).toEqual([setId]);
    expect(await found('source.family=Lefevre&source.given=Alice')).toEqual([]);
    expect(await found('source.family=Durand')).toEqual([]);
  });

  it('item 8 (R4 capabilitystatement, MHD 4.2 SearchParameters): related is a reference search, MHD parameters name MHD definitions, paging parameters, security and the MHD actors are declared', async () => {
    const cs = (await (await call('metadata')).json()) as CapabilityStatement;
    const rest = cs.rest![0]!;
    const params = (type: string) => new Map((rest.resource!.find((r) => r.type === type)?.searchParam ?? []).map((p) => [p.name, p]));
    const dr = params('DocumentReference');
    const list = params('List');
    const MHD = 'https://profiles.ihe.net/ITI/MHD/SearchParameter';
    expect({
      related: [dr.get('related')?.type, dr.get('related')?.definition],
      creation: dr.get('creation')?.definition,
      designationType: list.get('designationType')?.definition,
      sourceId: list.get('sourceId')?.definition,
      control: ['_sort', '_count', '_offset', '_total'].filter((n) => !dr.has(n)),
      listControl: ['_count', '_offset', '_total'].filter((n) => !list.has(n)),
      security: rest.security?.service?.[0]?.coding?.[0]?.code,
      instantiates: cs.instantiates,
    }).toEqual({
      related: ['reference', 'http://hl7.org/fhir/SearchParameter/DocumentReference-related'],
      creation: `${MHD}/DocumentReference-Creation`,
      designationType: `${MHD}/List-DesignationType`,
      sourceId: `${MHD}/List-SourceId`,
      control: [],
      listControl: [],
      security: 'OAuth',
      instantiates: ['https://profiles.ihe.net/ITI/MHD/CapabilityStatement/IHE.MHD.DocumentRecipient', 'https://profiles.ihe.net/ITI/MHD/CapabilityStatement/IHE.MHD.DocumentResponder'],
    });
    // related:identifier (the reference search's identifier modifier) is read, not ignored
    const strict = await call(`DocumentReference?patient=Patient/${rec.patientKey}&related:identifier=urn:oid:1.2.250.1.999.8|none`, { headers: { prefer: 'handling=strict' } });
    expect({ status: strict.status, total: ((await strict.json()) as Bundle).total }).toEqual({ status: 200, total: 0 });
  });

  it('item 7 (R4 datatypes.html#Coding): no code goes without its system; an author specialty received without one is kept as text', async () => {
    const sub = submission(rec.ins, [{ authorId: doctor.idNatPs }]);
    Object.assign(sub.documents[0]!.metadata.authors[0]!, { specialties: ['SM26'], roles: ['10'] });
    const result = await rs.server.app.services.submissions.submit({ actor: doctor, channel: 'test' }, sub);
    const read = (await (await call(`DocumentReference/${result.assignedIds.Document1!.slice(9)}`)).json()) as DocumentReference;
    const role = read.contained?.find((r) => r.resourceType === 'PractitionerRole') as { specialty?: unknown[] } | undefined;
    expect(role?.specialty).toEqual([{ text: 'SM26' }]);
    const search = await (await call(`DocumentReference?patient=Patient/${rec.patientKey}`)).json();
    const lists = await (await call(`List?patient=Patient/${rec.patientKey}`)).json();
    expect({ read: codesWithoutSystem(read), search: codesWithoutSystem(search), lists: codesWithoutSystem(lists) }).toEqual({ read: [], search: [], lists: [] });
  });
});
