// Submitting documents (DOC-01..05, ITI-41 / ITI-65): checked as a whole, then stored as a
// whole in one transaction, or not at all (DOC-03).
import { randomUUID } from 'node:crypto';
import type { Actor } from '../domain/actor.js';
import { normaliseConfidentiality } from '../domain/confidentiality.js';
import { decide } from '../domain/decide.js';
import { documentEntryProblems, dtmToDate, folderProblems, registeredElsewhereProblems, submissionSetProblems } from '../domain/entry-requirements.js';
import { CarnetError, CarnetErrors } from '../domain/errors.js';
import type { AssociationType, PatientIdentifier, StoredDocumentEntry } from '../domain/model.js';
import { documentFacts } from '../domain/record.js';
import type { ReasonCode } from '../domain/reasons.js';
import type { SubmissionRequest, SubmissionResult } from '../domain/submission.js';
import type { Tx } from '../store/db.js';
import { findPatientKey } from '../store/record-repo.js';
import { bareUuid, getEntry, getLatestByLogicalId, insertEntryVersion, putContent, setEntryStatus } from '../store/document-repo.js';
import {
  findAssociations,
  insertAssociation,
  insertFolderVersion,
  insertSubmissionSet,
  lookupObjects,
  lookupUniqueIds,
  registerObject,
  registerUniqueId,
  touchFolder,
  type RegistryObjectType,
} from '../store/registry-repo.js';
import { alertNewDocuments } from './alerts.js';
import { digest, type ContentDigest } from './content-hash.js';
import type { Caller, ServiceDeps } from './deps.js';
import { guarded, refusal } from './guard.js';

const UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOCUMENT_RELATIONS: AssociationType[] = ['RPLC', 'XFRM', 'APND', 'XFRM_RPLC', 'signs'];
const REPLACING: AssociationType[] = ['RPLC', 'XFRM_RPLC'];
/** reasons of decide('document.submit') that are about the metadata, not about the caller */
const METADATA_REASONS: ReasonCode[] = ['class_mismatch', 'unknown_document_type', 'not_patient_document_type'];

function samePatient(a: PatientIdentifier, b: PatientIdentifier): boolean {
  return a.value === b.value && a.system === b.system;
}

function invalid(message: string, location?: string, reason?: string): CarnetError {
  return new CarnetError('invalid_metadata', message, { location, reason });
}

/** Checks that need no database: required attributes, patient ids, documents present. */
function structuralProblems(req: SubmissionRequest, options: SubmitOptions = {}): CarnetError[] {
  const problems: CarnetError[] = [];
  const ss = req.submissionSet;
  problems.push(...submissionSetProblems(ss.id, ss));
  for (const d of req.documents) {
    problems.push(...documentEntryProblems(d.id, d.metadata));
    if (options.metadataOnly) problems.push(...registeredElsewhereProblems(d.id, d.metadata));
    if (d.content === null && d.metadata.objectType !== 'on-demand' && !options.metadataOnly) {
      problems.push(new CarnetError('missing_document', `DocumentEntry ${d.id} has no document`, { location: d.id }));
    }
  }
  for (const f of req.folders) problems.push(...folderProblems(f.id, f.metadata));
  for (const id of req.orphanContentIds ?? []) {
    problems.push(new CarnetError('missing_document_metadata', `document ${id} has no DocumentEntry`, { location: id }));
  }
  const mismatched = [...req.documents.map((d) => ({ id: d.id, p: d.metadata.patientId })), ...req.folders.map((f) => ({ id: f.id, p: f.metadata.patientId }))]
    .filter((x) => x.p?.value && ss.patientId?.value && !samePatient(x.p, ss.patientId));
  for (const m of mismatched) {
    problems.push(new CarnetError('patient_mismatch', `${m.id} names another patient than its submission set`, { location: m.id }));
  }
  const seen = new Map<string, string>();
  for (const [id, uid] of [[ss.id, ss.uniqueId], ...req.documents.map((d) => [d.id, d.metadata.uniqueId]), ...req.folders.map((f) => [f.id, f.metadata.uniqueId])]) {
    if (!uid) continue;
    if (seen.has(uid)) problems.push(invalid(`uniqueId ${uid} is used twice in the submission (${seen.get(uid)}, ${id})`, id, 'duplicate_in_message'));
    seen.set(uid, id);
  }
  const ids = new Set<string>();
  for (const id of [ss.id, ...req.documents.map((d) => d.id), ...req.folders.map((f) => f.id), ...req.associations.map((a) => a.id)]) {
    if (ids.has(id)) problems.push(invalid(`object id ${id} is used twice in the submission`, id));
    ids.add(id);
  }
  return problems;
}

