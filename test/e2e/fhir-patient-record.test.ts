import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, OperationOutcome, Patient } from '@medplum/fhirtypes';
import { Client } from 'fhir-kit-client';
import { adultRecord, fhir, INS, newIns, patientActor, pro, PROS, reasonOf, startRecordServer, type RecordServer } from '../support/fhir-record.js';

const CLOSURE = 'https://interop.esante.gouv.fr/ig/fhir/dmp/StructureDefinition/dmp-fermeture';
const AUTH = 'https://carnet.example/fhir/StructureDefinition/dmp-authorisation-status';
const MT = 'https://carnet.example/fhir/StructureDefinition/dmp-medecin-traitant';

describe('FHIR Patient: the DMP itself', () => {
  let rs: RecordServer;
  beforeAll(async () => {
    rs = await startRecordServer();
  });
  afterAll(async () => {
    await rs.close();
  });

  const ext = (p: Patient, url: string) => p.extension?.find((e) => e.url === url);

  it('DMP-04: a professional asking for an INS with no DMP gets an empty searchset, not an error', async () => {
    const client = new Client({ baseUrl: rs.fhirBase, bearerToken: await rs.server.tokenFor(pro('doctor')) });
    const bundle = (await client.search({ resourceType: 'Patient', searchParams: { identifier: `${INS}|${newIns().value}` } })) as unknown as Bundle;
    expect(bundle.resourceType).toBe('Bundle');
    expect(bundle.type).toBe('searchset');
    expect(bundle.total).toBe(0);
    expect(bundle.entry ?? []).toHaveLength(0);
  });

  it('TD0.2: an existing DMP answers with its state, its identity traits as held, and the caller\'s standing', async () => {
    const { patientKey, ins } = await adultRecord(rs);
    const client = new Client({ baseUrl: rs.fhirBase, bearerToken: await rs.server.tokenFor(pro('doctor')) });
    const bundle = (await client.search({ resourceType: 'Patient', searchParams: { identifier: `${INS}|${ins.value}` } })) as unknown as Bundle;
    expect(bundle.total).toBe(1);
    const p = bundle.entry![0].resource as Patient;
    expect(p.id).toBe(patientKey);
    expect(bundle.entry![0].fullUrl).toBe(`${rs.fhirBase}/Patient/${patientKey}`);
    expect(p.active).toBe(true);
    expect(p.identifier).toEqual([{ system: INS, value: ins.value }]);
    expect(p.name).toEqual([{ family: 'Durand', given: ['Jeanne'] }]);
    expect(p.birthDate).toBe('1980-05-17');
    expect(ext(p, CLOSURE)).toBeUndefined();
    expect(ext(p, AUTH)?.valueCoding?.code).toBe('not-authorised');
    expect(ext(p, MT)?.valueBoolean).toBe(false);
  });

  it('answers the existence check in XML too', async () => {
    const { ins } = await adultRecord(rs);
    const res = await fhir<Bundle>(rs, pro('nurse'), 'GET', `Patient?identifier=${encodeURIComponent(`${INS}|${ins.value}`)}`, { format: 'xml' });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(1);
    expect((res.body.entry![0].resource as Patient).active).toBe(true);
  });

  it('reads a DMP by its id, and a record id that does not exist is a 404', async () => {
    const { patientKey } = await adultRecord(rs);
    const ok = await fhir<Patient>(rs, patientActor(patientKey), 'GET', `Patient/${patientKey}`);
    expect(ok.status).toBe(200);
    expect(ok.body.id).toBe(patientKey);
    expect(ext(ok.body, AUTH)).toBeUndefined(); // the standing is a professional's question
    const missing = await fhir<OperationOutcome>(rs, pro('doctor'), 'GET', 'Patient/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.resourceType).toBe('OperationOutcome');
  });

  it('answers 401 with an OperationOutcome without a token', async () => {
    const res = await fhir<OperationOutcome>(rs, null, 'GET', `Patient?identifier=${INS}|1234567890123`);
    expect(res.status).toBe(401);
    expect(res.body.issue[0].code).toBe('login');
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('refuses a search by a system that is not an INS', async () => {
    const res = await fhir<OperationOutcome>(rs, pro('doctor'), 'GET', 'Patient?identifier=urn:oid:1.2.3|42');
    expect(res.status).toBe(400);
  });

  it('DMP-05: closing shows the closure, refuses professionals, and the patient reactivates it as it was', async () => {
    const { patientKey, ins } = await adultRecord(rs);
    const me = patientActor(patientKey);
    const doctor = pro('doctor');
    // the doctor is authorised before the closure
    expect((await fhir(rs, me, 'POST', 'Consent', { body: grant(patientKey, 'Practitioner', doctor.idNatPs, 'permit') })).status).toBe(201);

    const closed = await fhir(rs, me, 'POST', `Patient/${patientKey}/$close`, {
      body: { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'je ne souhaite plus de DMP' }] },
    });
    expect(closed.status).toBe(200);

    const found = await fhir<Bundle>(rs, doctor, 'GET', `Patient?identifier=${INS}|${ins.value}`);
    expect(found.status).toBe(200);
    const p = found.body.entry![0].resource as Patient;
    expect(p.active).toBe(false);
    const closure = ext(p, CLOSURE)!;
    expect(closure.extension?.find((e) => e.url === 'dateFermeture')?.valueDateTime).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(closure.extension?.find((e) => e.url === 'raisonFermeture')?.valueString).toBe('je ne souhaite plus de DMP');
    expect(closure.extension?.find((e) => e.url === 'motifFermeture')?.valueCoding?.code).toBe('patient-demande');

    // no professional access to a closed DMP, even authorised
    const refused = await fhir(rs, doctor, 'GET', `Consent?patient=Patient/${patientKey}`);
    expect(refused.status).toBe(403);
    expect(reasonOf(refused.body)).toBe('record_closed');
    // a professional reactivates only at the patient's request (ACC-07)
    const proReactivate = await fhir(rs, doctor, 'POST', `Patient/${patientKey}/$reactivate`);
    expect(proReactivate.status).toBe(403);
    expect(reasonOf(proReactivate.body)).toBe('not_on_patient_request');

    expect((await fhir(rs, me, 'POST', `Patient/${patientKey}/$reactivate`)).status).toBe(200);
    const again = await fhir<Patient>(rs, doctor, 'GET', `Patient/${patientKey}`);
    expect(again.body.active).toBe(true);
    expect(ext(again.body, CLOSURE)).toBeUndefined();
    expect(ext(again.body, AUTH)?.valueCoding?.code).toBe('authorised'); // everything as it was
  });

  it('DMP-05, ACC-07: a professional closes only at the patient\'s request', async () => {
    const { patientKey } = await adultRecord(rs);
    const doctor = pro('doctor');
    await fhir(rs, patientActor(patientKey), 'POST', 'Consent', { body: grant(patientKey, 'Practitioner', doctor.idNatPs, 'permit') });
    const alone = await fhir(rs, doctor, 'POST', `Patient/${patientKey}/$close`);
    expect(alone.status).toBe(403);
    expect(reasonOf(alone.body)).toBe('not_on_patient_request');
    const asked = await fhir(rs, pro('doctor', { onPatientRequest: true }), 'POST', `Patient/${patientKey}/$close`);
    expect(asked.status).toBe(200);
  });

  it('DMP-05, ACC-07: a professional at the patient\'s request, or the support service, reopens a closed DMP for a patient without an internet account; the request is recorded in the trace', async () => {
    const { patientKey } = await adultRecord(rs);
    const support = { kind: 'support' as const, agentId: 'agent-5' };
    // support closes it (the patient phoned the DMP Info Service), then a pharmacist at the counter reopens it at the patient's request
    expect((await fhir(rs, support, 'POST', `Patient/${patientKey}/$close`, { body: { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'demande par téléphone' }] } })).status).toBe(200);
    expect((await fhir(rs, support, 'POST', `Patient/${patientKey}/$close`)).status).toBe(403);
    const pharmacist = pro('pharmacist');
    expect(reasonOf((await fhir(rs, pharmacist, 'POST', `Patient/${patientKey}/$reactivate`)).body)).toBe('not_on_patient_request');
    expect((await fhir(rs, pro('pharmacist', { onPatientRequest: true }), 'POST', `Patient/${patientKey}/$reactivate`)).status).toBe(200);
    expect((await fhir<Patient>(rs, support, 'GET', `Patient/${patientKey}`)).body.active).toBe(true);
    // and support reopens a DMP a professional closed at the patient's request
    await fhir(rs, patientActor(patientKey), 'POST', 'Consent', { body: grant(patientKey, 'Practitioner', pro('doctor').idNatPs, 'permit') });
    expect((await fhir(rs, pro('doctor', { onPatientRequest: true }), 'POST', `Patient/${patientKey}/$close`)).status).toBe(200);
    expect((await fhir(rs, support, 'POST', `Patient/${patientKey}/$reactivate`)).status).toBe(200);
    const trace = await rs.db.query<{ action: string; actor_kind: string; actor_id: string; outcome: string; on_patient_request: boolean }>(
      "SELECT action, actor_kind, actor_id, outcome, on_patient_request FROM access_trace WHERE chain_key = $1 AND action IN ('record.close', 'record.reactivate') ORDER BY seq",
      [patientKey],
    );
    expect(trace.rows.map((r) => [r.action, r.actor_id, r.outcome, r.on_patient_request])).toEqual([
      ['record.close', 'agent-5', 'success', false],
      ['record.close', 'agent-5', 'denied', false],
      ['record.reactivate', PROS.pharmacist.idNatPs, 'denied', false],
      ['record.reactivate', PROS.pharmacist.idNatPs, 'success', true],
      ['record.close', PROS.doctor.idNatPs, 'success', true],
      ['record.reactivate', 'agent-5', 'success', false],
    ]);
  });

  it('closing an unknown record is a 404', async () => {
    const res = await fhir(rs, pro('doctor', { onPatientRequest: true }), 'POST', 'Patient/00000000-0000-4000-8000-000000000001/$close');
    expect(res.status).toBe(404);
  });
});

function grant(patientKey: string, type: 'Practitioner' | 'Organization', id: string, effect: 'permit' | 'deny') {
  return {
    resourceType: 'Consent' as const,
    status: 'active' as const,
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'https://carnet.example/fhir/CodeSystem/dmp-consent-category', code: 'access' }] }],
    patient: { reference: `Patient/${patientKey}` },
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: effect === 'permit' ? 'OPTIN' : 'OPTOUT' }] },
    provision: { type: effect, actor: [{ role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] }, reference: { reference: `${type}/${id}` } }] },
  };
}
