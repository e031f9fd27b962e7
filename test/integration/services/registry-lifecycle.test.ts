// What the registry does around a submission beyond storing it (ITI TF-3): a replacement takes
// the addenda and transforms of the old version with it, and a folder's lastUpdateTime moves
// with every change of its content, even within one second.
import { beforeAll, expect, it } from '@jest/globals';
import type { FolderMetadata } from '../../../src/domain/model.js';
import { describeEachStore } from '../../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, uid, type World } from '../../support/world.js';

const code = { code: 'FOLDER', system: '1.2.250.1.999.3' };

describeEachStore('registry lifecycle around submissions', (db) => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld(db());
  });

  it('DOC-05: replacing a document deprecates its addenda and transforms too (12022)', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const doctor = proActor('doctor');
    const first = await w.services.submissions.submit(as(doctor), submission(ins, [{ authorId: doctor.idNatPs }]));
    const original = first.assignedIds.Document1!;
    const deps = submission(ins, [{ authorId: doctor.idNatPs }, { authorId: doctor.idNatPs }]);
    deps.associations.push(
      { id: 'apnd', type: 'APND', sourceId: 'Document1', targetId: original },
      { id: 'xfrm', type: 'XFRM', sourceId: 'Document2', targetId: original },
    );
    const added = await w.services.submissions.submit(as(doctor), deps);
    const rplc = submission(ins, [{ authorId: doctor.idNatPs }]);
    rplc.associations.push({ id: 'rplc', type: 'RPLC', sourceId: 'Document1', targetId: original });
    const replaced = await w.services.submissions.submit(as(doctor), rplc);

    const me = patientCaller(patientKey);
    const status = async (entryUuid: string) => (await w.services.documents.read(me, { entryUuid })).availabilityStatus;
    expect(await status(original)).toBe('Deprecated');
    expect(await status(added.assignedIds.Document1!)).toBe('Deprecated');
    expect(await status(added.assignedIds.Document2!)).toBe('Deprecated');
    expect(await status(replaced.assignedIds.Document1!)).toBe('Approved');
  });

  it('a document added to a folder in the same second still moves its lastUpdateTime forward (12323)', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const doctor = proActor('doctor');
    const folder: FolderMetadata = { uniqueId: uid(), patientId: ins, codeList: [code], title: 'suivi' };
    const created = await w.services.submissions.submit(
      as(doctor),
      submission(ins, [], { folders: [{ id: 'Folder01', metadata: folder }], associations: [{ id: 'hm', type: 'HasMember', sourceId: 'SubmissionSet01', targetId: 'Folder01', submissionSetStatus: 'Original' }] }),
    );
    const folderUuid = created.assignedIds.Folder01!;
    const read = async () => (await w.services.registryQueries.run(patientCaller(patientKey), { kind: 'GetFolders', ids: { uuids: [folderUuid] } })).folders[0]!.lastUpdateTime;
    const before = await read();
    // the clock has not moved: the change is in the same second as the creation
    const add = submission(ins, [{ authorId: doctor.idNatPs }]);
    add.associations.push({ id: 'in-folder', type: 'HasMember', sourceId: folderUuid, targetId: 'Document1' });
    await w.services.submissions.submit(as(doctor), add);
    const after = await read();
    expect(Date.parse(after) - Date.parse(before)).toBeGreaterThanOrEqual(1000);
  });
});
