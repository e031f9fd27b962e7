// The lock from outside, by a holder of the patient side (a patient, a legal representative)
// naming a record they do not hold: by its patient's identifier (INS) in a search, or by its
// key (a Patient id, a record-scoped id of a selection, an AuditEvent, a Consent). Such a
// record does not exist for them (ACC-08, DMP-04): every answer must be, word for word, the one
// for an INS or a key no record has — a 403 "wrong record" told anyone with a patient account
// which INS has a DMP. The attempt is still an access to that record, and is traced there
// (TRACE-01). A real port, FHIR, each store.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle } from '@medplum/fhirtypes';
import type { Actor } from '../../src/domain/actor.js';
import type { PatientIdentifier } from '../../src/domain/model.js';
import { startLockServer, type Answer, type LockServer } from '../support/lock-clients.js';
import { adultRecordAllowing, minorRecord } from '../support/lock-records.js';
import { grantConsent } from '../support/fhir-record.js';
import { provideBundle } from '../support/mhd-bundle.js';
import { activeSession, call, startPortal, type Portal } from '../support/patient-portal.js';
import { storeKinds } from '../support/stores.js';
import { as, newIns, proActor, submission } from '../support/world.js';

const SELECTION_CODE = { coding: [{ system: 'https://carnet.example/fhir/CodeSystem/dmp-list-type', code: 'carnet-selection' }] };

const TRE_A05 = 'https://mos.esante.gouv.fr/NOS/TRE_A05-TypeDocComplementaire/FHIR/TRE-A05-TypeDocComplementaire';

/** A deposit of the patient's own (DOC-08, class 90), its subject `patient`. */
function patientDeposit(patient: string): Bundle {
  const bundle = provideBundle({ patient, docs: [{ typeCode: 'EXPPAT_2', classCode: '90', content: 'mes notes', mimeType: 'text/plain' }] });
  for (const e of bundle.entry ?? []) if (e.resource?.resourceType === 'DocumentReference') e.resource.type = { coding: [{ system: TRE_A05, code: 'EXPPAT_2' }] };
  return bundle;
}

/** The Bundle with its subject a Patient of the Bundle, known by `ins` alone. */
function bySubjectIns(bundle: Bundle, ins: PatientIdentifier): Bundle {
  const subject = 'urn:uuid:00000000-0000-4000-8000-000000000001';
  bundle.entry!.push({ fullUrl: subject, resource: { resourceType: 'Patient', identifier: [{ system: `urn:oid:${ins.system}`, value: ins.value }] }, request: { method: 'POST', url: 'Patient' } });
  return bundle;
}

