// Writing a checked submission (its plan): submission set, documents and their content,
// folders, associations, the replacements' consequences (DOC-05), and one trace row per
// document. Runs inside the submission's transaction, so all of it is stored or none (DOC-03).
// The new rows do not read one another: they are written together, in one statement with the
// first document's trace row (the nine inserts and the trace row of a one-document submission
// were ten round trips to the database, they are one).
import { randomUUID } from 'node:crypto';
import { dtmToDate } from '../domain/entry-requirements.js';
import type { StoredDocumentEntry } from '../domain/model.js';
import { documentFacts } from '../domain/record.js';
import type { Resubmission, SubmissionRequest } from '../domain/submission.js';
import { writeTogether, type Statement } from '../store/combined-writes.js';
import type { Tx } from '../store/db.js';
import { bareUuid, getEntry, insertEntryVersionStatement, joinLineage, setEntryStatus } from '../store/document-repo.js';
import { putContentStatement } from '../store/document-content-repo.js';
import { lookupObjects, registerObject, registerObjectsStatement, registerUniqueIdsStatement, type RegistryObjectRow, type UniqueIdRow } from '../store/registry-repo.js';
import { findAssociations, insertAssociation, insertAssociationStatement } from '../store/association-repo.js';
import { insertFolderVersionStatement, touchFolder } from '../store/folder-repo.js';
import { insertSubmissionSetStatement } from '../store/submission-set-repo.js';
import type { Caller, ServiceDeps } from './deps.js';
import type { TraceExtra } from './guard.js';
import { idKey } from './known-ids.js';
import { REPLACING, type SubmissionPlan } from './submission-plan.js';
import { asStored } from './submission-shape.js';

export interface StoredSubmission {
  resubmitted: Resubmission[];
  /** PAT-03: the new documents, announced to the alert address once stored */
  added: Array<ReturnType<typeof documentFacts>>;
}

