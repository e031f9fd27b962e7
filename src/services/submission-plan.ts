// Everything a submission is checked against in the database, before anything is written:
// content against metadata (DOC-03), the rules on each new document (DOC-01, DOC-08),
// uniqueIds (DOC-04), identifiers, and both ends of every association (DOC-05). The outcome is
// a plan the store follows, or every problem found at once.
import { randomUUID } from 'node:crypto';
import { decide } from '../domain/decide.js';
import { CarnetError } from '../domain/errors.js';
import type { AssociationType, StoredDocumentEntry } from '../domain/model.js';
import { documentFacts } from '../domain/record.js';
import { METADATA_REASONS } from '../domain/reasons.js';
import type { SubmissionRequest } from '../domain/submission.js';
import type { Tx } from '../store/db.js';
import { getLatestByLogicalId } from '../store/document-repo.js';
import type { LoadedRecord } from '../store/record-repo.js';
import { lookupObjects, lookupUniqueIds, type RegistryObjectType } from '../store/registry-repo.js';
import { digest, type ContentDigest } from './content-hash.js';
import type { Caller, ServiceDeps } from './deps.js';
import { refusal } from './guard.js';
import { idKey, knowerAcrossRecords, knownIdsForChange } from './known-ids.js';
import { asStored, describeMetadataReason, fail, invalid, UUID, type SubmitOptions } from './submission-shape.js';

export const DOCUMENT_RELATIONS: AssociationType[] = ['RPLC', 'XFRM', 'APND', 'XFRM_RPLC', 'signs'];
export const REPLACING: AssociationType[] = ['RPLC', 'XFRM_RPLC'];

export interface PreparedDocument {
  id: string;
  entryUuid: string;
  digest: ContentDigest | null;
  /** the document is already stored with the same content (DOC-04) */
  existing: StoredDocumentEntry | null;
}

export interface SubmissionPlan {
  now: Date;
  ssUuid: string;
  prepared: PreparedDocument[];
  /** sender id -> entryUUID as stored */
  assigned: Map<string, string>;
  /** the objects this submission creates, by entryUUID */
  inMessage: Map<string, RegistryObjectType>;
  folderAdds: Array<{ folder: string; doc: string }>;
  replaced: Array<{ target: StoredDocumentEntry; type: AssociationType; source: string }>;
  resolveRef: (id: string) => string;
}

