// ACC-08 without hiding what the reader may see: a submission set whose document has since been
// given a new metadata version (ITI-57) holds that document's older version, which the reader
// reads as the document's history (ITI-18 GetSubmissionSets, FindSubmissionSets list it). The
// set is not hidden from ITI-66 for that: it leads to a document the reader sees.
import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from '@jest/globals';
import { describeEachStore } from '../../support/stores.js';
import { adultRecord, as, entryMetadata, makeWorld, patientCaller, proActor, submission, type World } from '../../support/world.js';

const doctor = proActor('doctor');
const uuid = () => `urn:uuid:${randomUUID()}`;

describeEachStore('ACC-08: a submission set holding an older metadata version of a visible document', (db) => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld(db());
  });

  it('ACC-08: is listed by ITI-66 as by ITI-18, to the patient and to the author', async () => {
    const { patientKey, ins } = await adultRecord(w);
    await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
    const first = await w.services.submissions.submit(as(doctor), submission(ins, [{ authorId: doctor.idNatPs }]));
    const doc = first.assignedIds.Document1!;
    const current = await w.services.documents.read(patientCaller(patientKey), { entryUuid: doc });
    const ss = submission(ins, []).submissionSet;
    await w.services.metadata.applyUpdate(as(doctor), {
      submissionSet: { ...ss, id: uuid() },
      documents: [{ id: uuid(), logicalId: doc, previousVersion: 1, propagate: true, metadata: { ...entryMetadata(ins, { authorId: doctor.idNatPs, uniqueId: current.uniqueId }), title: 'v2', hash: current.hash, size: current.size, repositoryUniqueId: current.repositoryUniqueId } }],
      folders: [],
      statusChanges: [],
      associations: [],
    });
    for (const caller of [patientCaller(patientKey), as(doctor)]) {
      const found = await w.services.registryQueries.run(caller, { kind: 'FindSubmissionSets', patientId: ins, query: { statuses: ['Approved'] } });
      expect(found.submissionSets.map((s) => s.entryUuid)).toContain(first.submissionSetUuid);
      const { lists } = await w.services.lists.find(caller, { patientKey }, { kinds: ['submissionset'] });
      expect(lists.map((l) => (l.kind === 'submissionset' ? l.submissionSet.entryUuid : ''))).toContain(first.submissionSetUuid);
    }
  });
});
