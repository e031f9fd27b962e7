// The ACC and MASK rules at service level: what each professional finds and retrieves, through
// the same transaction that traces it.
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Caller } from '../../../src/services/deps.js';
import { describeEachStore } from '../../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, PROS, STRUCTURE, submission, type World } from '../../support/world.js';

describeEachStore('access rules (ACC, MASK)', (db) => {
  let w: World;
  let patientKey: string;
  let me: Caller;
  const doctor = proActor('doctor');
  const doctor2 = proActor('doctor2');
  let ids: { consult: string; hospital: string; masked: string; maskedByOther: string; invisible: string };

  async function found(caller: Caller): Promise<string[]> {
    const page = await w.services.documents.find(caller, { patientKey }, { countTotal: true });
    expect(page.total).toBe(page.entries.length);
    return page.entries.map((e) => e.uniqueId).sort();
  }

  beforeAll(async () => {
    w = await makeWorld(db());
    const rec = await adultRecord(w);
    patientKey = rec.patientKey;
    me = patientCaller(patientKey);
    const sub = submission(rec.ins, [
      { typeCode: '11488-4', classCode: '10', authorId: doctor.idNatPs },
      { typeCode: '34112-3', classCode: '10', authorId: doctor.idNatPs },
      { typeCode: '11488-4', classCode: '10', authorId: doctor.idNatPs, confidentiality: ['N', 'MASQUE_PS'] },
      { typeCode: '11488-4', classCode: '10', authorId: doctor2.idNatPs, confidentiality: ['N', 'MASQUE_PS'] },
      { typeCode: '11502-2', classCode: '10', authorId: doctor.idNatPs, confidentiality: ['N', 'INVISIBLE_PATIENT'] },
    ]);
    await w.services.submissions.submit(as(doctor), sub);
    const u = sub.documents.map((d) => d.metadata.uniqueId);
    ids = { consult: u[0], hospital: u[1], masked: u[2], maskedByOther: u[3], invisible: u[4] };
    for (const p of [doctor, doctor2, proActor('podiatrist'), proActor('nurse'), proActor('dentist')]) {
      await w.services.consent.addGrant(me, patientKey, { subjectKind: 'professional', subjectId: p.idNatPs, effect: 'permit' });
    }
  });

  it('ACC-01: an authorised professional reads; one without authorisation is refused', async () => {
    expect(await found(as(doctor2))).toContain(ids.consult);
    await expect(found(as(proActor('pharmacist')))).rejects.toMatchObject({ code: 'forbidden', reason: 'not_authorised' });
  });

  it('ACC-02: a pédicure-podologue does not see hospitalisation reports (the matrix applies)', async () => {
    const seen = await found(as(proActor('podiatrist')));
    expect(seen).not.toContain(ids.hospital);
    expect(seen).toContain(ids.consult);
    await expect(w.services.documents.retrieve(as(proActor('podiatrist')), { uniqueId: ids.hospital })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('ACC-03: a blocked professional is refused everything, even when also authorised and even in emergency', async () => {
    const blocked = proActor('dentist');
    await w.services.consent.addGrant(me, patientKey, { subjectKind: 'professional', subjectId: blocked.idNatPs, effect: 'deny' });
    await expect(found(as(blocked))).rejects.toMatchObject({ reason: 'blocked' });
    await expect(found(as({ ...blocked, mode: 'bris_de_glace' }))).rejects.toMatchObject({ reason: 'blocked' });
  });

  it('ACC-04: authorising a structure authorises its health professionals, never its administrative staff', async () => {
    const rec = await adultRecord(w);
    await w.services.submissions.submit(as(doctor), submission(rec.ins, [{}]));
    await w.services.consent.addGrant(patientCaller(rec.patientKey), rec.patientKey, { subjectKind: 'structure', subjectId: STRUCTURE, effect: 'permit' });
    const nurse = await w.services.documents.find(as(proActor('nurse')), { patientKey: rec.patientKey }, { countTotal: true });
    expect(nurse.total).toBe(1);
    await expect(w.services.documents.find(as(proActor('secretary')), { patientKey: rec.patientKey })).rejects.toMatchObject({ reason: 'administrative_staff' });
  });

  it('ACC-05: emergency modes read without authorisation unless opposed, and the trace flags them', async () => {
    const rec = await adultRecord(w);
    await w.services.submissions.submit(as(doctor), submission(rec.ins, [{}]));
    const stranger = proActor('regulator', { mode: 'centre_15', regulationCentre: true });
    expect((await w.services.documents.find(as(stranger), { patientKey: rec.patientKey }, { countTotal: true })).total).toBe(1);
    const bdg = proActor('pharmacist', { mode: 'bris_de_glace' });
    expect((await w.services.documents.find(as(bdg), { patientKey: rec.patientKey }, { countTotal: true })).total).toBe(1);
    await w.services.consent.setEmergencyOpposition(patientCaller(rec.patientKey), rec.patientKey, 'bris_de_glace', true);
    await expect(w.services.documents.find(as(bdg), { patientKey: rec.patientKey })).rejects.toMatchObject({ reason: 'emergency_opposed' });
    const history = await w.services.history.read(patientCaller(rec.patientKey), rec.patientKey, { emergencyOnly: true, limit: 50, offset: 0 });
    const emergency = history.rows.filter((r) => r.outcome === 'success' && r.action === 'record.read');
    expect(emergency.map((r) => r.access_mode).sort()).toEqual(['bris_de_glace', 'centre_15']);
    expect(emergency.every((r) => (r.details as { emergency?: boolean }).emergency === true)).toBe(true);
  });

  it('ACC-06: the médecin traitant reads masked documents and the history; another professional does not', async () => {
    await w.services.consent.designateMedecinTraitant(me, patientKey, doctor2.idNatPs);
    const seen = await found(as(doctor2));
    expect(seen).toEqual(expect.arrayContaining([ids.masked, ids.maskedByOther]));
    const history = await w.services.history.read(as(doctor2), patientKey, { limit: 10, offset: 0 });
    expect(history.total).toBeGreaterThan(0);
    await expect(w.services.history.read(as(proActor('nurse')), patientKey, { limit: 10, offset: 0 })).rejects.toMatchObject({ reason: 'not_medecin_traitant' });
    await w.services.consent.designateMedecinTraitant(me, patientKey, null);
  });

  it('ACC-07: a professional acts for the patient only at the patient\'s request, and the trace says so', async () => {
    const rec = await adultRecord(w);
    const atRequest = proActor('doctor', { onPatientRequest: true });
    await w.services.consent.addGrant(patientCaller(rec.patientKey), rec.patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
    await expect(w.services.consent.setEmergencyOpposition(as(doctor), rec.patientKey, 'centre_15', true)).rejects.toMatchObject({ code: 'forbidden' });
    await w.services.consent.setEmergencyOpposition(as(atRequest), rec.patientKey, 'centre_15', true);
    const history = await w.services.history.read(patientCaller(rec.patientKey), rec.patientKey, { actorId: doctor.idNatPs, limit: 10, offset: 0 });
    const done = history.rows.find((r) => r.action === 'consent.manage' && r.outcome === 'success');
    expect(done?.on_patient_request).toBe(true);
  });

  it('ACC-08: totals and pages count only visible documents, and a hidden document reads as absent', async () => {
    const nurse = as(proActor('nurse'));
    const all = await w.services.documents.find(nurse, { patientKey }, { countTotal: true, limit: 2 });
    const visible = await found(nurse);
    expect(all.total).toBe(visible.length);
    expect(visible).not.toContain(ids.masked);
    const err = await w.services.documents.read(nurse, { uniqueId: ids.maskedByOther }).catch((e) => e);
    const missing = await w.services.documents.read(nurse, { uniqueId: '1.2.3.does.not.exist' }).catch((e) => e);
    expect({ code: err.code, message: err.message }).toEqual({ code: missing.code, message: missing.message });
  });

  describe('masking', () => {
    it('MASK-01: a masked document stays visible to its author and to no other professional, in every mode', async () => {
      expect(await found(as(doctor))).toContain(ids.masked);
      expect(await found(as(doctor2))).not.toContain(ids.masked);
      expect(await found(as({ ...doctor2, mode: 'bris_de_glace' }))).not.toContain(ids.masked);
      const regulator = as(proActor('regulator', { mode: 'centre_15', regulationCentre: true }));
      expect(await found(regulator)).not.toContain(ids.masked);
    });

    it('MASK-02: a document invisible to the patient is hidden from the patient until made visible again', async () => {
      expect(await found(me)).not.toContain(ids.invisible);
      await w.services.metadata.setVisibility(as(doctor), { uniqueId: ids.invisible }, 'INVISIBLE_PATIENT', false);
      expect(await found(me)).toContain(ids.invisible);
    });

    it('MASK-05: masking and unmasking make new metadata versions (same logicalId) and are traced; unmasking gives back N', async () => {
      const before = await w.services.documents.read(me, { uniqueId: ids.consult });
      const masked = await w.services.metadata.setVisibility(me, { uniqueId: ids.consult }, 'MASQUE_PS', true);
      expect(masked.logicalId).toBe(before.logicalId);
      expect(masked.entryUuid).not.toBe(before.entryUuid);
      expect(masked.version).toBe(before.version + 1);
      expect(await found(as(doctor2))).not.toContain(ids.consult);
      const unmasked = await w.services.metadata.setVisibility(me, { uniqueId: ids.consult }, 'MASQUE_PS', false);
      expect(unmasked.confidentialityCodes.map((c) => c.code)).toEqual(['N']);
      expect(await found(as(doctor2))).toContain(ids.consult);
      const old = await w.services.documents.read(me, { entryUuid: before.entryUuid });
      expect(old.availabilityStatus).toBe('Deprecated');
      const history = await w.services.history.read(me, patientKey, { actions: ['document.mask'], limit: 10, offset: 0 });
      expect(history.rows.filter((r) => r.outcome === 'success')).toHaveLength(2);
    });

    it('MASK-01: a professional cannot mask; the patient can', async () => {
      await expect(w.services.metadata.setVisibility(as(doctor2), { uniqueId: ids.consult }, 'MASQUE_PS', true)).rejects.toMatchObject({ code: 'forbidden' });
    });
  });

  it('ACC-02: every profession in the directory gets only the types the matrix lists', async () => {
    const podiatrist = PROS.podiatrist;
    expect(podiatrist.profession).toBe('80');
    const seenByPodiatrist = await found(as(proActor('podiatrist')));
    const seenByDoctor = await found(as(doctor2));
    expect(seenByPodiatrist.length).toBeLessThan(seenByDoctor.length);
  });
});
