// ITI-18 on a real port: the fourteen stored queries, their errors, and ACC-08 through every
// shape of answer. "One lock, two doors": FindDocuments answers exactly what the service's find
// answers to the same actor.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { ProfessionalActor } from '../../src/domain/actor.js';
import type { PatientIdentifier } from '../../src/domain/model.js';
import type { SubmissionRequest } from '../../src/domain/submission.js';
import { STORED_QUERY_IDS as Q } from '../../src/xds/query/params.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, uid, type World } from '../support/world.js';
import { adhocQuery, cx, errorCodes, postSoap, queryObjects, responseStatus, vihfFor, XDS_ACTIONS, type XdsAnswer } from '../support/xds-client.js';

const APPROVED = "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')";
const BOTH = "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved','urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated')";

describeEachStore('XDS door: ITI-18 stored queries', (db) => {
  let server: RunningApp;
  let w: World;
  let url: string;
  const doctor = proActor('doctor');
  const doctor2 = proActor('doctor2');
  const nurse = proActor('nurse');
  const podiatrist = proActor('podiatrist');
  const blocked = proActor('dentist');
  let ins: PatientIdentifier;
  let patientKey: string;
  let other: PatientIdentifier;
  /** uniqueIds and entryUUIDs of the world */
  const u: Record<string, string> = {};
  const e: Record<string, string> = {};

  const query = (actor: ProfessionalActor, id: string, slots: Record<string, string | string[]>, rt: 'LeafClass' | 'ObjectRef' = 'LeafClass'): Promise<XdsAnswer> =>
    postSoap(url, XDS_ACTIONS['ITI-18'], adhocQuery(id, slots, rt), { assertion: vihfFor(actor) });

  async function deposit(sub: SubmissionRequest, actor = doctor) {
    const r = await w.services.submissions.submit(as(actor), sub);
    return r.assignedIds;
  }

  beforeAll(async () => {
    await makeWorld(db());
    server = await startTestApp(db(), { CARNET_MAX_QUERY_RESULTS: '50' });
    w = { db: db(), clock: undefined as never, services: server.app.services };
    url = `${server.baseUrl}/xds/registry`;
    const rec = await adultRecord(w);
    ins = rec.ins;
    patientKey = rec.patientKey;
    const second = await adultRecord(w);
    other = second.ins;
    await w.services.consent.addGrant(patientCaller(second.patientKey), second.patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
    const me = patientCaller(patientKey);
    for (const p of [doctor, doctor2, nurse, podiatrist, blocked]) {
      await w.services.consent.addGrant(me, patientKey, { subjectKind: 'professional', subjectId: p.idNatPs, effect: 'permit' });
    }
    await w.services.consent.addGrant(me, patientKey, { subjectKind: 'professional', subjectId: blocked.idNatPs, effect: 'deny' });

    // SS1: consult + hospital report, and a folder holding the consult
    const s1 = submission(ins, [
      { typeCode: '11488-4', classCode: '10', authorId: doctor.idNatPs },
      { typeCode: '34112-3', classCode: '10', authorId: doctor.idNatPs },
    ]);
    s1.documents[0]!.metadata.referenceIds = ['ref-1^^^&1.2.3&ISO^urn:ihe:iti:xds:2013:accession'];
    s1.folders = [{ id: 'Folder01', metadata: { uniqueId: uid(), patientId: ins, codeList: [{ code: 'F1', system: '1.2.3.4' }] } }];
    s1.associations.push(
      { id: 'assocF', type: 'HasMember', sourceId: 'SubmissionSet01', targetId: 'Folder01', submissionSetStatus: 'Original' },
      { id: 'assocFD', type: 'HasMember', sourceId: 'Folder01', targetId: 'Document1' },
    );
    const a1 = await deposit(s1);
    [u.consult, u.hospital] = s1.documents.map((d) => d.metadata.uniqueId);
    e.consult = a1.Document1!;
    e.hospital = a1.Document2!;
    e.folder = a1.Folder01!;
    e.ss1 = a1.SubmissionSet01!;
    u.folder = s1.folders[0]!.metadata.uniqueId;
    // SS2: a document masked to professionals, authored by doctor2 (only its author and the patient side see it)
    const s2 = submission(ins, [{ typeCode: '11488-4', classCode: '10', authorId: doctor2.idNatPs, confidentiality: ['N', 'MASQUE_PS'] }]);
    const a2 = await deposit(s2, doctor2);
    u.masked = s2.documents[0]!.metadata.uniqueId;
    e.masked = a2.Document1!;
    e.ss2 = a2.SubmissionSet01!;
    // SS3: a replacement of the consult (RPLC)
    const s3 = submission(ins, [{ typeCode: '11488-4', classCode: '10', authorId: doctor.idNatPs }]);
    s3.associations.push({ id: 'rplc', type: 'RPLC', sourceId: 'Document1', targetId: e.consult });
    const a3 = await deposit(s3);
    u.replacement = s3.documents[0]!.metadata.uniqueId;
    e.replacement = a3.Document1!;
    // a document of another patient
    const s4 = submission(other, [{}]);
    e.otherDoc = (await deposit(s4)).Document1!;
  });
  afterAll(async () => {
    await server.close();
  });

  it('ACC-08 one lock, two doors: FindDocuments returns exactly what documents.find returns, for every kind of actor', async () => {
    const actors: Array<[string, ProfessionalActor]> = [
      ['authorised doctor', doctor],
      ['author of the masked document', doctor2],
      ['podiatrist', podiatrist],
      ['blocked', blocked],
      ['bris de glace', proActor('pharmacist', { mode: 'bris_de_glace' })],
    ];
    for (const [name, actor] of actors) {
      const viaService = await w.services.documents
        .find(as(actor), { patientKey }, { statuses: ['Approved', 'Deprecated'] })
        .then((p) => p.entries.map((d) => d.uniqueId).sort())
        .catch(() => 'refused');
      const res = await query(actor, Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(ins), $XDSDocumentEntryStatus: BOTH });
      const viaXds = responseStatus(res) === 'Success' ? queryObjects(res).uniqueIds.sort() : 'refused';
      expect({ name, docs: viaXds }).toEqual({ name, docs: viaService });
    }
    const seenByDoctor = queryObjects(await query(doctor, Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(ins), $XDSDocumentEntryStatus: BOTH })).uniqueIds;
    expect(seenByDoctor).not.toContain(u.masked);
    const seenByAuthor = queryObjects(await query(doctor2, Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(ins), $XDSDocumentEntryStatus: BOTH })).uniqueIds;
    expect(seenByAuthor).toContain(u.masked);
  });

  it('FindDocuments: status, codes and ObjectRef; FindDocumentsByReferenceId', async () => {
    const approved = queryObjects(await query(doctor, Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(ins), $XDSDocumentEntryStatus: APPROVED }));
    expect(approved.uniqueIds.sort()).toEqual([u.hospital, u.replacement].sort());
    const deprecated = await query(doctor, Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(ins), $XDSDocumentEntryStatus: "('urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated')" }, 'ObjectRef');
    expect(queryObjects(deprecated).objectRefs).toEqual([e.consult]);
    const byType = await query(doctor, Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(ins), $XDSDocumentEntryStatus: APPROVED, $XDSDocumentEntryTypeCode: "('34112-3^^2.16.840.1.113883.6.1')" }, 'ObjectRef');
    expect(queryObjects(byType).objectRefs).toEqual([e.hospital]);
    const byRef = await query(doctor, Q.FindDocumentsByReferenceId, {
      $XDSDocumentEntryPatientId: cx(ins),
      $XDSDocumentEntryStatus: BOTH,
      $XDSDocumentEntryReferenceIdList: "('ref-1^^^&amp;1.2.3&amp;ISO^urn:ihe:iti:xds:2013:accession')",
    }, 'ObjectRef');
    expect(queryObjects(byRef).objectRefs).toEqual([e.consult]);
  });

  it('FindSubmissionSets and FindFolders; a submission set that would only reveal a hidden document is not listed (ACC-08)', async () => {
    const sets = queryObjects(await query(nurse, Q.FindSubmissionSets, { $XDSSubmissionSetPatientId: cx(ins), $XDSSubmissionSetStatus: APPROVED }));
    expect(sets.submissionSets).toEqual(expect.arrayContaining([e.ss1]));
    expect(sets.submissionSets).not.toContain(e.ss2);
    const forAuthor = queryObjects(await query(doctor2, Q.FindSubmissionSets, { $XDSSubmissionSetPatientId: cx(ins), $XDSSubmissionSetStatus: APPROVED }));
    expect(forAuthor.submissionSets).toContain(e.ss2);
    const folders = queryObjects(await query(nurse, Q.FindFolders, { $XDSFolderPatientId: cx(ins), $XDSFolderStatus: APPROVED }));
    expect(folders.folders).toEqual([e.folder]);
  });

  it('GetAll returns documents, submission sets, folders and the associations between them, none touching a hidden document', async () => {
    const res = await query(nurse, Q.GetAll, {
      $patientId: cx(ins),
      $XDSDocumentEntryStatus: BOTH,
      $XDSSubmissionSetStatus: APPROVED,
      $XDSFolderStatus: APPROVED,
    });
    const o = queryObjects(res);
    expect(o.uniqueIds.sort()).toEqual([u.consult, u.hospital, u.replacement].sort());
    expect(o.folders).toEqual([e.folder]);
    expect(res.xml).not.toContain(e.masked);
    expect(o.associations.length).toBeGreaterThanOrEqual(5);
  });

  it('GetDocuments by UUID (any version) and by uniqueId; GetFolders by UUID and uniqueId', async () => {
    const byUuid = queryObjects(await query(nurse, Q.GetDocuments, { $XDSDocumentEntryEntryUUID: `('${e.consult}','${e.hospital}')` }));
    expect(byUuid.documents.sort()).toEqual([e.consult, e.hospital].sort());
    const byUid = queryObjects(await query(nurse, Q.GetDocuments, { $XDSDocumentEntryUniqueId: `('${u.hospital}')` }));
    expect(byUid.documents).toEqual([e.hospital]);
    const hidden = queryObjects(await query(nurse, Q.GetDocuments, { $XDSDocumentEntryEntryUUID: `('${e.masked}')` }));
    expect(hidden.documents).toEqual([]);
    expect(queryObjects(await query(nurse, Q.GetFolders, { $XDSFolderEntryUUID: `('${e.folder}')` })).folders).toEqual([e.folder]);
    expect(queryObjects(await query(nurse, Q.GetFolders, { $XDSFolderUniqueId: `('${u.folder}')` })).folders).toEqual([e.folder]);
  });

  it('GetAssociations, GetDocumentsAndAssociations and GetSubmissionSets never show what touches a hidden document', async () => {
    const assoc = queryObjects(await query(nurse, Q.GetAssociations, { $uuid: `('${e.consult}')` }));
    expect(assoc.associations.length).toBe(3); // SS1 HasMember, folder HasMember, RPLC
    expect(queryObjects(await query(nurse, Q.GetAssociations, { $uuid: `('${e.masked}')` })).associations).toEqual([]);
    expect(queryObjects(await query(nurse, Q.GetAssociations, { $uuid: `('${e.ss2}')` })).associations).toEqual([]);
    const dna = queryObjects(await query(nurse, Q.GetDocumentsAndAssociations, { $XDSDocumentEntryEntryUUID: `('${e.hospital}','${e.masked}')` }));
    expect(dna.documents).toEqual([e.hospital]);
    expect(dna.associations).toHaveLength(1);
    const ss = queryObjects(await query(nurse, Q.GetSubmissionSets, { $uuid: `('${e.hospital}','${e.masked}')` }));
    expect(ss.submissionSets).toEqual([e.ss1]);
    expect(ss.associations).toHaveLength(1);
  });

  it('GetSubmissionSetAndContents, GetFolderAndContents, GetFoldersForDocument, GetRelatedDocuments', async () => {
    const ssc = queryObjects(await query(nurse, Q.GetSubmissionSetAndContents, { $XDSSubmissionSetEntryUUID: `'${e.ss1}'` }));
    expect(ssc.submissionSets).toEqual([e.ss1]);
    expect(ssc.documents.sort()).toEqual([e.consult, e.hospital].sort());
    expect(ssc.folders).toEqual([e.folder]);
    const hiddenSet = queryObjects(await query(nurse, Q.GetSubmissionSetAndContents, { $XDSSubmissionSetEntryUUID: `'${e.ss2}'` }));
    expect(hiddenSet).toMatchObject({ submissionSets: [], documents: [], associations: [] });
    const fc = queryObjects(await query(nurse, Q.GetFolderAndContents, { $XDSFolderEntryUUID: `'${e.folder}'` }));
    // the replacement joined the folders of the document it replaced (DOC-05)
    expect(fc.folders).toEqual([e.folder]);
    expect(fc.documents.sort()).toEqual([e.consult, e.replacement].sort());
    expect(fc.associations).toHaveLength(2);
    const ffd = queryObjects(await query(nurse, Q.GetFoldersForDocument, { $XDSDocumentEntryUniqueId: `'${u.consult}'` }));
    expect(ffd.folders).toEqual([e.folder]);
    expect(queryObjects(await query(nurse, Q.GetFoldersForDocument, { $XDSDocumentEntryEntryUUID: `'${e.hospital}'` })).folders).toEqual([]);
    const related = queryObjects(await query(nurse, Q.GetRelatedDocuments, { $XDSDocumentEntryEntryUUID: `'${e.replacement}'`, $AssociationTypes: "('urn:ihe:iti:2007:AssociationType:RPLC')" }));
    expect(related.documents.sort()).toEqual([e.consult, e.replacement].sort());
    expect(related.associations).toHaveLength(1);
    const none = queryObjects(await query(nurse, Q.GetRelatedDocuments, { $XDSDocumentEntryEntryUUID: `'${e.hospital}'`, $AssociationTypes: "('urn:ihe:iti:2007:AssociationType:RPLC')" }));
    expect(none).toMatchObject({ documents: [], associations: [] });
  });

  it('query errors: unknown query, missing or repeated parameter, LeafClass over two patients, too many results, hostile values', async () => {
    const unknown = await query(doctor, `urn:uuid:${randomUUID()}`, {});
    expect(errorCodes(unknown)).toEqual(['XDSUnknownStoredQuery']);
    const missing = await query(doctor, Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(ins) });
    expect(errorCodes(missing)).toEqual(['XDSStoredQueryMissingParam']);
    const twoPatients = await query(doctor, Q.GetDocuments, { $XDSDocumentEntryEntryUUID: `('${e.hospital}','${e.otherDoc}')` });
    expect(responseStatus(twoPatients)).toBe('Failure');
    expect(errorCodes(twoPatients)).toEqual(['XDSResultNotSinglePatient']);
    const asRefs = await query(doctor, Q.GetDocuments, { $XDSDocumentEntryEntryUUID: `('${e.hospital}','${e.otherDoc}')` }, 'ObjectRef');
    expect(responseStatus(asRefs)).toBe('Success');
    expect(queryObjects(asRefs).objectRefs.sort()).toEqual([e.hospital, e.otherDoc].sort());
    // many documents: more than CARNET_MAX_QUERY_RESULTS (50)
    const big = await adultRecord(w);
    await w.services.consent.addGrant(patientCaller(big.patientKey), big.patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
    await w.services.submissions.submit(as(doctor), submission(big.ins, Array.from({ length: 51 }, () => ({}))));
    const tooMany = await query(doctor, Q.FindDocuments, { $XDSDocumentEntryPatientId: cx(big.ins), $XDSDocumentEntryStatus: APPROVED }, 'ObjectRef');
    expect(errorCodes(tooMany)).toEqual(['XDSTooManyResults']);
    const hostile = await query(doctor, Q.FindDocuments, { $XDSDocumentEntryPatientId: "'x'' OR 1=1 --^^^&amp;1.2&amp;ISO'", $XDSDocumentEntryStatus: APPROVED });
    expect(hostile.status).toBeLessThan(500);
    expect(queryObjects(hostile).documents).toEqual([]);
  });
});