/** The requests a holder may make about a record, named by `key` or by `ins`. */
function requestsAbout(key: string, ins: PatientIdentifier): Array<{ method: string; path: string; body?: unknown }> {
  const token = encodeURIComponent(`urn:oid:${ins.system}|${ins.value}`);
  const scoped = () => `${key.replace(/-/g, '')}${randomUUID().replace(/-/g, '')}`;
  return [
    { method: 'GET', path: `DocumentReference?patient.identifier=${token}` },
    { method: 'GET', path: `DocumentReference?patient.identifier=${token}&_summary=count` },
    { method: 'GET', path: `DocumentReference?patient.identifier=${token}&_total=accurate&_count=1` },
    { method: 'GET', path: `List?patient.identifier=${token}` },
    { method: 'GET', path: `Patient?identifier=${token}` },
    { method: 'GET', path: `Patient?_id=${key}` },
    { method: 'GET', path: `Patient/${key}` },
    { method: 'GET', path: `Patient/${key}/_history/1` },
    { method: 'GET', path: `Patient/${key}/$home` },
    { method: 'GET', path: `Patient/${key}/$download` },
    { method: 'GET', path: `Patient/${key}/$contacts` },
    { method: 'GET', path: `Patient/${key}/$preferences` },
    { method: 'POST', path: `Patient/${key}/$close`, body: { resourceType: 'Parameters', parameter: [] } },
    { method: 'POST', path: `Patient/${key}/$reactivate`, body: { resourceType: 'Parameters', parameter: [] } },
    { method: 'POST', path: `Patient/${key}/$preferences`, body: { resourceType: 'Parameters', parameter: [{ name: 'pageSize', valueInteger: 2 }] } },
    { method: 'POST', path: `Patient/${key}/$contacts`, body: { resourceType: 'Parameters', parameter: [{ name: 'emergencyContact', part: [{ name: 'name', valueString: 'Anne Morel' }, { name: 'phone', valueString: '06 12 34 56 78' }] }] } },
    { method: 'POST', path: `Patient/${key}/$copy-request`, body: { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'copie' }, { name: 'delivery', valueCode: 'email' }] } },
    { method: 'POST', path: 'Consent', body: grantConsent(key, 'Practitioner', proActor('doctor').idNatPs, 'deny') },
    { method: 'GET', path: `DocumentReference?patient=Patient/${key}` },
    { method: 'GET', path: `List?patient=Patient/${key}` },
    { method: 'GET', path: `List?code=carnet-selection&patient=Patient/${key}` },
    { method: 'GET', path: `AuditEvent?patient=Patient/${key}` },
    { method: 'GET', path: `Consent?patient=Patient/${key}` },
    { method: 'GET', path: `RelatedPerson?patient=Patient/${key}` },
    { method: 'POST', path: 'List', body: { resourceType: 'List', status: 'current', mode: 'working', title: 'x', code: SELECTION_CODE, subject: { reference: `Patient/${key}` }, entry: [] } },
    { method: 'GET', path: `List/${scoped()}` },
    { method: 'DELETE', path: `List/${scoped()}` },
    { method: 'GET', path: `AuditEvent/${scoped()}` },
    { method: 'GET', path: `Consent/${scoped()}` },
    // ITI-65 (DOC-08: the patient deposits too), the subject named by key, then by INS
    { method: 'POST', path: '', body: patientDeposit(`Patient/${key}`) },
    { method: 'POST', path: '', body: bySubjectIns(patientDeposit('urn:uuid:00000000-0000-4000-8000-000000000001'), ins) },
  ];
}

/** An answer with what names the record asked about, and what differs from one answer to the next, taken out. */
function comparable(a: Answer, names: string[]): { status: number; contentType: string; body: string } {
  let body = a.body.toString('utf8');
  if (a.json) {
    const { id: _id, meta: _meta, timestamp: _timestamp, ...rest } = a.json as unknown as Record<string, unknown>;
    body = JSON.stringify(rest);
  }
  for (const name of names) body = body.split(name).join('<record>');
  // an outcome entry's own fullUrl is new in every answer
  body = body.replace(/urn:uuid:[0-9a-f-]{36}/g, 'urn:uuid:<new>');
  return { status: a.status, contentType: a.contentType, body };
}

