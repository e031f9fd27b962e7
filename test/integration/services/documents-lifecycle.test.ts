// DOC-05..08: replacement, logical deletion, archive and selections, the patient's own documents.
import { beforeAll, expect, it } from '@jest/globals';
import { describeEachStore } from '../../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, STRUCTURE, submission, type World } from '../../support/world.js';

describeEachStore('document lifecycle (DOC-05..08)', (db) => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld(db());
  });

  function replacement(ins: Parameters<typeof submission>[0], targetEntryUuid: string, authorId: string) {
    const sub = submission(ins, [{ authorId }]);
    sub.associations.push({ id: 'rplc', type: 'RPLC', sourceId: 'Document1', targetId: targetEntryUuid });
    return sub;
  }

  it('DOC-05: a replacement deprecates the old version; only its author or a professional of its structure may replace it', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const doctor = proActor('doctor');
    const first = submission(ins, [{ authorId: doctor.idNatPs, authorStructure: STRUCTURE }]);
    const r1 = await w.services.submissions.submit(as(doctor), first);
    const oldUuid = r1.assignedIds.Document1;
    await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: proActor('doctor2').idNatPs, effect: 'permit' });
    await expect(w.services.submissions.submit(as(proActor('doctor2')), replacement(ins, oldUuid, proActor('doctor2').idNatPs))).rejects.toMatchObject({ code: 'forbidden', reason: 'not_author' });
    // A nurse of the same structure may replace it (the care team of the structure that wrote it).
    await w.services.submissions.submit(as(proActor('nurse')), replacement(ins, oldUuid, proActor('nurse').idNatPs));
    const old = await w.services.documents.read(patientCaller(patientKey), { entryUuid: oldUuid });
    expect(old.availabilityStatus).toBe('Deprecated');
    const current = await w.services.documents.find(patientCaller(patientKey), { patientKey }, { statuses: ['Approved'], countTotal: true });
    expect(current.total).toBe(1);
  });

  it('DOC-06: deletion is logical and only by the author; the patient deletes only what the patient deposited', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const doctor = proActor('doctor');
    const sub = submission(ins, [{ authorId: doctor.idNatPs }]);
    await w.services.submissions.submit(as(doctor), sub);
    const ref = { uniqueId: sub.documents[0].metadata.uniqueId };
    const me = patientCaller(patientKey);
    await expect(w.services.metadata.delete(me, ref)).rejects.toMatchObject({ code: 'forbidden', reason: 'not_author' });
    await w.services.consent.addGrant(me, patientKey, { subjectKind: 'professional', subjectId: proActor('doctor2').idNatPs, effect: 'permit' });
    await expect(w.services.metadata.delete(as(proActor('doctor2')), ref)).rejects.toMatchObject({ reason: 'not_author' });
    await w.services.metadata.delete(as(doctor), ref);
    expect((await w.services.documents.find(me, { patientKey }, { countTotal: true })).total).toBe(0);
    const kept = await db().query<{ status: string }>('SELECT status FROM document_entry WHERE patient_key = $1', [patientKey]);
    expect(kept.rows).toEqual([{ status: 'Deleted' }]);
    const mine = submission(ins, [{ typeCode: 'EXPPAT_2', classCode: '90' }]);
    await w.services.submissions.submit(me, mine);
    await w.services.metadata.delete(me, { uniqueId: mine.documents[0].metadata.uniqueId });
  });

  it('DOC-07: the patient archives and unarchives; archived documents leave the default list but stay retrievable', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const sub = submission(ins, [{ content: 'archivable' }, {}]);
    await w.services.submissions.submit(as(proActor('doctor')), sub);
    const me = patientCaller(patientKey);
    const ref = { uniqueId: sub.documents[0].metadata.uniqueId };
    // the author is not authorised on this record: the document does not exist for him (ACC-08)
    await expect(w.services.metadata.setArchived(as(proActor('doctor')), ref, true)).rejects.toMatchObject({ code: 'not_found', reason: 'not_authorised' });
    await w.services.metadata.setArchived(me, ref, true);
    const current = await w.services.documents.find(me, { patientKey }, { statuses: ['Approved'], countTotal: true });
    expect(current.total).toBe(1);
    expect((await (await w.services.documents.retrieve(me, ref)).content.whole()).toString()).toBe('archivable');
    await w.services.metadata.setArchived(me, ref, false);
    expect((await w.services.documents.find(me, { patientKey }, { statuses: ['Approved'], countTotal: true })).total).toBe(2);
  });

  it('DOC-07: the patient keeps personal selections of documents it can see', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const r = await w.services.submissions.submit(as(proActor('doctor')), submission(ins, [{}, {}]));
    const me = patientCaller(patientKey);
    const id = await w.services.selections.save(me, patientKey, { name: 'Cardiologie', logicalIds: [r.assignedIds.Document1] });
    expect(await w.services.selections.list(me, patientKey)).toEqual([expect.objectContaining({ selection_id: id, name: 'Cardiologie' })]);
    await expect(w.services.selections.save(as(proActor('doctor')), patientKey, { name: 'x', logicalIds: [] })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(w.services.selections.save(me, patientKey, { name: 'bad', logicalIds: ['urn:uuid:00000000-0000-4000-8000-000000000000'] })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('DOC-08: the patient adds own documents (class 90) with an attachment; other types are refused', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const me = patientCaller(patientKey);
    const mine = submission(ins, [{ typeCode: 'EXPPAT_2', classCode: '90', content: 'mes notes' }]);
    await w.services.submissions.submit(me, mine);
    const got = await w.services.documents.retrieve(me, { uniqueId: mine.documents[0].metadata.uniqueId });
    expect(got.entry.authoredByPatient).toBe(true);
    expect((await got.content.whole()).toString()).toBe('mes notes');
    await expect(w.services.submissions.submit(me, submission(ins, [{ typeCode: '11488-4', classCode: '10' }]))).rejects.toMatchObject({ code: 'invalid_metadata', reason: 'not_patient_document_type' });
  });
});
