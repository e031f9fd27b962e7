import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, Consent } from '@medplum/fhirtypes';
import { Client } from 'fhir-kit-client';
import {
  adultRecord,
  deposit,
  fhir,
  grantConsent,
  IDNAT_PS,
  patientActor,
  pro,
  reasonOf,
  startRecordServer,
  OTHER_STRUCTURE,
  STRUCTURE,
  type RecordServer,
} from '../support/fhir-record.js';

const ON_REQUEST = 'https://carnet.example/fhir/StructureDefinition/dmp-on-patient-request';

describe('FHIR Consent: authorisations and blocks', () => {
  let rs: RecordServer;
  beforeAll(async () => {
    rs = await startRecordServer();
  });
  afterAll(async () => {
    await rs.close();
  });

  /** A record with one document deposited by the doctor; returns its key. */
  async function recordWithDocument() {
    const rec = await adultRecord(rs);
    await deposit(rs, pro('doctor'), rec.ins);
    return rec;
  }

  const documents = (actor: Parameters<typeof fhir>[1], patientKey: string) => fhir<Bundle>(rs, actor, 'GET', `DocumentReference?patient=Patient/${patientKey}`);

  it('ACC-01: a professional authorised by the patient reads the DMP; before, refused with 403', async () => {
    const { patientKey } = await recordWithDocument();
    const doctor2 = pro('doctor2');
    const before = await documents(doctor2, patientKey);
    expect(before.status).toBe(403);
    expect(reasonOf(before.body)).toBe('not_authorised');

    const client = new Client({ baseUrl: rs.fhirBase, bearerToken: await rs.server.tokenFor(patientActor(patientKey)) });
    const created = (await client.create({ resourceType: 'Consent', body: grantConsent(patientKey, 'Practitioner', doctor2.idNatPs, 'permit') as never })) as unknown as Consent;
    expect(created.id).toMatch(/^[0-9a-f]{64}$/);
    expect(created.status).toBe('active');
    expect(created.provision?.type).toBe('permit');
    expect(created.provision?.actor?.[0].reference).toMatchObject({ reference: `Practitioner/${doctor2.idNatPs}`, identifier: { system: IDNAT_PS, value: doctor2.idNatPs } });
    expect(created.performer?.[0].reference).toBe(`Patient/${patientKey}`);

    const after = await documents(doctor2, patientKey);
    expect(after.status).toBe(200);
    expect(after.body.total).toBe(1);

    const read = (await client.read({ resourceType: 'Consent', id: created.id! })) as unknown as Consent;
    expect(read).toEqual(created);
    const found = (await client.search({ resourceType: 'Consent', searchParams: { patient: `Patient/${patientKey}`, category: 'access', actor: `Practitioner/${doctor2.idNatPs}` } })) as unknown as Bundle;
    expect(found.total).toBe(1);
    expect(found.entry![0].resource!.id).toBe(created.id);
  });

  it('ACC-03: a blocked professional is refused even if authorised, even in emergency', async () => {
    const { patientKey } = await recordWithDocument();
    const me = patientActor(patientKey);
    const doctor2 = pro('doctor2');
    expect((await fhir(rs, me, 'POST', 'Consent', { body: grantConsent(patientKey, 'Practitioner', doctor2.idNatPs, 'permit') })).status).toBe(201);
    const block = await fhir<Consent>(rs, me, 'POST', 'Consent', { body: grantConsent(patientKey, 'Practitioner', doctor2.idNatPs, 'deny') });
    expect(block.status).toBe(201);
    expect(block.body.provision?.type).toBe('deny');

    for (const mode of ['normal', 'bris_de_glace', 'centre_15']) {
      const res = await documents(pro('doctor2', { mode }), patientKey);
      expect(res.status).toBe(403);
      expect(reasonOf(res.body)).toBe('blocked');
    }
    // the existence check tells a blocked professional nothing either
    expect((await fhir(rs, doctor2, 'GET', `Patient/${patientKey}`)).status).toBe(403);
  });

  it('ACC-04: authorising a structure lets its health professionals read, never its administrative staff', async () => {
    const { patientKey } = await recordWithDocument();
    const res = await fhir<Consent>(rs, patientActor(patientKey), 'POST', 'Consent', { body: grantConsent(patientKey, 'Organization', STRUCTURE, 'permit') });
    expect(res.status).toBe(201);
    expect(res.body.provision?.actor?.[0].reference?.reference).toBe(`Organization/${STRUCTURE}`);
    const nurse = await documents(pro('nurse'), patientKey);
    expect(nurse.status).toBe(200);
    expect(nurse.body.total).toBe(1);
    const secretary = await documents(pro('secretary'), patientKey);
    expect(secretary.status).toBe(403);
    expect(reasonOf(secretary.body)).toBe('administrative_staff');
  });

  it('ACC-01: an update to status inactive revokes the authorisation; the Consent stays readable as inactive', async () => {
    const { patientKey } = await recordWithDocument();
    const me = patientActor(patientKey);
    const doctor2 = pro('doctor2');
    const created = await fhir<Consent>(rs, me, 'POST', 'Consent', { body: grantConsent(patientKey, 'Practitioner', doctor2.idNatPs, 'permit') });
    expect((await documents(doctor2, patientKey)).status).toBe(200);

    const revoked = await fhir<Consent>(rs, me, 'PUT', `Consent/${created.body.id}`, { body: { ...created.body, status: 'inactive' } });
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('inactive');
    expect(revoked.body.provision?.period?.end).toBeDefined();
    expect((await documents(doctor2, patientKey)).status).toBe(403);
    // idempotent
    expect((await fhir(rs, me, 'PUT', `Consent/${created.body.id}`, { body: { ...created.body, status: 'inactive' } })).status).toBe(200);

    const active = await fhir<Bundle>(rs, me, 'GET', `Consent?patient=Patient/${patientKey}&category=access`);
    expect(active.body.total).toBe(0);
    const inactive = await fhir<Bundle>(rs, me, 'GET', `Consent?patient=Patient/${patientKey}&status=inactive`);
    expect(inactive.body.entry?.map((e) => e.resource?.id)).toEqual([created.body.id]);
    // changing what an authorisation says is not an update: 422
    const changed = await fhir(rs, me, 'PUT', `Consent/${created.body.id}`, { body: { ...grantConsent(patientKey, 'Practitioner', '810000000005', 'permit'), id: created.body.id } });
    expect(changed.status).toBe(422);
  });

  it('ACC-07: an authorised professional changes authorisations only at the patient\'s request, and the Consent says so', async () => {
    const { patientKey } = await adultRecord(rs);
    const doctor = pro('doctor');
    await fhir(rs, patientActor(patientKey), 'POST', 'Consent', { body: grantConsent(patientKey, 'Practitioner', doctor.idNatPs, 'permit') });
    const alone = await fhir(rs, doctor, 'POST', 'Consent', { body: grantConsent(patientKey, 'Practitioner', pro('dentist').idNatPs, 'permit') });
    expect(alone.status).toBe(403);
    expect(reasonOf(alone.body)).toBe('not_on_patient_request');
    const asked = await fhir<Consent>(rs, pro('doctor', { onPatientRequest: true }), 'POST', 'Consent', {
      body: grantConsent(patientKey, 'Practitioner', pro('dentist').idNatPs, 'permit'),
    });
    expect(asked.status).toBe(201);
    expect(asked.body.extension).toEqual([{ url: ON_REQUEST, valueBoolean: true }]);
    expect(asked.body.performer?.[0].reference).toBe(`Practitioner/${doctor.idNatPs}`);
  });

  it('creates and reads a Consent in FHIR XML', async () => {
    const { patientKey } = await adultRecord(rs);
    const created = await fhir<Consent>(rs, patientActor(patientKey), 'POST', 'Consent', {
      body: grantConsent(patientKey, 'Practitioner', pro('pharmacist').idNatPs, 'permit'),
      format: 'xml',
    });
    expect(created.status).toBe(201);
    const read = await fhir<Consent>(rs, patientActor(patientKey), 'GET', `Consent/${created.body.id}`, { format: 'xml' });
    expect(read.body.provision?.actor?.[0].reference?.reference).toBe(`Practitioner/${pro('pharmacist').idNatPs}`);
  });

  it('answers 404 for an unknown Consent, 401 without a token, 400 for a Consent that names no actor', async () => {
    const { patientKey } = await adultRecord(rs);
    const me = patientActor(patientKey);
    expect((await fhir(rs, me, 'GET', `Consent/${'0'.repeat(64)}`)).status).toBe(404);
    expect((await fhir(rs, me, 'GET', 'Consent/not-one-of-ours')).status).toBe(404);
    expect((await fhir(rs, null, 'GET', `Consent?patient=Patient/${patientKey}`)).status).toBe(401);
    const noActor = grantConsent(patientKey, 'Practitioner', 'x', 'permit');
    delete noActor.provision!.actor;
    expect((await fhir(rs, me, 'POST', 'Consent', { body: noActor })).status).toBe(400);
  });

  it('ACC-03: a blocked structure (Consent deny on an Organization) refuses whoever acts for it, even authorised in person; the documents it deposited stay readable by others; lifting the block restores it', async () => {
    const { patientKey } = await recordWithDocument();
    const me = patientActor(patientKey);
    const doctorHere = pro('doctor');
    const doctorElsewhere = pro('doctor', { structureId: OTHER_STRUCTURE });
    for (const body of [grantConsent(patientKey, 'Practitioner', doctorHere.idNatPs, 'permit'), grantConsent(patientKey, 'Organization', STRUCTURE, 'permit'), grantConsent(patientKey, 'Practitioner', pro('doctor2').idNatPs, 'permit')]) {
      expect((await fhir(rs, me, 'POST', 'Consent', { body })).status).toBe(201);
    }
    expect((await documents(pro('nurse'), patientKey)).status).toBe(200);
    const block = await fhir<Consent>(rs, me, 'POST', 'Consent', { body: grantConsent(patientKey, 'Organization', STRUCTURE, 'deny') });
    expect(block.status).toBe(201);
    expect([block.body.provision?.type, block.body.provision?.actor?.[0].reference?.reference]).toEqual(['deny', `Organization/${STRUCTURE}`]);
    // the structure's care team, and a professional authorised in person while acting for it, in every mode
    for (const actor of [pro('nurse'), doctorHere, pro('doctor', { mode: 'bris_de_glace' }), pro('nurse', { mode: 'bris_de_glace' })]) {
      const res = await documents(actor, patientKey);
      expect({ who: actor.idNatPs, mode: actor.mode, status: res.status, reason: reasonOf(res.body) }).toEqual({ who: actor.idNatPs, mode: actor.mode, status: 403, reason: 'blocked' });
    }
    expect((await fhir(rs, pro('nurse'), 'GET', `Patient/${patientKey}`)).status).toBe(403);
    // nothing is hidden retroactively: the document the structure deposited is read by the others,
    // and by its author acting for another structure
    for (const actor of [pro('doctor2'), doctorElsewhere]) {
      const res = await documents(actor, patientKey);
      expect({ who: actor.structureId, status: res.status, total: res.body.total }).toEqual({ who: actor.structureId, status: 200, total: 1 });
    }
    // the block ends as an authorisation does
    const lifted = await fhir<Consent>(rs, me, 'PUT', `Consent/${block.body.id}`, { body: { ...block.body, status: 'inactive' } });
    expect(lifted.status).toBe(200);
    expect((await documents(pro('nurse'), patientKey)).status).toBe(200);
  });
});
