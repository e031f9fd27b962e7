// ACC-10 through the FHIR door, on a real port: a bearer token whose patient claim (IUA
// person_id) names patient A opens nothing of patient B. Naming B (by identifier or by record
// key) is a 403 OperationOutcome, the same whether B has a DMP or not; B's documents, asked by
// id, are answered as unknown ids. Every refusal is traced on B's record when there is one.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'fhir-kit-client';
import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import type { ProfessionalActor } from '../../src/domain/actor.js';
import type { PatientIdentifier } from '../../src/domain/model.js';
import { adultRecord, deposit, fhir, INS, pro, reasonOf, startRecordServer, type FhirAnswer, type RecordServer } from '../support/fhir-record.js';
import { provideBundle } from '../support/mhd-bundle.js';
import { newIns } from '../support/world.js';

const NO_RECORD_CHAIN = '00000000-0000-0000-0000-000000000000';
const TRE_A07 = 'https://mos.esante.gouv.fr/NOS/TRE_A07-StatutVisibiliteDocument/FHIR/TRE-A07-StatutVisibiliteDocument';

/** The answer without what differs between two exchanges (nothing else may). */
const sameness = (a: FhirAnswer) => ({ status: a.status, body: a.body });

describe('ACC-10: the FHIR door holds a bearer token to the patient it names', () => {
  let rs: RecordServer;
  let a: { patientKey: string; ins: PatientIdentifier };
  let b: { patientKey: string; ins: PatientIdentifier };
  const c = newIns();
  const doctor = pro('doctor');
  let boundToA: ProfessionalActor;
  let aDoc: string;
  let bDoc: string;

  async function traceRows(patientKey: string) {
    const r = await rs.db.query<{ outcome: string; reason: string | null; channel: string }>(
      'SELECT outcome, reason, channel FROM access_trace WHERE chain_key = $1 ORDER BY seq',
      [patientKey],
    );
    return r.rows;
  }

  async function documentCount(patientKey: string): Promise<number> {
    const r = await rs.db.query<{ n: string }>('SELECT count(*)::text AS n FROM document_entry WHERE patient_key = $1', [patientKey]);
    return Number(r.rows[0]!.n);
  }

  beforeAll(async () => {
    rs = await startRecordServer();
    a = await adultRecord(rs);
    b = await adultRecord(rs);
    for (const p of [a, b]) {
      await rs.server.app.services.consent.addGrant({ actor: { kind: 'patient', patientKey: p.patientKey }, channel: 'test' }, p.patientKey, {
        subjectKind: 'professional',
        subjectId: doctor.idNatPs,
        effect: 'permit',
      });
    }
    aDoc = await deposit(rs, doctor, a.ins);
    bDoc = await deposit(rs, doctor, b.ins);
    boundToA = { ...doctor, boundPatient: a.ins };
  }, 60_000);
  afterAll(async () => {
    await rs.close();
  });

  it('ACC-10: searches and reads that name another patient, by identifier or by record key, are a 403 OperationOutcome whether or not that patient has a DMP', async () => {
    const unknownKey = randomUUID();
    const pairs: Array<[string, string]> = [
      [`DocumentReference?patient.identifier=${INS}|${b.ins.value}`, `DocumentReference?patient.identifier=${INS}|${c.value}`],
      [`DocumentReference?patient=Patient/${b.patientKey}`, `DocumentReference?patient=Patient/${unknownKey}`],
      [`List?patient.identifier=${INS}|${b.ins.value}`, `List?patient.identifier=${INS}|${c.value}`],
      [`List?patient=Patient/${b.patientKey}`, `List?patient=Patient/${unknownKey}`],
      [`Patient?identifier=${INS}|${b.ins.value}`, `Patient?identifier=${INS}|${c.value}`],
      [`Patient/${b.patientKey}`, `Patient/${unknownKey}`],
      [`AuditEvent?patient=Patient/${b.patientKey}`, `AuditEvent?patient=Patient/${unknownKey}`],
      [`Consent?patient=Patient/${b.patientKey}`, `Consent?patient=Patient/${unknownKey}`],
    ];
    for (const [ofB, ofUnknown] of pairs) {
      const before = (await traceRows(b.patientKey)).length;
      const toB = await fhir<OperationOutcome>(rs, boundToA, 'GET', ofB);
      const toUnknown = await fhir<OperationOutcome>(rs, boundToA, 'GET', ofUnknown);
      expect({ path: ofB, status: toB.status, reason: reasonOf(toB.body) }).toEqual({ path: ofB, status: 403, reason: 'other_patient' });
      expect({ path: ofUnknown, ...sameness(toUnknown) }).toEqual({ path: ofUnknown, ...sameness(toB) });
      const after = await traceRows(b.patientKey);
      expect(after.slice(before)).toEqual([{ outcome: 'denied', reason: 'other_patient', channel: 'fhir' }]);
    }
    // the token's own patient: answered as usual
    const own = await fhir<Bundle>(rs, boundToA, 'GET', `DocumentReference?patient.identifier=${INS}|${a.ins.value}`);
    expect(own.status).toBe(200);
    expect(own.body.entry?.map((e) => e.resource?.id)).toEqual([aDoc]);
  });

  it('ACC-10: another patient\'s document, asked by id (DocumentReference, Binary, PATCH), is answered as an unknown id', async () => {
    const unknown = randomUUID();
    for (const [method, path] of [['GET', 'DocumentReference'], ['GET', 'Binary']] as const) {
      const ofB = await fhir(rs, boundToA, method, `${path}/${bDoc}`);
      const ofUnknown = await fhir(rs, boundToA, method, `${path}/${unknown}`);
      expect({ path, ...sameness(ofB) }).toEqual({ path, ...sameness(ofUnknown) });
      expect(ofB.status).toBe(404);
    }
    // through fhir-kit-client too, as a client library sees it
    const client = new Client({ baseUrl: rs.fhirBase, customHeaders: { authorization: `Bearer ${await rs.server.tokenFor(boundToA)}` } });
    await expect(client.read({ resourceType: 'DocumentReference', id: bDoc })).rejects.toMatchObject({ response: { status: 404 } });
    expect(await client.read({ resourceType: 'DocumentReference', id: aDoc })).toMatchObject({ id: aDoc });

    const patch = async (id: string) => {
      const res = await fetch(`${rs.fhirBase}/DocumentReference/${id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${await rs.server.tokenFor(boundToA)}`, 'content-type': 'application/json-patch+json', accept: 'application/fhir+json' },
        body: JSON.stringify([{ op: 'add', path: '/securityLabel/-', value: { coding: [{ system: TRE_A07, code: 'INVISIBLE_PATIENT' }] } }]),
      });
      return { status: res.status, body: await res.json() };
    };
    const before = await documentCount(b.patientKey);
    expect(await patch(bDoc)).toEqual(await patch(unknown));
    expect(await documentCount(b.patientKey)).toBe(before);
    expect((await traceRows(b.patientKey)).filter((r) => r.reason === 'other_patient').length).toBeGreaterThan(0);
  });

  it('ACC-10: an ITI-65 Bundle about another patient is refused (403) and stores nothing, whether or not that patient has a DMP', async () => {
    const send = async (subject: string) => {
      const res = await fetch(`${rs.fhirBase}/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await rs.server.tokenFor(boundToA)}`, 'content-type': 'application/fhir+json', accept: 'application/fhir+json' },
        body: JSON.stringify(provideBundle({ patient: subject, docs: [{ author: { idNatPs: doctor.idNatPs, family: 'Martin', given: 'Alice' } }] })),
      });
      return { status: res.status, body: (await res.json()) as OperationOutcome };
    };
    const before = await documentCount(b.patientKey);
    const toB = await send(`Patient/${b.patientKey}`);
    const toUnknown = await send(`Patient/${randomUUID()}`);
    expect({ status: toB.status, reason: reasonOf(toB.body) }).toEqual({ status: 403, reason: 'other_patient' });
    expect(toUnknown).toEqual(toB);
    expect(await documentCount(b.patientKey)).toBe(before);
    // the token's own patient
    const own = await send(`${rs.fhirBase}/Patient/${a.patientKey}`);
    expect(own.status).toBe(200);
  });

  it('ACC-10: creating a DMP for another patient is refused before saying whether one exists', async () => {
    const create = async (value: string) =>
      fhir<OperationOutcome>(rs, boundToA, 'POST', 'Patient', {
        body: {
          resourceType: 'Patient',
          identifier: [{ system: INS, value }],
          name: [{ family: 'Autre', given: ['Patient'] }],
          birthDate: '1970-01-01',
        },
      });
    const existing = await create(b.ins.value);
    const fresh = await create(c.value);
    expect({ status: existing.status, reason: reasonOf(existing.body) }).toEqual({ status: 403, reason: 'other_patient' });
    expect(sameness(fresh)).toEqual(sameness(existing));
    // traced on B's record for B, with the accesses that concern no record for the patient without one
    const denied = await rs.db.query<{ chain_key: string }>(
      "SELECT chain_key::text FROM access_trace WHERE chain_key IN ($1, $2) AND reason = 'other_patient' AND action = 'record.create' ORDER BY occurred_at",
      [b.patientKey, NO_RECORD_CHAIN],
    );
    expect(denied.rows.map((r) => r.chain_key)).toEqual([b.patientKey, NO_RECORD_CHAIN]);
  });

  it('ACC-10: a token whose patient claim cannot be read is refused (401), never taken as unbound', async () => {
    const token = await rs.server.app.verifier.sign(
      { sub: doctor.idNatPs, subject_type: 'professional', profession: '10', structure_id: doctor.structureId, person_id: 'not a CX' },
      600,
    );
    const res = await fetch(`${rs.fhirBase}/DocumentReference?patient.identifier=${INS}|${b.ins.value}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    // the IUA extension carries it as well
    const iua = await rs.server.app.verifier.sign(
      { sub: doctor.idNatPs, subject_type: 'professional', profession: '10', extensions: { ihe_iua: { person_id: `${a.ins.value}^^^&${a.ins.system}&ISO` } } },
      600,
    );
    const viaIua = await fetch(`${rs.fhirBase}/DocumentReference?patient.identifier=${INS}|${b.ins.value}`, { headers: { authorization: `Bearer ${iua}` } });
    expect(viaIua.status).toBe(403);
    // a claim at the top level and another in the IUA extension naming two patients, or a null
    // one: no patient is read from them, and no request is taken as unbound (each asks for B)
    const cxOf = (p: PatientIdentifier) => `${p.value}^^^&${p.system}&ISO`;
    for (const [name, claims] of [
      ['two patients', { person_id: cxOf(a.ins), extensions: { ihe_iua: { person_id: cxOf(b.ins) } } }],
      ['two patients, the other way', { person_id: cxOf(b.ins), extensions: { ihe_iua: { person_id: cxOf(a.ins) } } }],
      ['null', { person_id: null }],
      ['null in IUA', { extensions: { ihe_iua: { person_id: null } } }],
    ] as const) {
      const token = await rs.server.app.verifier.sign({ sub: doctor.idNatPs, subject_type: 'professional', profession: '10', ...(claims as object) }, 600);
      const res = await fetch(`${rs.fhirBase}/DocumentReference?patient.identifier=${INS}|${b.ins.value}`, { headers: { authorization: `Bearer ${token}` } });
      expect({ name, status: res.status }).toEqual({ name, status: 401 });
    }
  });
});