export async function planSubmission(
  tx: Tx,
  deps: ServiceDeps,
  caller: Caller,
  record: LoadedRecord,
  patientKey: string,
  req: SubmissionRequest,
  options: SubmitOptions,
): Promise<SubmissionPlan> {
  const now = deps.clock.now();
  const actor = caller.actor;
  const out: CarnetError[] = [];

  // Content against metadata (DOC-03), and the rules on each new document (DOC-01, DOC-08).
  const prepared: PreparedDocument[] = [];
  const uniqueRows = await lookupUniqueIds(tx, [req.submissionSet.uniqueId, ...req.documents.map((d) => d.metadata.uniqueId), ...req.folders.map((f) => f.metadata.uniqueId)]);
  const byUniqueId = new Map(uniqueRows.map((r) => [r.unique_id, r]));
  // Bytes several entries hold (an MTOM part that many xdsb:Document name) are digested once:
  // four hundred entries naming one 60 MB part were 24 GB hashed on the event loop, a
  // transaction and its locks held meanwhile.
  const digests = new Map<Uint8Array, ContentDigest>();
  const digestOnce = (bytes: Uint8Array): ContentDigest => digests.get(bytes) ?? digests.set(bytes, digest(bytes)).get(bytes)!;
  for (const d of req.documents) {
    const dg = d.content ? digestOnce(d.content) : null;
    if (dg && d.metadata.hash && d.metadata.hash.toLowerCase() !== dg.sha1) {
      out.push(new CarnetError('invalid_content_metadata', `DocumentEntry ${d.id}: hash does not match the document`, { location: d.id }));
    }
    if (dg && d.metadata.size !== undefined && d.metadata.size !== dg.size) {
      out.push(new CarnetError('invalid_content_metadata', `DocumentEntry ${d.id}: size ${d.metadata.size} does not match the document (${dg.size} bytes)`, { location: d.id }));
    }
    const facts = documentFacts(asStored(d.metadata, actor, patientKey, now));
    const decision = decide(deps.policy, actor, record.context, facts, 'document.submit', now);
    if (!decision.permit) {
      if (METADATA_REASONS.includes(decision.reason)) {
        out.push(invalid(`DocumentEntry ${d.id}: ${describeMetadataReason(decision.reason, d.metadata.typeCode?.code, d.metadata.classCode?.code)}`, d.id, decision.reason));
      } else throw refusal(decision.reason);
    }
    let existing: StoredDocumentEntry | null = null;
    const prior = byUniqueId.get(d.metadata.uniqueId);
    if (prior) {
      // DOC-04 and ACC-08 (docs/XDS.md, "Sending a document again"): the clash is described only
      // to a caller who may read the registered document. For anyone else it answers as a
      // uniqueId taken outside their view (another record's, a folder's), whatever the content.
      const entry = prior.object_type === 'DocumentEntry' && prior.patient_key === patientKey ? await getLatestByLogicalId(tx, patientKey, prior.logical_id) : null;
      const readable = entry !== null && decide(deps.policy, actor, record.context, documentFacts(entry), 'document.read', now).permit;
      if (!readable) out.push(uniqueIdTaken(d.id, d.metadata.uniqueId));
      else if (!sameContent(prior, dg, options.metadataOnly ? d.metadata : undefined)) {
        out.push(new CarnetError('non_identical_hash', `DocumentEntry ${d.id}: uniqueId ${d.metadata.uniqueId} is already stored with other content`, { location: d.id }));
      } else existing = entry;
    }
    prepared.push({ id: d.id, entryUuid: '', digest: dg, existing });
  }
  const ssPrior = byUniqueId.get(req.submissionSet.uniqueId);
  if (ssPrior) {
    out.push(new CarnetError('duplicate_unique_id', `submission set uniqueId ${req.submissionSet.uniqueId} is already registered`, { location: req.submissionSet.id }));
  }
  for (const f of req.folders) {
    if (byUniqueId.has(f.metadata.uniqueId)) {
      out.push(new CarnetError('duplicate_unique_id', `folder uniqueId ${f.metadata.uniqueId} is already registered`, { location: f.id }));
    }
  }

  // Identifiers: UUIDs the sender chose must be new; symbolic ids get one from us.
  const assigned = new Map<string, string>();
  const newObjects: Array<{ id: string; type: RegistryObjectType }> = [
    { id: req.submissionSet.id, type: 'SubmissionSet' },
    ...req.documents.map((d) => ({ id: d.id, type: 'DocumentEntry' as const })),
    ...req.folders.map((f) => ({ id: f.id, type: 'Folder' as const })),
    ...req.associations.map((a) => ({ id: a.id, type: 'Association' as const })),
  ];
  const senderUuids = newObjects.filter((o) => UUID.test(o.id)).map((o) => o.id.toLowerCase());
  const taken = senderUuids.length ? await lookupObjects(tx, senderUuids) : [];
  for (const t of taken) out.push(invalid(`entryUUID ${t.entryUuid} already exists in the registry`, t.entryUuid));
  for (const o of newObjects) assigned.set(o.id, UUID.test(o.id) ? o.id.toLowerCase() : `urn:uuid:${randomUUID()}`);
  prepared.forEach((p, i) => {
    p.entryUuid = p.existing ? p.existing.entryUuid : assigned.get(req.documents[i].id)!;
    if (p.existing) assigned.set(req.documents[i].id, p.existing.entryUuid);
  });

  // Associations: resolve both ends, inside the message or already registered.
  const inMessage = new Map<string, RegistryObjectType>(newObjects.map((o) => [assigned.get(o.id)!, o.type]));
  const references = req.associations.flatMap((a) => [a.sourceId, a.targetId]).filter((id) => !assigned.has(id));
  const badRefs = references.filter((id) => !UUID.test(id));
  for (const id of badRefs) out.push(invalid(`association refers to ${id}, which is neither in the submission nor a registry UUID`, id));
  const registered = new Map(
    (await lookupObjects(tx, references.filter((id) => UUID.test(id)))).map((o) => [o.entryUuid, o]),
  );
  // ACC-08, ACC-09: an object the caller does not know of (knowerAcrossRecords: a document hidden
  // from them, or not theirs to read nor to replace; an association, its own id, linking one; a
  // submission set holding only such), of this record or another, is not in the registry for this
  // submission: linked to, replaced or appended to, it answers as an unknown id, in the same words,
  // and nothing else is said of it (its type, its status, who may replace it, whose record it is)
  // The record's own objects are decided in its context, their documents read once and locked
  // (the replaced and appended ones among them, which the plan reads below); another record's, in its own.
  const objects = [...registered.values()];
  const own = await knownIdsForChange(tx, deps.policy, actor, record.context, patientKey, objects.filter((o) => o.patientKey === patientKey).map((o) => o.entryUuid), now, true);
  const knowsElsewhere = knowerAcrossRecords(tx, deps.policy, actor, objects.filter((o) => o.patientKey !== patientKey), now, patientKey);
  for (const o of objects) if (o.patientKey === patientKey ? !own.known(o.entryUuid) : !(await knowsElsewhere(o))) registered.delete(o.entryUuid);
  // the record's documents named, by their id as named
  const registeredEntries = new Map<string, StoredDocumentEntry>();
  for (const [uuid, o] of registered) {
    const entry = o.type === 'DocumentEntry' && o.patientKey === patientKey ? own.entries.get(idKey(uuid)) : undefined;
    if (entry) registeredEntries.set(uuid, entry);
  }
  const resolveRef = (id: string) => assigned.get(id) ?? (UUID.test(id) ? id.toLowerCase() : id);
  const typeOf = (uuid: string): RegistryObjectType | undefined => inMessage.get(uuid) ?? registered.get(uuid)?.type;
  const ssUuid = assigned.get(req.submissionSet.id)!;
  const members = new Set<string>();
  const replaced: Array<{ target: StoredDocumentEntry; type: AssociationType; source: string }> = [];
  const folderAdds: Array<{ folder: string; doc: string }> = [];
  for (const a of req.associations) {
    const source = resolveRef(a.sourceId);
    const target = resolveRef(a.targetId);
    for (const end of [source, target]) {
      const reg = registered.get(end);
      if (!inMessage.has(end) && !reg) out.push(notInRegistry(a.id, end));
      else if (reg && reg.patientKey !== patientKey) out.push(new CarnetError('patient_mismatch', `association ${a.id} links objects of different patients`, { location: a.id }));
    }
    if (a.type === 'HasMember') {
      // ITI TF-3 4.1.4: a submission set holds documents, folders and associations, never itself
      // (nor another submission set); 21000 sends SS -> SS with update semantics in ITI-42.
      if (source === ssUuid && typeOf(target) === 'SubmissionSet') out.push(invalid(`association ${a.id}: a submission set cannot be a member of a submission set`, a.id));
      else if (source === ssUuid) {
        // ITI TF-3 4.2.2.1: a submission set's HasMember to a document says whether the document
        // is submitted here (Original) or referenced (Reference); without it the link says nothing.
        if (typeOf(target) === 'DocumentEntry' && !a.submissionSetStatus) {
          out.push(invalid(`association ${a.id}: the submission set's HasMember to a DocumentEntry needs the SubmissionSetStatus slot (Original or Reference)`, a.id));
        }
        members.add(target);
      }
      else if (typeOf(source) === 'Folder' && typeOf(target) === 'DocumentEntry') folderAdds.push({ folder: source, doc: target });
      else if (typeOf(source) !== undefined) out.push(invalid(`association ${a.id}: HasMember must start from the submission set or a folder`, a.id));
    } else if (DOCUMENT_RELATIONS.includes(a.type)) {
      if (typeOf(source) !== 'DocumentEntry' || !inMessage.has(source)) {
        out.push(invalid(`association ${a.id}: ${a.type} must start from a document of this submission`, a.id));
        continue;
      }
      if (inMessage.has(target) || typeOf(target) !== 'DocumentEntry') {
        out.push(invalid(`association ${a.id}: ${a.type} must point at a document already registered`, a.id));
        continue;
      }
      const targetEntry = registeredEntries.get(target);
      if (!targetEntry) continue;
      if (targetEntry.availabilityStatus !== 'Approved' || !targetEntry.latest) {
        out.push(invalid(`association ${a.id}: the ${a.type} target is not an approved current document`, a.id));
        continue;
      }
      if (REPLACING.includes(a.type)) {
        const d = decide(deps.policy, actor, record.context, documentFacts(targetEntry), 'document.replace', now);
        if (!d.permit) throw refusal(d.reason);
      }
      replaced.push({ target: targetEntry, type: a.type, source });
    }
  }
  for (const [i, d] of req.documents.entries()) {
    if (!prepared[i].existing && !members.has(assigned.get(d.id)!)) {
      out.push(invalid(`DocumentEntry ${d.id} is not a member of the submission set`, d.id));
    }
  }
  if (out.length) fail(out);
  return { now, ssUuid, prepared, assigned, inMessage, folderAdds, replaced, resolveRef };
}

/** An association's end the registry does not hold, or holds out of the caller's view: one answer for both. */
function notInRegistry(associationId: string, end: string): CarnetError {
  return invalid(`association ${associationId} refers to ${end}, which is not in the registry`, associationId);
}

/** A uniqueId the registry holds for an object the caller has no view of: one answer for every such case. */
function uniqueIdTaken(id: string, uniqueId: string): CarnetError {
  return new CarnetError('duplicate_unique_id', `uniqueId ${uniqueId} is already used by another object`, { location: id });
}

/** DOC-04: a uniqueId seen again is a resubmission only with the same content (or, registry-only, the same declared hash). */
function sameContent(prior: { sha1: string | null; size: number | null }, dg: ContentDigest | null, declared?: { hash?: string; size?: number }): boolean {
  const sha1 = dg?.sha1 ?? declared?.hash?.toLowerCase();
  const size = dg?.size ?? declared?.size;
  if (!sha1 || prior.sha1 !== sha1) return false;
  return prior.size === null || size === undefined || prior.size === size;
}