function fail(problems: CarnetError[]): never {
  throw problems.length === 1 ? problems[0] : new CarnetErrors(problems);
}

export interface SubmitOptions {
  /** ITI-42 Register: the documents are in another repository; only their metadata comes here */
  metadataOnly?: boolean;
}

interface PreparedDocument {
  id: string;
  entryUuid: string;
  digest: ContentDigest | null;
  /** the document is already stored with the same content (DOC-04) */
  existing: StoredDocumentEntry | null;
}

export function submitService(deps: ServiceDeps) {
  return {
    async submit(caller: Caller, req: SubmissionRequest, options: SubmitOptions = {}): Promise<SubmissionResult> {
      await deps.availability?.ensureAvailable('document.submit');
      const problems = structuralProblems(req, options);
      if (problems.length) fail(problems);
      const patientKey = await findPatientKey(deps.db, req.submissionSet.patientId);
      if (!patientKey) throw new CarnetError('unknown_patient', `no DMP for patient ${req.submissionSet.patientId.value}`, { location: req.submissionSet.id });

      return guarded(deps, caller, {
        patientKey,
        action: 'document.submit',
        lock: true,
        skipMainTrace: true,
        act: async ({ tx, record, trace }) => {
          const now = deps.clock.now();
          const actor = caller.actor;
          const out: CarnetError[] = [];

          // Content against metadata (DOC-03), and the rules on each new document (DOC-01, DOC-08).
          const prepared: PreparedDocument[] = [];
          const uniqueRows = await lookupUniqueIds(tx, [req.submissionSet.uniqueId, ...req.documents.map((d) => d.metadata.uniqueId), ...req.folders.map((f) => f.metadata.uniqueId)]);
          const byUniqueId = new Map(uniqueRows.map((r) => [r.unique_id, r]));
          for (const d of req.documents) {
            const dg = d.content ? digest(d.content) : null;
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
                out.push(invalid(`DocumentEntry ${d.id}: ${describe(decision.reason, d.metadata.typeCode?.code, d.metadata.classCode?.code)}`, d.id, decision.reason));
              } else throw refusal(decision.reason);
            }
            let existing: StoredDocumentEntry | null = null;
            const prior = byUniqueId.get(d.metadata.uniqueId);
            if (prior) {
              if (prior.object_type !== 'DocumentEntry' || prior.patient_key !== patientKey) {
                out.push(new CarnetError('duplicate_unique_id', `uniqueId ${d.metadata.uniqueId} is already used by another object`, { location: d.id }));
              } else if (!sameContent(prior, dg, options.metadataOnly ? d.metadata : undefined)) {
                out.push(new CarnetError('non_identical_hash', `DocumentEntry ${d.id}: uniqueId ${d.metadata.uniqueId} is already stored with other content`, { location: d.id }));
              } else {
                existing = await latestOf(tx, patientKey, prior.logical_id);
              }
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
              if (!inMessage.has(end) && !reg) out.push(invalid(`association ${a.id} refers to ${end}, which is not in the registry`, a.id));
              else if (reg && reg.patientKey !== patientKey) out.push(new CarnetError('patient_mismatch', `association ${a.id} links objects of different patients`, { location: a.id }));
            }
            if (a.type === 'HasMember') {
              // ITI TF-3 4.1.4: a submission set holds documents, folders and associations, never itself
              // (nor another submission set); 21000 sends SS -> SS with update semantics in ITI-42.
              if (source === ssUuid && typeOf(target) === 'SubmissionSet') out.push(invalid(`association ${a.id}: a submission set cannot be a member of a submission set`, a.id));
              else if (source === ssUuid) members.add(target);
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
              const targetEntry = registered.get(target) ? await getEntry(tx, patientKey, target, true) : null;
              if (!targetEntry) continue;
              if (targetEntry.availabilityStatus !== 'Approved' || !targetIsLatest(targetEntry)) {
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

          // Everything checked: store.
          const ss = req.submissionSet;
          await insertSubmissionSet(tx, {
            patientKey,
            entryUuid: ssUuid,
            metadata: { ...ss, entryUuid: ssUuid, availabilityStatus: 'Approved' },
            submissionTime: ss.submissionTime ? dtmToDate(ss.submissionTime) : now,
            authorIds: ss.authors.map((a) => a.person?.id).filter((x): x is string => !!x),
            submittedBy: actor.kind === 'professional' ? actor.idNatPs : null,
            storedAt: now,
          });
          await registerObject(tx, ssUuid, patientKey, 'SubmissionSet');
          await registerUniqueId(tx, { unique_id: ss.uniqueId, patient_key: patientKey, object_type: 'SubmissionSet', logical_id: ssUuid, sha1: null, size: null });

          const resubmitted: string[] = [];
          /** PAT-03: the new documents, announced to the alert address once stored */
          const added: Array<ReturnType<typeof documentFacts>> = [];
          for (const [i, d] of req.documents.entries()) {
            const p = prepared[i];
            if (p.existing) {
              resubmitted.push(d.id);
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
              repositoryUniqueId: deps.repositoryUniqueId,
            };
            if (p.digest && d.content) await putContent(tx, patientKey, { sha256: p.digest.sha256, sha1: p.digest.sha1, bytes: d.content }, now);
            await insertEntryVersion(tx, {
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
            });
            await registerObject(tx, p.entryUuid, patientKey, 'DocumentEntry');
            await registerUniqueId(tx, {
              unique_id: d.metadata.uniqueId,
              patient_key: patientKey,
              object_type: 'DocumentEntry',
              logical_id: p.entryUuid,
              sha1: p.digest?.sha1 ?? d.metadata.hash?.toLowerCase() ?? null,
              size: p.digest?.size ?? d.metadata.size ?? null,
            });
            await trace('document.submit', {
              document: { logicalId: bareUuid(p.entryUuid), entryUuid: bareUuid(p.entryUuid), uniqueId: d.metadata.uniqueId },
              details: { typeCode: facts.typeCode, submissionSet: bareUuid(ssUuid) },
            });
          }

          for (const f of req.folders) {
            const uuid = assigned.get(f.id)!;
            await insertFolderVersion(tx, {
              patientKey,
              entryUuid: uuid,
              logicalId: uuid,
              version: 1,
              status: 'Approved',
              metadata: { ...f.metadata, entryUuid: uuid, logicalId: uuid, version: 1, availabilityStatus: 'Approved' },
              lastUpdateTime: now,
              storedAt: now,
            });
            await registerObject(tx, uuid, patientKey, 'Folder');
            await registerUniqueId(tx, { unique_id: f.metadata.uniqueId, patient_key: patientKey, object_type: 'Folder', logical_id: uuid, sha1: null, size: null });
          }

          for (const a of req.associations) {
            const uuid = assigned.get(a.id)!;
            const metadata = { ...a, entryUuid: uuid, sourceId: resolveRef(a.sourceId), targetId: resolveRef(a.targetId) };
            delete (metadata as { id?: string }).id;
            await insertAssociation(tx, { patientKey, entryUuid: uuid, metadata, storedAt: now });
            await registerObject(tx, uuid, patientKey, 'Association');
          }
          // A document added to a folder refreshes the folder's lastUpdateTime (ITI TF-3 4.2.3.4).
          for (const fa of folderAdds) {
            if (!inMessage.has(fa.folder)) await touchFolder(tx, patientKey, fa.folder, now);
          }
          // DOC-05: replacement deprecates the old version; a replacement joins the old one's folders.
          for (const r of replaced) {
            if (!REPLACING.includes(r.type)) continue;
            await setEntryStatus(tx, patientKey, r.target.entryUuid, 'Deprecated');
            const inFolders = await findAssociations(tx, { patientKey, targets: [r.target.entryUuid], types: ['HasMember'] });
            for (const link of inFolders) {
              const src = link.sourceId;
              const isFolder = (await lookupObjects(tx, [src]))[0]?.type === 'Folder';
              if (!isFolder) continue;
              const uuid = `urn:uuid:${randomUUID()}`;
              await insertAssociation(tx, { patientKey, entryUuid: uuid, metadata: { type: 'HasMember', sourceId: src, targetId: r.source }, storedAt: now });
              await registerObject(tx, uuid, patientKey, 'Association');
              await touchFolder(tx, patientKey, src, now);
            }
            await trace('document.replace', {
              document: { logicalId: bareUuid(r.target.logicalId), entryUuid: bareUuid(r.target.entryUuid), uniqueId: r.target.uniqueId },
              details: { replacedBy: bareUuid(r.source), association: r.type },
            });
            // ITI TF-3 4.1.6: the addenda and transforms of a replaced document go with it; they
            // described the old version and would otherwise stay current beside the new one.
            for (const dep of await dependentsOf(tx, patientKey, r.target.entryUuid)) {
              await setEntryStatus(tx, patientKey, dep.entryUuid, 'Deprecated');
              await trace('document.deprecate', {
                document: { logicalId: bareUuid(dep.logicalId), entryUuid: bareUuid(dep.entryUuid), uniqueId: dep.uniqueId },
                details: { because: 'replaced', replacedDocument: bareUuid(r.target.entryUuid), replacedBy: bareUuid(r.source) },
              });
            }
          }

          await alertNewDocuments(tx, deps, record, added);
          return {
            submissionSetUuid: ssUuid,
            assignedIds: Object.fromEntries(assigned),
            resubmitted,
            warnings: [],
          };
        },
      });
    },
  };
}

/** DOC-04: a uniqueId seen again is a resubmission only with the same content (or, registry-only, the same declared hash). */
function sameContent(prior: { sha1: string | null; size: number | null }, dg: ContentDigest | null, declared?: { hash?: string; size?: number }): boolean {
  const sha1 = dg?.sha1 ?? declared?.hash?.toLowerCase();
  const size = dg?.size ?? declared?.size;
  if (!sha1 || prior.sha1 !== sha1) return false;
  return prior.size === null || size === undefined || prior.size === size;
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

function targetIsLatest(e: StoredDocumentEntry): boolean {
  return e.latest;
}

function latestOf(tx: Tx, patientKey: string, logicalId: string): Promise<StoredDocumentEntry | null> {
  return getLatestByLogicalId(tx, patientKey, logicalId);
}

/** The new document as the rules will see it once stored. */
function asStored(m: SubmissionRequest['documents'][number]['metadata'], actor: Actor, patientKey: string, now: Date): StoredDocumentEntry {
  const byOwner = actor.kind === 'patient' || actor.kind === 'legal_representative';
  return {
    ...m,
    confidentialityCodes: m.confidentialityCodes.map((c) => ({ ...c, code: normaliseConfidentiality([c.code])[0] })),
    entryUuid: '',
    logicalId: '',
    version: 1,
    availabilityStatus: 'Approved',
    latest: true,
    patientKey,
    submittedBy: actor.kind === 'professional' ? actor.idNatPs : null,
    submittedByStructure: actor.kind === 'professional' ? actor.structureId ?? null : null,
    authoredByPatient: byOwner,
    submissionSetUuid: '',
    storedAt: now.toISOString(),
    contentKey: null,
  };
}

function describe(reason: ReasonCode, type?: string, cls?: string): string {
  switch (reason) {
    case 'class_mismatch':
      return `classCode ${cls} does not match typeCode ${type} (DOC-01)`;
    case 'unknown_document_type':
      return `typeCode ${type} is not a DMP document type`;
    case 'not_patient_document_type':
      return `typeCode ${type} cannot be deposited by the patient`;
    default:
      return reason;
  }
}

export type SubmitService = ReturnType<typeof submitService>;
