// FHIR R4 versioning to the letter of http.html (issue 12 item 4), on a real port, for the
// resources that change in place: Patient (its operations), Consent, personal List selections
// and DocumentReference. Every answer naming one resource carries its version as ETag and
// Last-Modified; a create's Location names /_history/{vid}; vread reads the current version;
// If-Match is honoured on every change (412, nothing changed), a malformed one is a 400; and none
// of it ever tells a caller about a resource it may not see (ACC-08).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, CapabilityStatement, Consent, DocumentReference, List, OperationOutcome, Patient, RelatedPerson, Resource } from '@medplum/fhirtypes';
import type { Actor } from '../../src/domain/actor.js';
import type { PatientIdentifier } from '../../src/domain/model.js';
import { EXT_IS_ARCHIVED } from '../../src/fhir/mhd/document-reference.js';
import { adultRecord, creationPatient, deposit, emergencyConsent, grantConsent, INS, newIns, patientActor, pro, startRecordServer, type RecordServer } from '../support/fhir-record.js';

interface Answer<T> {
  status: number;
  body: T;
  etag: string | null;
  modified: string | null;
  location: string | null;
}

const selection = (patientKey: string, title: string, docs: string[]): List => ({
  resourceType: 'List',
  status: 'current',
  mode: 'working',
  title,
  code: { coding: [{ system: 'https://carnet.example/fhir/CodeSystem/dmp-list-type', code: 'carnet-selection' }] },
  subject: { reference: `Patient/${patientKey}` },
  entry: docs.map((d) => ({ item: { reference: `DocumentReference/${d}` } })),
});

const archive = [{ op: 'add', path: '/extension', value: [{ url: EXT_IS_ARCHIVED, valueBoolean: true }] }];