export async function storeSubmission(
  tx: Tx,
  deps: ServiceDeps,
  caller: Caller,
  patientKey: string,
  req: SubmissionRequest,
  plan: SubmissionPlan,
  trace: (action: string, extra?: TraceExtra, along?: Statement[]) => Promise<unknown>,
): Promise<StoredSubmission> {
  const { now, ssUuid, prepared, assigned, inMessage, folderAdds, replaced, resolveRef } = plan;
  const actor = caller.actor;
  const ss = req.submissionSet;
  // The rows of the submission, written together below; the registry rows in one statement each.
  const rows: Statement[] = [];
  const objects: RegistryObjectRow[] = [];
  const uniqueIds: UniqueIdRow[] = [];
  const traces: TraceExtra[] = [];
  const contents = new Set<string>();
  rows.push(
    insertSubmissionSetStatement({
      patientKey,
      entryUuid: ssUuid,
      metadata: { ...ss, entryUuid: ssUuid, availabilityStatus: 'Approved' },
      submissionTime: ss.submissionTime ? dtmToDate(ss.submissionTime) : now,
      authorIds: ss.authors.map((a) => a.person?.id).filter((x): x is string => !!x),
      submittedBy: actor.kind === 'professional' ? actor.idNatPs : null,
      storedAt: now,
    }),
  );
  objects.push({ entryUuid: ssUuid, patientKey, type: 'SubmissionSet' });
  uniqueIds.push({ unique_id: ss.uniqueId, patient_key: patientKey, object_type: 'SubmissionSet', logical_id: ssUuid, sha1: null, size: null });

  const resubmitted: Resubmission[] = [];
  /** PAT-03: the new documents, announced to the alert address once stored */
  const added: Array<ReturnType<typeof documentFacts>> = [];
  for (const [i, d] of req.documents.entries()) {
    const p = prepared[i];
    if (p.existing) {
      resubmitted.push({ id: d.id, uniqueId: d.metadata.uniqueId, entryUuid: p.existing.entryUuid, version: p.existing.version });
      continue;
    }
    const stored = asStored(d.metadata, actor, patientKey, now);
    const facts = documentFacts(stored);
    added.push(facts);
    const m = {
      ...d.metadata,
      confidentialityCodes: stored.confidentialityCodes,
      entryUuid: p.entryUuid,
      logicalId: p.entryUuid,
      version: 1,
      availabilityStatus: 'Approved' as const,
      hash: p.digest?.sha1 ?? d.metadata.hash,
      size: p.digest?.size ?? d.metadata.size,
      // ITI-42 registers a document another repository holds: its repositoryUniqueId is that one
      repositoryUniqueId: d.content ? deps.repositoryUniqueId : (d.metadata.repositoryUniqueId ?? deps.repositoryUniqueId),
    };
    // the same bytes twice in one submission are one content row, as they are across submissions
    if (p.digest && d.content && !contents.has(p.digest.sha256)) {
      contents.add(p.digest.sha256);
      rows.push(putContentStatement(patientKey, { sha256: p.digest.sha256, sha1: p.digest.sha1, utf8: p.digest.utf8, bytes: d.content }, now));
    }
    rows.push(insertEntryVersionStatement({
      patientKey,
      entryUuid: p.entryUuid,
      logicalId: p.entryUuid,
      version: 1,
      status: 'Approved',
      metadata: m,
      typeCode: facts.typeCode,
      classCode: facts.classCode,
      confidentiality: facts.confidentiality,
      authorIds: facts.authorIds,
      authorStructures: facts.authorStructures,
      authoredByPatient: facts.authoredByPatient,
      submittedBy: stored.submittedBy,
      submittedByStructure: stored.submittedByStructure,
      submissionSetUuid: ssUuid,
      contentSha256: p.digest?.sha256 ?? null,
      creationTime: d.metadata.creationTime ? dtmToDate(d.metadata.creationTime) : null,
      serviceStartTime: d.metadata.serviceStartTime ? dtmToDate(d.metadata.serviceStartTime) : null,
      serviceStopTime: d.metadata.serviceStopTime ? dtmToDate(d.metadata.serviceStopTime) : null,
      storedAt: now,
    }));
    objects.push({ entryUuid: p.entryUuid, patientKey, type: 'DocumentEntry' });
    uniqueIds.push({
      unique_id: d.metadata.uniqueId,
      patient_key: patientKey,
      object_type: 'DocumentEntry',
      logical_id: p.entryUuid,
      sha1: p.digest?.sha1 ?? d.metadata.hash?.toLowerCase() ?? null,
      size: p.digest?.size ?? d.metadata.size ?? null,
    });
    traces.push({
      document: { logicalId: bareUuid(p.entryUuid), entryUuid: bareUuid(p.entryUuid), uniqueId: d.metadata.uniqueId },
      details: { typeCode: facts.typeCode, submissionSet: bareUuid(ssUuid) },
    });
  }

  for (const f of req.folders) {
    const uuid = assigned.get(f.id)!;
    rows.push(insertFolderVersionStatement({
      patientKey,
      entryUuid: uuid,
      logicalId: uuid,
      version: 1,
      status: 'Approved',
      metadata: { ...f.metadata, entryUuid: uuid, logicalId: uuid, version: 1, availabilityStatus: 'Approved' },
      lastUpdateTime: now,
      storedAt: now,
    }));
    objects.push({ entryUuid: uuid, patientKey, type: 'Folder' });
    uniqueIds.push({ unique_id: f.metadata.uniqueId, patient_key: patientKey, object_type: 'Folder', logical_id: uuid, sha1: null, size: null });
  }

  for (const a of req.associations) {
    const uuid = assigned.get(a.id)!;
    const metadata = { ...a, entryUuid: uuid, sourceId: resolveRef(a.sourceId), targetId: resolveRef(a.targetId) };
    delete (metadata as { id?: string }).id;
    rows.push(insertAssociationStatement({ patientKey, entryUuid: uuid, metadata, storedAt: now }));
    objects.push({ entryUuid: uuid, patientKey, type: 'Association' });
  }
  rows.push(registerObjectsStatement(objects), registerUniqueIdsStatement(uniqueIds));
  // The rows go with the first document's trace row, in one statement (a round trip fewer); a
  // submission of no new document (all sent again, DOC-04) writes them alone.
  const [first, ...others] = traces;
  if (first) await trace('document.submit', first, rows);
  else await writeTogether(tx, rows);
  for (const t of others) await trace('document.submit', t);

  // A document added to a folder refreshes the folder's lastUpdateTime (ITI TF-3 4.2.3.4).
  for (const fa of folderAdds) {
    if (!inMessage.has(fa.folder)) await touchFolder(tx, patientKey, fa.folder, now, fa.doc);
  }
  // DOC-05: replacement deprecates the old version; a replacement joins the old one's folders,
  // and its lineage (ACC-09): the old document's versions now follow the replacement's visibility.
  const logicalIdOf = new Map(prepared.map((p) => [idKey(p.entryUuid), p.existing?.logicalId ?? p.entryUuid]));
  for (const r of replaced) {
    if (!REPLACING.includes(r.type)) continue;
    await setEntryStatus(tx, patientKey, r.target.entryUuid, 'Deprecated', now);
    // the replacement is a document of this submission: its logical id is the plan's, not read back
    await joinLineage(tx, patientKey, logicalIdOf.get(idKey(r.source))!, r.target.logicalId);
    const inFolders = await findAssociations(tx, { patientKey, targets: [r.target.entryUuid], types: ['HasMember'] });
    for (const link of inFolders) {
      const src = link.sourceId;
      const isFolder = (await lookupObjects(tx, [src]))[0]?.type === 'Folder';
      if (!isFolder) continue;
      const uuid = `urn:uuid:${randomUUID()}`;
      await insertAssociation(tx, { patientKey, entryUuid: uuid, metadata: { type: 'HasMember', sourceId: src, targetId: r.source }, storedAt: now });
      await registerObject(tx, uuid, patientKey, 'Association');
      await touchFolder(tx, patientKey, src, now, r.source);
    }
    await trace('document.replace', {
      document: { logicalId: bareUuid(r.target.logicalId), entryUuid: bareUuid(r.target.entryUuid), uniqueId: r.target.uniqueId },
      details: { replacedBy: bareUuid(r.source), association: r.type },
    });
    // ITI TF-3 4.1.6: the addenda and transforms of a replaced document go with it; they
    // described the old version and would otherwise stay current beside the new one.
    for (const dep of await dependentsOf(tx, patientKey, r.target.entryUuid)) {
      await setEntryStatus(tx, patientKey, dep.entryUuid, 'Deprecated', now);
      await trace('document.deprecate', {
        document: { logicalId: bareUuid(dep.logicalId), entryUuid: bareUuid(dep.entryUuid), uniqueId: dep.uniqueId },
        details: { because: 'replaced', replacedDocument: bareUuid(r.target.entryUuid), replacedBy: bareUuid(r.source) },
      });
    }
  }
  return { resubmitted, added };
}

/** The approved current documents that append to or transform `entryUuid` (APND, XFRM). */
async function dependentsOf(tx: Tx, patientKey: string, entryUuid: string): Promise<StoredDocumentEntry[]> {
  const links = await findAssociations(tx, { patientKey, targets: [entryUuid], types: ['APND', 'XFRM'], statuses: ['Approved'] });
  const out: StoredDocumentEntry[] = [];
  for (const link of links) {
    const e = await getEntry(tx, patientKey, link.sourceId, true);
    if (e && e.latest && e.availabilityStatus === 'Approved') out.push(e);
  }
  return out;
}
