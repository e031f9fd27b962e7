import { beforeAll, expect, it } from '@jest/globals';
import { CarnetError } from '../../../src/domain/errors.js';
import { describeEachStore } from '../../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, type World } from '../../support/world.js';

function code(e: unknown): string | undefined {
  return e instanceof CarnetError ? e.code : undefined;
}

describeEachStore('documents: deposit, find, retrieve', (db) => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld(db());
  });

  it('DOC-02: a professional deposits without an access authorisation, but cannot read without one (ACC-01)', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const doctor = as(proActor('doctor'));
    const result = await w.services.submissions.submit(doctor, submission(ins, [{ authorId: proActor('doctor').idNatPs }]));
    expect(Object.keys(result.assignedIds)).toContain('Document1');
    await expect(w.services.documents.find(doctor, { patientKey })).rejects.toMatchObject({ code: 'forbidden', reason: 'not_authorised' });
    const own = await w.services.documents.find(patientCaller(patientKey), { patientKey }, { countTotal: true });
    expect(own.total).toBe(1);
  });

  it('a deposit given the record the door found stores there, and is refused when that record does not hold the patient (nothing stored)', async () => {
    const own = await adultRecord(w);
    const other = await adultRecord(w);
    const doctor = as(proActor('doctor'));
    const stored = await w.services.submissions.submit(doctor, submission(own.ins, [{}]), { recordKey: own.patientKey });
    expect(stored.patientKey).toBe(own.patientKey);
    await expect(w.services.submissions.submit(doctor, submission(own.ins, [{}]), { recordKey: other.patientKey })).rejects.toMatchObject({ code: 'unknown_patient' });
    for (const r of [own, other]) {
      const found = await w.services.documents.find(patientCaller(r.patientKey), { patientKey: r.patientKey }, { countTotal: true });
      expect(found.total).toBe(r === own ? 1 : 0);
    }
  });

  it('DOC-01: a submission whose class does not match its type is rejected, and nothing is stored', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const doctor = as(proActor('doctor'));
    const bad = submission(ins, [{ typeCode: '11488-4', classCode: '60' }]);
    await expect(w.services.submissions.submit(doctor, bad)).rejects.toMatchObject({ code: 'invalid_metadata', reason: 'class_mismatch' });
    const own = await w.services.documents.find(patientCaller(patientKey), { patientKey }, { countTotal: true });
    expect(own.total).toBe(0);
  });

  it('DOC-03: one wrong hash rejects the whole submission set', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const bad = submission(ins, [{}, { hash: 'da39a3ee5e6b4b0d3255bfef95601890afd80709' }]);
    const err = await w.services.submissions.submit(as(proActor('doctor')), bad).catch((e) => e);
    expect(code(err)).toBe('invalid_content_metadata');
    const own = await w.services.documents.find(patientCaller(patientKey), { patientKey }, { countTotal: true });
    expect(own.total).toBe(0);
  });

  it('DOC-04: the same uniqueId with the same content is idempotent; with other content it is rejected', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const pro = proActor('doctor');
    const doctor = as(pro);
    // DOC-02: depositing needs no authorisation; telling about the registered document does
    const first = submission(ins, [{ content: 'same bytes' }]);
    const uniqueId = first.documents[0].metadata.uniqueId;
    await w.services.submissions.submit(doctor, first);
    // ACC-08: not authorised to read it, the depositor learns only that the uniqueId is taken
    for (const content of ['same bytes', 'other bytes']) {
      await expect(w.services.submissions.submit(doctor, submission(ins, [{ content, uniqueId }]))).rejects.toMatchObject({ code: 'duplicate_unique_id' });
    }
    await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: pro.idNatPs, effect: 'permit' });
    const again = submission(ins, [{ content: 'same bytes', uniqueId }]);
    const r = await w.services.submissions.submit(doctor, again);
    expect(r.resubmitted.map((x) => x.id)).toEqual(['Document1']);
    const other = submission(ins, [{ content: 'other bytes', uniqueId }]);
    await expect(w.services.submissions.submit(doctor, other)).rejects.toMatchObject({ code: 'non_identical_hash' });
    const own = await w.services.documents.find(patientCaller(patientKey), { patientKey }, { countTotal: true });
    expect(own.total).toBe(1);
  });

  it('retrieves the exact bytes by uniqueId for an authorised professional, and traces every step (TRACE-01)', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const doctor = proActor('doctor');
    await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
    const sub = submission(ins, [{ content: 'compte rendu de consultation' }]);
    await w.services.submissions.submit(as(doctor), sub);
    const got = await w.services.documents.retrieve(as(doctor), { uniqueId: sub.documents[0].metadata.uniqueId });
    expect((await got.content.whole()).toString()).toBe('compte rendu de consultation');
    const history = await w.services.history.read(patientCaller(patientKey), patientKey, { limit: 50, offset: 0 });
    const actions = history.rows.map((r) => `${r.action}:${r.outcome}`);
    expect(actions).toEqual(expect.arrayContaining(['record.create:success', 'consent.manage:success', 'document.submit:success', 'document.retrieve:success']));
    const verification = await w.services.history.verify();
    expect(verification.broken).toEqual([]);
  });
});