for (const kind of storeKinds()) {
  describe(`ACC-08 / DMP-04 / TRACE-01: a record the patient side does not hold does not exist for it [${kind}]`, () => {
    let lock: LockServer;
    let other: { patientKey: string; ins: PatientIdentifier };
    let holders: Array<{ who: string; actor: Actor }>;
    let own: { patientKey: string; ins: PatientIdentifier };

    beforeAll(async () => {
      lock = await startLockServer(kind);
      const sv = lock.server.app.services;
      const doctor = proActor('doctor');
      own = await adultRecordAllowing(sv, [doctor]);
      const minor = await minorRecord(sv, [{ given: 'Anne', family: 'Durand' }]);
      other = await adultRecordAllowing(sv, [doctor], [], { given: 'Paul', family: 'Martin', birthDate: '1975-01-02' });
      await sv.submissions.submit(as(doctor), submission(other.ins, [{ authorId: doctor.idNatPs, authorStructure: doctor.structureId }]));
      holders = [
        { who: 'patient', actor: { kind: 'patient', patientKey: own.patientKey } },
        { who: 'legal representative', actor: { kind: 'legal_representative', patientKey: minor.patientKey, representativeId: minor.representativeIds[0]! } },
      ];
    }, 60_000);
    afterAll(async () => {
      await lock?.close();
    });

    const rowsOn = async (key: string) =>
      (await lock.db.query<{ n: number }>("SELECT count(*)::int AS n FROM access_trace WHERE chain_key = $1 AND outcome = 'denied' AND reason = 'wrong_record'", [key])).rows[0]!.n;

    it('DOC-08: the deposit the comparison sends is taken on the patient’s own record, named by key and by INS', async () => {
      const patient = holders[0]!.actor;
      expect((await lock.c.fhir(patient, '', { method: 'POST', body: patientDeposit(`Patient/${own.patientKey}`) })).status).toBe(200);
      expect((await lock.c.fhir(patient, '', { method: 'POST', body: bySubjectIns(patientDeposit('urn:uuid:00000000-0000-4000-8000-000000000001'), own.ins) })).status).toBe(200);
    });

    it('ACC-08 / DMP-04: by INS or by key, every answer about another record is the one for an INS or a key no record has', async () => {
      const differences: unknown[] = [];
      for (const { who, actor } of holders) {
        const nobody = { patientKey: randomUUID(), ins: newIns() };
        const asked = requestsAbout(other.patientKey, other.ins);
        const unknown = requestsAbout(nobody.patientKey, nobody.ins);
        for (let i = 0; i < asked.length; i++) {
          const a = comparable(await lock.c.fhir(actor, asked[i]!.path, asked[i]!), [other.patientKey, other.patientKey.replace(/-/g, ''), other.ins.value]);
          const u = comparable(await lock.c.fhir(actor, unknown[i]!.path, unknown[i]!), [nobody.patientKey, nobody.patientKey.replace(/-/g, ''), nobody.ins.value]);
          if (JSON.stringify(a) !== JSON.stringify(u)) differences.push({ who, request: `${asked[i]!.method} ${asked[i]!.path.split(other.patientKey).join('<record>')}`, record: a, none: u });
        }
      }
      expect(differences).toEqual([]);
    });

    it('TRACE-01: each attempt on the other record leaves a denied row on that record, naming the holder who made it', async () => {
      const untraced: string[] = [];
      for (const { who, actor } of holders) {
        for (const r of requestsAbout(other.patientKey, other.ins)) {
          const before = await rowsOn(other.patientKey);
          await lock.c.fhir(actor, r.path, r);
          if ((await rowsOn(other.patientKey)) === before) untraced.push(`${who}: ${r.method} ${r.path}`);
        }
      }
      expect(untraced).toEqual([]);
      const byWhom = await lock.db.query<{ actor_kind: string }>(
        "SELECT DISTINCT actor_kind FROM access_trace WHERE chain_key = $1 AND reason = 'wrong_record' ORDER BY actor_kind",
        [other.patientKey],
      );
      expect(byWhom.rows.map((r) => r.actor_kind)).toEqual(['legal_representative', 'patient']);
    });
  });
}

for (const kind of storeKinds()) {
  describe(`TRACE-01 / ACC-08: a session opening a record its login does not reach [${kind}]`, () => {
    let portal: Portal;
    beforeAll(async () => {
      portal = await startPortal({}, kind);
    }, 60_000);
    afterAll(async () => {
      await portal?.close();
    });

    it('TRACE-01 / ACC-08: POST /auth/switch to another record answers as for a key no record has, and the attempt is traced on that record', async () => {
      const sv = portal.server.app.services;
      const mine = await adultRecordAllowing(sv, []);
      const theirs = await adultRecordAllowing(sv, [], [], { given: 'Paul', family: 'Martin', birthDate: '1975-01-02' });
      const { token } = await activeSession(portal, mine.patientKey, 'moi@carnet.test');
      const rows = async () =>
        (await portal.db.query<{ n: number }>("SELECT count(*)::int AS n FROM access_trace WHERE chain_key = $1 AND outcome = 'denied' AND reason = 'wrong_record'", [theirs.patientKey])).rows[0]!.n;
      const before = await rows();
      const other = await call(portal, 'POST', '/auth/switch', { token, body: { patient: theirs.patientKey } });
      const none = await call(portal, 'POST', '/auth/switch', { token, body: { patient: randomUUID() } });
      expect({ status: other.status, body: other.json }).toEqual({ status: none.status, body: none.json });
      expect(other.status).toBe(404);
      expect((await rows()) - before).toBe(1);
    });
  });
}