describe('FHIR R4 versions (http.html#versioning, #concurrency; issue 12 item 4)', () => {
  let rs: RecordServer;
  let rec: { patientKey: string; ins: PatientIdentifier };
  let other: { patientKey: string; ins: PatientIdentifier };
  const doctor = pro('doctor');
  let me: Actor;

  async function call<T = Resource>(actor: Actor, method: string, path: string, o: { body?: unknown; ifMatch?: string; type?: string } = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { authorization: `Bearer ${await rs.server.tokenFor(actor)}`, accept: 'application/fhir+json' };
    if (o.body !== undefined) headers['content-type'] = o.type ?? 'application/fhir+json';
    if (o.ifMatch !== undefined) headers['if-match'] = o.ifMatch;
    const res = await fetch(`${rs.fhirBase}/${path}`, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
    const text = await res.text();
    return {
      status: res.status,
      body: (text ? JSON.parse(text) : undefined) as T,
      etag: res.headers.get('etag'),
      modified: res.headers.get('last-modified'),
      location: res.headers.get('location'),
    };
  }

  /** What R4 http.html#versioning asks of an answer naming one resource: its version in two headers. */
  function expectVersionHeaders(a: Answer<Resource>): void {
    expect({ etag: a.etag, modified: a.modified }).toEqual({ etag: `W/"${a.body.meta?.versionId}"`, modified: new Date(a.body.meta!.lastUpdated!).toUTCString() });
  }

  /** The id of a record's centre_15 setting, as its patient finds it. */
  async function centre15Of(patientKey: string): Promise<string> {
    const found = await call<Bundle<Consent>>(patientActor(patientKey), 'GET', `Consent?patient=Patient/${patientKey}&category=emergency`);
    return found.body.entry!.map((e) => e.resource!).find((c) => c.provision?.purpose?.[0]?.code === 'centre_15')!.id!;
  }

  beforeAll(async () => {
    rs = await startRecordServer();
    rec = await adultRecord(rs);
    other = await adultRecord(rs);
    me = patientActor(rec.patientKey);
    await rs.server.app.services.consent.addGrant({ actor: me, channel: 'test' }, rec.patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
  }, 60_000);
  afterAll(async () => {
    await rs?.close();
  });

  it('R4 http.html#read, #vread (Patient): meta.versionId and lastUpdated, ETag and Last-Modified on read, vread and search; vread of another version is a 404 OperationOutcome', async () => {
    const read = await call<Patient>(doctor, 'GET', `Patient/${rec.patientKey}`);
    expect(read.status).toBe(200);
    expect(read.body.meta?.versionId).toMatch(/^\d+$/);
    expectVersionHeaders(read);
    const vread = await call<Patient>(doctor, 'GET', `Patient/${rec.patientKey}/_history/${read.body.meta!.versionId}`);
    expect(vread.status).toBe(200);
    expectVersionHeaders(vread);
    expect(vread.body.meta).toEqual(read.body.meta);
    const old = await call<OperationOutcome>(doctor, 'GET', `Patient/${rec.patientKey}/_history/999`);
    expect({ status: old.status, type: old.body.resourceType, code: old.body.issue[0].code, etag: old.etag }).toEqual({ status: 404, type: 'OperationOutcome', code: 'not-found', etag: null });
    // a search shows each Patient as a read does (but a Bundle carries no ETag)
    const found = await call<Bundle>(doctor, 'GET', `Patient?identifier=${INS}|${rec.ins.value}`);
    expect({ meta: found.body.entry?.[0]?.resource?.meta, etag: found.etag }).toEqual({ meta: read.body.meta, etag: null });
  });

  it('R4 http.html#create: a created Patient, Consent and List answer 201 with Location [base]/[type]/[id]/_history/1, ETag and Last-Modified', async () => {
    const patient = await call<Patient>(doctor, 'POST', 'Patient', { body: creationPatient({ family: 'Neuf', given: 'Anne', birthDate: '1990-01-17' }) });
    const consent = await call<Consent>(me, 'POST', 'Consent', { body: grantConsent(rec.patientKey, 'Practitioner', pro('nurse').idNatPs, 'permit') });
    const list = await call<List>(me, 'POST', 'List', { body: selection(rec.patientKey, 'Création', []) });
    for (const [created, reader] of [[patient, doctor], [consent, me], [list, me]] as const) {
      expect({ status: created.status, location: created.location }).toEqual({
        status: 201,
        location: `${rs.fhirBase}/${created.body.resourceType}/${created.body.id}/_history/1`,
      });
      expectVersionHeaders(created);
      // the location is a vread of the version created
      const vread = await call(reader, 'GET', created.location!.slice(rs.fhirBase.length + 1));
      expect({ status: vread.status, etag: vread.etag }).toEqual({ status: 200, etag: 'W/"1"' });
    }
  });

  it('R4 http.html#concurrency, If-Match 412 (Patient $close, $reactivate, $contacts): a stale version is refused and nothing changes; each change makes the next version', async () => {
    const { patientKey } = await adultRecord(rs);
    const patient = patientActor(patientKey);
    const v1 = (await call<Patient>(patient, 'GET', `Patient/${patientKey}`)).body.meta!;
    const stale = await call<OperationOutcome>(patient, 'POST', `Patient/${patientKey}/$close`, { ifMatch: 'W/"7"' });
    expect({ status: stale.status, code: stale.body.issue[0].code }).toEqual({ status: 412, code: 'conflict' });
    expect((await call<Patient>(patient, 'GET', `Patient/${patientKey}`)).body.active).toBe(true);
    // the version the client read: the change is made, and the Patient has a new version
    expect((await call(patient, 'POST', `Patient/${patientKey}/$close`, { ifMatch: `W/"${v1.versionId}"` })).status).toBe(200);
    const closed = await call<Patient>(patient, 'GET', `Patient/${patientKey}`);
    expect({ active: closed.body.active, versionId: closed.body.meta?.versionId }).toEqual({ active: false, versionId: String(Number(v1.versionId) + 1) });
    expect(closed.body.meta!.lastUpdated! >= v1.lastUpdated!).toBe(true);
    expectVersionHeaders(closed);
    // the old version is not kept
    expect((await call(patient, 'GET', `Patient/${patientKey}/_history/${v1.versionId}`)).status).toBe(404);
    expect((await call(patient, 'POST', `Patient/${patientKey}/$reactivate`, { ifMatch: `W/"${v1.versionId}"` })).status).toBe(412);
    expect((await call(patient, 'POST', `Patient/${patientKey}/$reactivate`, { ifMatch: closed.etag! })).status).toBe(200);
    const reopened = (await call<Patient>(patient, 'GET', `Patient/${patientKey}`)).body.meta!;
    expect(reopened.versionId).toBe(String(Number(closed.body.meta!.versionId) + 1));
    // the emergency contacts are the Patient's (Patient.contact): changing them is a version too
    const contacts = { resourceType: 'Parameters', parameter: [{ name: 'emergencyContact', part: [{ name: 'name', valueString: 'Paul Leroy' }, { name: 'phone', valueString: '0601020304' }] }] };
    expect((await call(patient, 'POST', `Patient/${patientKey}/$contacts`, { body: contacts, ifMatch: `W/"${v1.versionId}"` })).status).toBe(412);
    expect((await call(patient, 'POST', `Patient/${patientKey}/$contacts`, { body: contacts, ifMatch: '*' })).status).toBe(200);
    const withContacts = (await call<Patient>(patient, 'GET', `Patient/${patientKey}`)).body;
    expect({ versionId: withContacts.meta?.versionId, contact: withContacts.contact?.length }).toEqual({ versionId: String(Number(reopened.versionId) + 1), contact: 1 });
  });

  it('R4 http.html#update, If-Match 412 (Consent): PUT against the current version changes it and answers the next one; a stale one is refused and nothing changes', async () => {
    const id = await centre15Of(rec.patientKey);
    const read = await call<Consent>(me, 'GET', `Consent/${id}`);
    expect(read.status).toBe(200);
    expectVersionHeaders(read);
    const v = read.body.meta!.versionId!;
    const oppose = { ...emergencyConsent(rec.patientKey, 'centre_15', 'deny'), id };
    const updated = await call<Consent>(me, 'PUT', `Consent/${id}`, { body: oppose, ifMatch: `W/"${v}"` });
    expect({ status: updated.status, type: updated.body.provision?.type, versionId: updated.body.meta?.versionId }).toEqual({ status: 200, type: 'deny', versionId: String(Number(v) + 1) });
    expectVersionHeaders(updated);
    // the same request again names a version that is no longer current
    const again = await call<OperationOutcome>(me, 'PUT', `Consent/${id}`, { body: { ...oppose, provision: { ...oppose.provision, type: 'permit' }, policyRule: emergencyConsent(rec.patientKey, 'centre_15', 'permit').policyRule }, ifMatch: `W/"${v}"` });
    expect({ status: again.status, code: again.body.issue[0].code }).toEqual({ status: 412, code: 'conflict' });
    expect((await call<Consent>(me, 'GET', `Consent/${id}`)).body.provision?.type).toBe('deny');
    // vread of the current version, not of the one before
    expect((await call(me, 'GET', `Consent/${id}/_history/${updated.body.meta!.versionId}`)).status).toBe(200);
    expect((await call(me, 'GET', `Consent/${id}/_history/${v}`)).status).toBe(404);
    // an authorisation: version 1 as granted, its revocation (status inactive) version 2
    const granted = await call<Consent>(me, 'POST', 'Consent', { body: grantConsent(rec.patientKey, 'Practitioner', pro('dentist').idNatPs, 'permit') });
    expect(granted.body.meta?.versionId).toBe('1');
    const revoke = { ...granted.body, status: 'inactive' as const };
    expect((await call(me, 'PUT', `Consent/${granted.body.id}`, { body: revoke, ifMatch: 'W/"2"' })).status).toBe(412);
    expect((await call<Consent>(me, 'GET', `Consent/${granted.body.id}`)).body.status).toBe('active');
    const revoked = await call<Consent>(me, 'PUT', `Consent/${granted.body.id}`, { body: revoke, ifMatch: granted.etag! });
    expect({ status: revoked.status, state: revoked.body.status, versionId: revoked.body.meta?.versionId, etag: revoked.etag }).toEqual({ status: 200, state: 'inactive', versionId: '2', etag: 'W/"2"' });
  });

  it('R4 http.html#update, #delete, If-Match 412 (List, personal selection): PUT and DELETE against a stale version are refused and change nothing', async () => {
    const doc = await deposit(rs, doctor, rec.ins);
    const created = await call<List>(me, 'POST', 'List', { body: selection(rec.patientKey, 'Suivi', [doc]) });
    const id = created.body.id!;
    expect(created.body.meta?.versionId).toBe('1');
    const renamed = { ...selection(rec.patientKey, 'Suivi annuel', [doc]), id };
    expect((await call(me, 'PUT', `List/${id}`, { body: renamed, ifMatch: 'W/"2"' })).status).toBe(412);
    expect((await call<List>(me, 'GET', `List/${id}`)).body.title).toBe('Suivi');
    const put = await call<List>(me, 'PUT', `List/${id}`, { body: renamed, ifMatch: 'W/"1"' });
    expect({ status: put.status, title: put.body.title, versionId: put.body.meta?.versionId }).toEqual({ status: 200, title: 'Suivi annuel', versionId: '2' });
    expectVersionHeaders(put);
    const read = await call<List>(me, 'GET', `List/${id}`);
    expectVersionHeaders(read);
    expect(read.body.meta).toEqual(put.body.meta);
    expect((await call(me, 'DELETE', `List/${id}`, { ifMatch: 'W/"1"' })).status).toBe(412);
    expect((await call(me, 'GET', `List/${id}`)).status).toBe(200);
    expect((await call(me, 'DELETE', `List/${id}`, { ifMatch: 'W/"2"' })).status).toBe(204);
    expect((await call(me, 'GET', `List/${id}`)).status).toBe(404);
  });

  it('R4 http.html#concurrency (DocumentReference PATCH): a stale If-Match is a 412, a malformed one a 400, and neither changes the document', async () => {
    const doc = await deposit(rs, doctor, rec.ins);
    const read = await call<DocumentReference>(me, 'GET', `DocumentReference/${doc}`);
    const patch = (ifMatch: string) => call<OperationOutcome>(me, 'PATCH', `DocumentReference/${doc}`, { body: archive, type: 'application/json-patch+json', ifMatch });
    expect((await patch('W/"0"')).status).toBe(412);
    for (const malformed of ['3', 'W/3', '"a" "b"', 'W/"1', ',']) {
      const bad = await patch(malformed);
      expect({ malformed, status: bad.status, code: bad.body.issue[0].code }).toEqual({ malformed, status: 400, code: 'invalid' });
    }
    expect((await call<DocumentReference>(me, 'GET', `DocumentReference/${doc}`)).body.meta).toEqual(read.body.meta);
    // a list of tags, one of them current, is honoured
    const archived = await patch(`W/"0", ${read.etag}`);
    expect({ status: archived.status, etag: archived.etag }).toEqual({ status: 200, etag: `W/"${read.body.meta!.versionId}.1"` });
  });

  it('ACC-08 / R4 http.html#concurrency: a resource the caller may not see answers a change with If-Match exactly as without (never a 412, no ETag), whatever the version named', async () => {
    // a document the patient may not see: its author hides it from her (MASK-02)
    const deposited = await deposit(rs, doctor, rec.ins);
    const hidden = await rs.server.app.services.metadata.setVisibility({ actor: doctor, channel: 'test' }, { entryUuid: `urn:uuid:${deposited}` }, 'INVISIBLE_PATIENT', true);
    const hiddenId = hidden.entryUuid.replace(/^urn:uuid:/, '');
    const current = (await call<DocumentReference>(doctor, 'GET', `DocumentReference/${hiddenId}`)).body.meta!.versionId!;
    // another patient's selection, Consent and record
    const theirs = await call<List>(patientActor(other.patientKey), 'POST', 'List', { body: selection(other.patientKey, 'À moi', []) });
    const theirSetting = await centre15Of(other.patientKey);
    const cases: Array<{ method: string; path: string; body?: unknown; type?: string }> = [
      { method: 'PATCH', path: `DocumentReference/${hiddenId}`, body: archive, type: 'application/json-patch+json' },
      { method: 'PUT', path: `List/${theirs.body.id}`, body: { ...selection(other.patientKey, 'Pris', []), id: theirs.body.id } },
      { method: 'DELETE', path: `List/${theirs.body.id}` },
      { method: 'PUT', path: `Consent/${theirSetting}`, body: { ...emergencyConsent(other.patientKey, 'centre_15', 'deny'), id: theirSetting } },
      { method: 'POST', path: `Patient/${other.patientKey}/$close` },
    ];
    for (const c of cases) {
      const plain = await call<OperationOutcome>(me, c.method, c.path, { body: c.body, type: c.type });
      expect([403, 404]).toContain(plain.status);
      for (const ifMatch of ['W/"999"', `W/"${current}"`, 'W/"1"']) {
        const guarded = await call<OperationOutcome>(me, c.method, c.path, { body: c.body, type: c.type, ifMatch });
        expect({ ...c, ifMatch, status: guarded.status, issue: guarded.body.issue, etag: guarded.etag, modified: guarded.modified }).toEqual({
          ...c,
          ifMatch,
          status: plain.status,
          issue: plain.body.issue,
          etag: null,
          modified: null,
        });
      }
    }
    // the hidden document reads as an unknown id, without ETag, and it is unchanged
    const read = await call<OperationOutcome>(me, 'GET', `DocumentReference/${hiddenId}`);
    expect({ status: read.status, etag: read.etag }).toEqual({ status: 404, etag: null });
    // and a vread naming its very version is the same unknown id
    const vread = await call<OperationOutcome>(me, 'GET', `DocumentReference/${hiddenId}/_history/${current}`);
    expect({ status: vread.status, issue: vread.body.issue, etag: vread.etag }).toEqual({ status: 404, issue: read.body.issue, etag: null });
    expect((await call<DocumentReference>(doctor, 'GET', `DocumentReference/${hiddenId}`)).body.meta?.versionId).toBe(current);
    expect((await call(patientActor(other.patientKey), 'GET', `List/${theirs.body.id}`)).status).toBe(200);
  });

  it('R4 http.html#concurrency (RelatedPerson, which keeps no version): If-Match can only be *, any entity-tag is a 412 and changes nothing', async () => {
    const support: Actor = { kind: 'support', agentId: 'agent-1' };
    const minor = await rs.server.app.services.records.create(
      { actor: support, channel: 'test' },
      { identifiers: [newIns()], family: 'Petit', given: 'Léo', birthDate: '2016-04-04', representatives: [{ relationship: 'parent', family: 'Petit', given: 'Nina' }], consent: { givenBy: 'legal_representative', representativeIndex: 0 } },
    );
    const [rep] = (await call<Bundle<RelatedPerson>>(support, 'GET', `RelatedPerson?patient=Patient/${minor.patientKey}`)).body.entry!.map((e) => e.resource!);
    const read = await call<RelatedPerson>(support, 'GET', `RelatedPerson/${rep.id}`);
    expect({ versionId: read.body.meta?.versionId, etag: read.etag }).toEqual({ versionId: undefined, etag: null });
    const end = { ...rep, active: false };
    const refused = await call<OperationOutcome>(support, 'PUT', `RelatedPerson/${rep.id}`, { body: end, ifMatch: 'W/"1"' });
    expect({ status: refused.status, code: refused.body.issue[0].code }).toEqual({ status: 412, code: 'conflict' });
    expect((await call<RelatedPerson>(support, 'GET', `RelatedPerson/${rep.id}`)).body.active).toBe(true);
    const ended = await call<RelatedPerson>(support, 'PUT', `RelatedPerson/${rep.id}`, { body: end, ifMatch: '*' });
    expect({ status: ended.status, active: ended.body.active }).toEqual({ status: 200, active: false });
  });

  it('R4 capabilitystatement (versioning, readHistory, updateCreate, conditional*): declared as the server really behaves', async () => {
    const cs = (await call<CapabilityStatement>(doctor, 'GET', 'metadata')).body;
    const byType = new Map(cs.rest![0].resource!.map((r) => [r.type as string, r]));
    const shown = (type: string) => {
      const r = byType.get(type)!;
      return { versioning: r.versioning, readHistory: r.readHistory, updateCreate: r.updateCreate, conditionalCreate: r.conditionalCreate, conditionalUpdate: r.conditionalUpdate, conditionalDelete: r.conditionalDelete };
    };
    // versionIds are kept and If-Match honoured, but no past version is read: versioned, not versioned-update
    expect(shown('Patient')).toEqual({ versioning: 'versioned', readHistory: false, updateCreate: false, conditionalCreate: false, conditionalUpdate: undefined, conditionalDelete: undefined });
    expect(shown('Consent')).toEqual({ versioning: 'versioned', readHistory: false, updateCreate: false, conditionalCreate: false, conditionalUpdate: false, conditionalDelete: undefined });
    expect(shown('List')).toEqual({ versioning: 'versioned', readHistory: false, updateCreate: false, conditionalCreate: false, conditionalUpdate: false, conditionalDelete: 'not-supported' });
    expect(shown('DocumentReference').versioning).toBe('versioned');
    // a resource without versions says so
    expect(shown('AuditEvent').versioning).toBe('no-version');
    expect(shown('RelatedPerson').versioning).toBe('no-version');
    for (const type of ['Patient', 'Consent', 'List', 'DocumentReference']) expect(byType.get(type)!.interaction!.map((i) => i.code)).toContain('vread');
  });
});
