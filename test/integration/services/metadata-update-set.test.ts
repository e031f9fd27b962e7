// ITI-57 Update Document Set through the services: one request, one transaction; folder versions
// with association propagation; associations submitted and their status; withdrawal of a
// document and its taking back under DOC-05.
import { beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { FolderMetadata, PatientIdentifier } from '../../../src/domain/model.js';
import type { UpdateRequest } from '../../../src/domain/update-request.js';
import { describeEachStore } from '../../support/stores.js';
import { adultRecord, as, entryMetadata, makeWorld, patientCaller, proActor, submission, uid, type World } from '../../support/world.js';

const doctor = proActor('doctor');
const uuid = () => `urn:uuid:${randomUUID()}`;

function update(ins: PatientIdentifier, over: Partial<UpdateRequest>): UpdateRequest {
  const ss = submission(ins, []).submissionSet;
  return { submissionSet: { ...ss, id: uuid() }, documents: [], folders: [], statusChanges: [], associations: [], ...over };
}

describeEachStore('ITI-57 update sets', (db) => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld(db());
  });

  async function twoDocs() {
    const { patientKey, ins } = await adultRecord(w);
    // linking documents needs reading them: the author is also authorised on the record
    await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
    const r = await w.services.submissions.submit(as(doctor), submission(ins, [{ authorId: doctor.idNatPs }, { authorId: doctor.idNatPs }]));
    return { patientKey, ins, doc1: r.assignedIds.Document1!, doc2: r.assignedIds.Document2! };
  }

  const statusOf = async (patientKey: string, entryUuid: string) => (await w.services.documents.read(patientCaller(patientKey), { entryUuid })).availabilityStatus;

  it('DOC-05: the author withdraws a document and takes the withdrawal back; a replaced document stays deprecated', async () => {
    const { patientKey, ins, doc1, doc2 } = await twoDocs();
    const change = (target: string, from: 'Approved' | 'Deprecated', to: 'Approved' | 'Deprecated') =>
      w.services.metadata.applyUpdate(as(doctor), update(ins, { statusChanges: [{ id: 'ua', targetId: target, from, to }] }));
    await change(doc1, 'Approved', 'Deprecated');
    expect(await statusOf(patientKey, doc1)).toBe('Deprecated');
    await change(doc1, 'Deprecated', 'Approved');
    expect(await statusOf(patientKey, doc1)).toBe('Approved');
    // another professional of the record may not
    await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: proActor('doctor2').idNatPs, effect: 'permit' });
    await expect(
      w.services.metadata.applyUpdate(as(proActor('doctor2')), update(ins, { statusChanges: [{ id: 'ua', targetId: doc2, from: 'Approved', to: 'Deprecated' }] })),
    ).rejects.toMatchObject({ reason: 'not_author' });
    // replaced: the replacement is the current version
    const rplc = submission(ins, [{ authorId: doctor.idNatPs }]);
    rplc.associations.push({ id: 'rplc', type: 'RPLC', sourceId: 'Document1', targetId: doc2 });
    await w.services.submissions.submit(as(doctor), rplc);
    await expect(change(doc2, 'Deprecated', 'Approved')).rejects.toMatchObject({ reason: 'XDSMetadataUpdateError' });
    expect(await statusOf(patientKey, doc2)).toBe('Deprecated');
  });

  it('a request is atomic: a new version with a wrong status change on it leaves nothing behind (20003)', async () => {
    const { patientKey, ins, doc1 } = await twoDocs();
    const current = await w.services.documents.read(patientCaller(patientKey), { entryUuid: doc1 });
    const versionId = uuid();
    const req = update(ins, {
      documents: [{ id: versionId, logicalId: doc1, previousVersion: 1, propagate: true, metadata: { ...entryMetadata(ins, { authorId: doctor.idNatPs, uniqueId: current.uniqueId }), title: 'v2', hash: current.hash, size: current.size, repositoryUniqueId: current.repositoryUniqueId } }],
      statusChanges: [{ id: 'ua', targetId: versionId, from: 'Deprecated', to: 'Approved' }],
    });
    await expect(w.services.metadata.applyUpdate(as(doctor), req)).rejects.toMatchObject({ reason: 'XDSMetadataUpdateError' });
    const versions = await w.services.registryQueries.run(patientCaller(patientKey), { kind: 'GetDocuments', ids: { logicalIds: [doc1] } });
    expect(versions.documents.map((d) => [d.version, d.availabilityStatus])).toEqual([[1, 'Approved']]);
    // without the bad status change the same version is stored under the sender's entryUUID (15800)
    await w.services.metadata.applyUpdate(as(doctor), { ...req, submissionSet: { ...req.submissionSet, id: uuid(), uniqueId: uid() }, statusChanges: [] });
    const after = await w.services.documents.read(patientCaller(patientKey), { entryUuid: versionId });
    expect([after.version, after.logicalId, after.title]).toEqual([2, doc1, 'v2']);
  });

  it('MASK-03: a request of several operations refused by the rules on one of them stores none of them', async () => {
    const { patientKey, ins, doc1, doc2 } = await twoDocs();
    const versionOf = async (entryUuid: string, over: Parameters<typeof entryMetadata>[1]) => {
      const current = await w.services.documents.read(patientCaller(patientKey), { entryUuid });
      const metadata = { ...entryMetadata(ins, { authorId: doctor.idNatPs, uniqueId: current.uniqueId, ...over }), hash: current.hash, size: current.size, repositoryUniqueId: current.repositoryUniqueId };
      return { id: uuid(), logicalId: entryUuid, previousVersion: 1, propagate: true, metadata };
    };
    // applied in this order: a new version of doc2 (allowed, written first), then one hiding doc1
    // from representatives on an adult's record (refused, MASK-03)
    const req = update(ins, {
      documents: [await versionOf(doc2, { creationTime: '20260111093000' }), await versionOf(doc1, { confidentiality: ['N', 'INVISIBLE_REPRESENTANTS_LEGAUX'] })],
    });
    await expect(w.services.metadata.applyUpdate(as(doctor), req)).rejects.toMatchObject({ reason: 'not_a_minor' });
    const versions = await w.services.registryQueries.run(patientCaller(patientKey), { kind: 'GetDocuments', ids: { logicalIds: [doc1, doc2] } });
    expect(versions.documents.map((d) => [d.entryUuid, d.version, d.availabilityStatus]).sort()).toEqual([[doc1, 1, 'Approved'], [doc2, 1, 'Approved']].sort());
    const sets = await db().query<{ n: number }>('SELECT count(*)::int AS n FROM submission_set WHERE patient_key = $1 AND unique_id = $2', [patientKey, req.submissionSet.uniqueId]);
    expect(sets.rows[0].n).toBe(0);
  });

  it('ACC-08: ITI-57 on a document the caller may not read answers as on an id the registry does not hold', async () => {
    const { patientKey, ins, doc1 } = await twoDocs();
    const doctor2 = proActor('doctor2');
    await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: doctor2.idNatPs, effect: 'permit' });
    const masked = (await w.services.metadata.setVisibility(patientCaller(patientKey), { entryUuid: doc1 }, 'MASQUE_PS', true)).entryUuid;
    const answer = (req: UpdateRequest, id: string) =>
      w.services.metadata.applyUpdate(as(doctor2), req).then(
        () => 'accepted',
        (e: { code: string; message: string; location?: string; reason?: string }) => ({ code: e.code, message: e.message.replace(id, '<id>'), location: e.location?.replace(id, '<id>'), reason: e.reason }),
      );
    const withdraw = (id: string) => update(ins, { statusChanges: [{ id: 'ua', targetId: id, from: 'Approved', to: 'Deprecated' }] });
    const unknown = uuid();
    // the masked version, and the first one (now an old version of a masked document, ACC-09)
    for (const hidden of [masked, doc1]) expect(await answer(withdraw(hidden), hidden)).toEqual(await answer(withdraw(unknown), unknown));
    const versionId = uuid();
    const version = (logicalId: string) =>
      update(ins, { documents: [{ id: versionId, logicalId, previousVersion: 2, propagate: true, metadata: entryMetadata(ins, { authorId: doctor2.idNatPs }) }] });
    expect(await answer(version(doc1), doc1)).toEqual(await answer(version(unknown), unknown));
    // a reader of the document still gets the real reason
    await expect(w.services.metadata.applyUpdate(as(doctor), withdraw(masked))).resolves.toBeDefined();
  });

  it('a new folder version keeps its documents when associations propagate, and starts empty when they do not', async () => {
    const { patientKey, ins, doc1 } = await twoDocs();
    const folder: FolderMetadata = { uniqueId: uid(), patientId: ins, codeList: [{ code: 'F', system: '1.2.250.1.999.3' }], title: 'suivi' };
    const sub = submission(ins, [], {
      folders: [{ id: 'Folder01', metadata: folder }],
      associations: [
        { id: 'hm', type: 'HasMember', sourceId: 'SubmissionSet01', targetId: 'Folder01', submissionSetStatus: 'Original' },
        { id: 'in', type: 'HasMember', sourceId: 'Folder01', targetId: doc1 },
      ],
    });
    const created = await w.services.submissions.submit(as(doctor), sub);
    const lid = created.assignedIds.Folder01!;
    const v2 = uuid();
    await w.services.metadata.applyUpdate(as(doctor), update(ins, { folders: [{ id: v2, logicalId: lid, previousVersion: 1, propagate: true, metadata: { ...folder, title: 'v2' } }] }));
    const v3 = uuid();
    await w.services.metadata.applyUpdate(as(doctor), update(ins, { folders: [{ id: v3, logicalId: lid, previousVersion: 2, propagate: false, metadata: { ...folder, title: 'v3' } }] }));
    const me = patientCaller(patientKey);
    const contents = async (id: string) => (await w.services.registryQueries.run(me, { kind: 'GetFolderAndContents', ids: { uuids: [id] }, filter: {} })).documents.map((d) => d.entryUuid);
    expect(await contents(v2)).toEqual([doc1]);
    expect(await contents(v3)).toEqual([]);
    const all = await w.services.registryQueries.run(me, { kind: 'GetFolders', ids: { uniqueIds: [folder.uniqueId], allVersions: true } });
    expect(all.folders.map((f) => [f.version, f.availabilityStatus]).sort()).toEqual([[1, 'Deprecated'], [2, 'Deprecated'], [3, 'Approved']]);
    // a wrong PreviousVersion is a version conflict (20000c)
    await expect(
      w.services.metadata.applyUpdate(as(doctor), update(ins, { folders: [{ id: uuid(), logicalId: lid, previousVersion: 1, propagate: true, metadata: folder }] })),
    ).rejects.toMatchObject({ code: 'version_conflict' });
  });

  it('an APND submitted between two current documents, deprecated and approved again; never on a deprecated document (20001, 21004)', async () => {
    const { patientKey, ins, doc1, doc2 } = await twoDocs();
    const assoc = uuid();
    const apnd = () => update(ins, { associations: [{ id: assoc, type: 'APND', sourceId: doc2, targetId: doc1 }] });
    await w.services.metadata.applyUpdate(as(doctor), update(ins, { statusChanges: [{ id: 'ua', targetId: doc1, from: 'Approved', to: 'Deprecated' }] }));
    await expect(w.services.metadata.applyUpdate(as(doctor), apnd())).rejects.toMatchObject({ reason: 'XDSMetadataUpdateError' });
    await w.services.metadata.applyUpdate(as(doctor), update(ins, { statusChanges: [{ id: 'ua', targetId: doc1, from: 'Deprecated', to: 'Approved' }] }));
    await w.services.metadata.applyUpdate(as(doctor), apnd());
    const me = patientCaller(patientKey);
    const related = async (statuses?: Array<'Approved' | 'Deprecated'>) =>
      (await w.services.registryQueries.run(me, { kind: 'GetRelatedDocuments', ids: { uuids: [doc1] }, associationTypes: ['APND'], associationStatuses: statuses })).associations.map((a) => a.entryUuid);
    expect(await related()).toEqual([assoc]);
    await w.services.metadata.applyUpdate(as(doctor), update(ins, { statusChanges: [{ id: 'ua', targetId: assoc, from: 'Approved', to: 'Deprecated' }] }));
    expect(await related()).toEqual([]);
    expect(await related(['Approved', 'Deprecated'])).toEqual([assoc]);
    await w.services.metadata.applyUpdate(as(doctor), update(ins, { statusChanges: [{ id: 'ua', targetId: assoc, from: 'Deprecated', to: 'Approved' }] }));
    expect(await related()).toEqual([assoc]);
  });
});
