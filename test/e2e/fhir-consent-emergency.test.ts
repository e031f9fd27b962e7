import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, Consent } from '@medplum/fhirtypes';
import {
  adultRecord,
  deposit,
  emergencyConsent,
  fhir,
  grantConsent,
  medecinTraitantConsent,
  OTHER_STRUCTURE,
  patientActor,
  PROS,
  pro,
  reasonOf,
  startRecordServer,
  type RecordServer,
} from '../support/fhir-record.js';
import { REGULATION_CENTRE } from '../support/world.js';
import { directoryService } from '../../src/services/directory.js';

describe('FHIR Consent: emergency oppositions and the médecin traitant', () => {
  let rs: RecordServer;
  beforeAll(async () => {
    rs = await startRecordServer();
  });
  afterAll(async () => {
    await rs.close();
  });

  const documents = (actor: Parameters<typeof fhir>[1], patientKey: string) => fhir<Bundle>(rs, actor, 'GET', `DocumentReference?patient=Patient/${patientKey}`);

  it('ACC-05: the patient opposes bris de glace; Centre 15 still reads; lifting the opposition opens it again', async () => {
    const rec = await adultRecord(rs);
    const { patientKey } = rec;
    await deposit(rs, pro('doctor'), rec.ins);
    const me = patientActor(patientKey);
    const breaker = pro('doctor2', { mode: 'bris_de_glace' });
    expect((await documents(breaker, patientKey)).status).toBe(200);

    const settings = await fhir<Bundle>(rs, me, 'GET', `Consent?patient=Patient/${patientKey}&category=emergency`);
    expect(settings.body.total).toBe(2);
    const bdg = settings.body.entry!.map((e) => e.resource as Consent).find((c) => c.provision?.purpose?.[0].code === 'bris_de_glace')!;
    expect(bdg.provision?.type).toBe('permit');

    const opposed = await fhir<Consent>(rs, me, 'PUT', `Consent/${bdg.id}`, { body: { ...emergencyConsent(patientKey, 'bris_de_glace', 'deny'), id: bdg.id } });
    expect(opposed.status).toBe(200);
    expect(opposed.body.provision?.type).toBe('deny');
    const refused = await documents(breaker, patientKey);
    expect(refused.status).toBe(403);
    expect(reasonOf(refused.body)).toBe('emergency_opposed');
    expect((await documents(pro('regulator', { mode: 'centre_15' }), patientKey)).status).toBe(200);

    const read = await fhir<Consent>(rs, me, 'GET', `Consent/${bdg.id}`);
    expect(read.body.provision?.type).toBe('deny');
    // the opposition ends with an update to inactive as well
    expect((await fhir(rs, me, 'PUT', `Consent/${bdg.id}`, { body: { ...emergencyConsent(patientKey, 'bris_de_glace', 'deny'), id: bdg.id, status: 'inactive' } })).status).toBe(200);
    expect((await documents(breaker, patientKey)).status).toBe(200);
  });

  it('ACC-05: Centre 15 is for a doctor acting for a structure the directory marks as a regulation centre; anyone else claiming it is refused, and the refusal traced', async () => {
    const rec = await adultRecord(rs);
    const { patientKey } = rec;
    await deposit(rs, pro('doctor'), rec.ins);
    // the regulator of the SAMU the directory marks reads without authorisation, as an emergency
    expect((await documents(pro('regulator', { mode: 'centre_15' }), patientKey)).status).toBe(200);
    // a doctor of an ordinary practice declaring the same mode (even claiming the mark) is refused
    const claimant = pro('doctor2', { mode: 'centre_15', regulationCentre: true });
    const refused = await documents(claimant, patientKey);
    expect(refused.status).toBe(403);
    expect(reasonOf(refused.body)).toBe('emergency_not_applicable');
    // and so is a nurse of the regulation centre itself: the mode is a regulating doctor's
    const nurse = await documents(pro('nurse', { mode: 'centre_15', structureId: REGULATION_CENTRE }), patientKey);
    expect(reasonOf(nurse.body)).toBe('emergency_not_applicable');
    const trace = await rs.db.query<{ actor_id: string; outcome: string; reason: string; access_mode: string }>(
      "SELECT actor_id, outcome, reason, access_mode FROM access_trace WHERE chain_key = $1 AND access_mode = 'centre_15' ORDER BY seq",
      [patientKey],
    );
    expect(trace.rows.map((r) => [r.actor_id, r.outcome, r.reason])).toEqual([
      [PROS.regulator.idNatPs, 'success', null],
      [PROS.doctor2.idNatPs, 'denied', 'emergency_not_applicable'],
      [PROS.nurse.idNatPs, 'denied', 'emergency_not_applicable'],
    ]);
  });

  it('ACC-05: a regulation centre may also be configured (CARNET_REGULATION_CENTRES) rather than marked in the directory', async () => {
    const deps = rs.server.app.services.deps;
    const claimant = pro('doctor2', { mode: 'centre_15' });
    expect(await directoryService(deps).withStanding(claimant)).toMatchObject({ regulationCentre: false });
    expect(await directoryService(deps, { regulationCentres: [OTHER_STRUCTURE] }).withStanding(claimant)).toMatchObject({ regulationCentre: true });
    // the mark is looked up only for that mode; other identities pass unchanged
    const normal = pro('doctor2');
    expect(await directoryService(deps, { regulationCentres: [OTHER_STRUCTURE] }).withStanding(normal)).toBe(normal);
  });

  it('ACC-05: a Centre 15 opposition is posted as a Consent (category emergency, purpose centre_15, deny)', async () => {
    const { patientKey } = await adultRecord(rs);
    const res = await fhir<Consent>(rs, patientActor(patientKey), 'POST', 'Consent', { body: emergencyConsent(patientKey, 'centre_15', 'deny') });
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(/-centre-15$/);
    const refused = await documents(pro('regulator', { mode: 'centre_15' }), patientKey);
    expect(refused.status).toBe(403);
    expect(reasonOf(refused.body)).toBe('emergency_opposed');
  });

  it('ACC-06: the patient designates an authorised doctor as médecin traitant, who then reads the access history; others do not', async () => {
    const rec = await adultRecord(rs);
    const { patientKey } = rec;
    const me = patientActor(patientKey);
    const doctor = pro('doctor');
    const nurse = pro('nurse');
    for (const p of [doctor, nurse]) await fhir(rs, me, 'POST', 'Consent', { body: grantConsent(patientKey, 'Practitioner', p.idNatPs, 'permit') });
    await deposit(rs, nurse, rec.ins);
    expect((await documents(nurse, patientKey)).status).toBe(200);

    const before = await fhir(rs, doctor, 'GET', `AuditEvent?patient=Patient/${patientKey}`);
    expect(before.status).toBe(403);
    expect(reasonOf(before.body)).toBe('not_medecin_traitant');

    const mt = await fhir<Consent>(rs, me, 'POST', 'Consent', { body: medecinTraitantConsent(patientKey, doctor.idNatPs) });
    expect(mt.status).toBe(201);
    expect(mt.body.id).toMatch(/-medecin-traitant$/);

    const standing = await fhir<{ extension?: { url: string; valueBoolean?: boolean }[] }>(rs, doctor, 'GET', `Patient/${patientKey}`);
    expect(standing.body.extension?.find((e) => e.url.endsWith('dmp-medecin-traitant'))?.valueBoolean).toBe(true);

    const history = await fhir<Bundle>(rs, doctor, 'GET', `AuditEvent?patient=Patient/${patientKey}&agent=Practitioner/${nurse.idNatPs}`);
    expect(history.status).toBe(200);
    expect(history.body.total).toBeGreaterThanOrEqual(2); // the nurse's deposit and read
    expect((await fhir(rs, nurse, 'GET', `AuditEvent?patient=Patient/${patientKey}`)).status).toBe(403);

    // withdrawn by an update to inactive: the history closes again
    const withdrawn = await fhir<Consent>(rs, me, 'PUT', `Consent/${mt.body.id}`, { body: { ...medecinTraitantConsent(patientKey, doctor.idNatPs, 'inactive'), id: mt.body.id } });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.status).toBe('inactive');
    expect((await fhir(rs, me, 'GET', `Consent/${mt.body.id}`)).status).toBe(404);
    expect((await fhir(rs, doctor, 'GET', `AuditEvent?patient=Patient/${patientKey}`)).status).toBe(403);
  });

  it('ACC-06: only an authorised doctor can be médecin traitant (422 otherwise)', async () => {
    const { patientKey } = await adultRecord(rs);
    const me = patientActor(patientKey);
    const unauthorised = await fhir(rs, me, 'POST', 'Consent', { body: medecinTraitantConsent(patientKey, pro('doctor2').idNatPs) });
    expect(unauthorised.status).toBe(422);
    await fhir(rs, me, 'POST', 'Consent', { body: grantConsent(patientKey, 'Practitioner', pro('nurse').idNatPs, 'permit') });
    const nurse = await fhir(rs, me, 'POST', 'Consent', { body: medecinTraitantConsent(patientKey, pro('nurse').idNatPs) });
    expect(nurse.status).toBe(422);
  });

  it('ACC-06: the médecin traitant blocks another professional at the patient\'s request; another doctor cannot', async () => {
    const { patientKey } = await adultRecord(rs);
    const me = patientActor(patientKey);
    for (const p of [pro('doctor'), pro('doctor2')]) await fhir(rs, me, 'POST', 'Consent', { body: grantConsent(patientKey, 'Practitioner', p.idNatPs, 'permit') });
    await fhir(rs, me, 'POST', 'Consent', { body: medecinTraitantConsent(patientKey, pro('doctor').idNatPs) });
    const byOther = await fhir(rs, pro('doctor2', { onPatientRequest: true }), 'POST', 'Consent', { body: grantConsent(patientKey, 'Practitioner', pro('dentist').idNatPs, 'deny') });
    expect(byOther.status).toBe(403);
    expect(reasonOf(byOther.body)).toBe('not_medecin_traitant');
    const byMt = await fhir<Consent>(rs, pro('doctor', { onPatientRequest: true }), 'POST', 'Consent', { body: grantConsent(patientKey, 'Practitioner', pro('dentist').idNatPs, 'deny') });
    expect(byMt.status).toBe(201);
    // and the médecin traitant reads the patient's settings
    const list = await fhir<Bundle>(rs, pro('doctor'), 'GET', `Consent?patient=Patient/${patientKey}&actor=Practitioner/${pro('dentist').idNatPs}`);
    expect(list.status).toBe(200);
    expect((list.body.entry![0].resource as Consent).provision?.type).toBe('deny');
  });
});
