// Changes to a document's metadata as the DMP makes them (TD3.3): masking and the visibility
// flags create a new metadata version (MASK-05: new entryUUID, same logicalId); archive,
// unarchive and logical deletion change the availability status in place (DOC-06, DOC-07).
// A change of several parts (a JSON Patch) is one decision and one transaction (document-change.ts).
import { randomUUID } from 'node:crypto';
import type { Action } from '../domain/actions.js';
import { applyVisibilityChange, normaliseConfidentiality, VISIBILITY_FLAGS, type VisibilityFlag } from '../domain/confidentiality.js';
import { decide } from '../domain/decide.js';
import { changeActions, FLAG_ACTION, type DocumentChange } from '../domain/document-change.js';
import { documentEntryProblems, dtmToDate, registeredElsewhereProblems } from '../domain/entry-requirements.js';
import { CarnetError, CarnetErrors } from '../domain/errors.js';
import { METADATA_REASONS } from '../domain/reasons.js';
import type { AvailabilityStatus, Coded, DocumentEntryMetadata, StoredDocumentEntry } from '../domain/model.js';
import { documentFacts } from '../domain/record.js';
import { checkIfMatch, documentVersion, type IfMatch } from '../domain/resource-versions.js';
import type { Tx } from '../store/db.js';
import { getEntry, getLatestByLogicalId, insertEntryVersion, markNotLatest, setEntryStatus } from '../store/document-repo.js';
import { registerObject, registerUniqueId } from '../store/registry-repo.js';
import { insertAssociation } from '../store/association-repo.js';
import { insertSubmissionSet } from '../store/submission-set-repo.js';
import type { LoadedRecord } from '../store/record-repo.js';
import type { Caller, ServiceDeps } from './deps.js';
import { guarded, refusal } from './guard.js';
import { documentService, type DocumentRef } from './documents.js';
import { updateSetService } from './update-set.js';
import { describeMetadataReason, invalid } from './submission-shape.js';

const TRE_A07 = '1.2.250.1.213.1.1.4.13';
const HL7_CONFIDENTIALITY = '2.16.840.1.113883.5.25';

function codedFor(code: string, previous: Coded[]): Coded {
  const known = previous.find((c) => c.code === code);
  if (known) return known;
  return { code, system: ['N', 'R', 'V'].includes(code) ? HL7_CONFIDENTIALITY : TRE_A07 };
}

/** A UUID-derived OID (2.25 arc), for the submission sets the registry itself creates. */
export function newOid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replace(/-/g, '')}`).toString()}`;
}

/**
 * The attributes of a new version that differ from the registered document's content: hash, size
 * and repositoryUniqueId name the bytes and where they are, and mimeType is
 * what ITI-43 and the FHIR door serve them as. A version changes the description, never the
 * document, so a change of any of them is refused whole rather than half applied.
 */
export function contentAttributeChanges(current: StoredDocumentEntry, m: DocumentEntryMetadata): string[] {
  const out: string[] = [];
  if (m.hash !== undefined && m.hash.toLowerCase() !== (current.hash ?? '').toLowerCase()) out.push('hash');
  if (m.size !== undefined && m.size !== current.size) out.push('size');
  if (m.repositoryUniqueId !== undefined && m.repositoryUniqueId !== current.repositoryUniqueId) out.push('repositoryUniqueId');
  if (m.mimeType !== current.mimeType) out.push('mimeType');
  return out;
}

/**
 * ITI-57 DocumentEntry metadata update: `metadata` becomes the version after `current`, which
 * must be at `previousVersion` (else XDSMetadataVersionError). Changing the confidentiality flags
 * is the DMP's masking and follows the same rules as setVisibility; any other change is decided
 * like a replacement of the document by its new metadata. Returns the version to store.
 */
export function nextDocumentVersion(
  deps: ServiceDeps,
  caller: Caller,
  record: LoadedRecord,
  current: StoredDocumentEntry,
  update: { logicalId: string; previousVersion: number; metadata: DocumentEntryMetadata },
): StoredDocumentEntry {
  const m = update.metadata;
  if (current.version !== update.previousVersion) {
    throw new CarnetError('version_conflict', `version ${update.previousVersion} is not the latest version (${current.version}) of the document`, { location: update.logicalId });
  }
  // The new version is a whole DocumentEntry, held to what a registration needs (15800d).
  const problems = [...documentEntryProblems(update.logicalId, m, current), ...registeredElsewhereProblems(update.logicalId, m)];
  if (problems.length) throw problems.length === 1 ? problems[0] : new CarnetErrors(problems);
  if (m.patientId.value !== current.patientId.value || m.patientId.system !== current.patientId.system) {
    throw new CarnetError('patient_mismatch', 'a metadata update cannot move a document to another patient', { location: update.logicalId, reason: 'XDSPatientIDReconciliationError' });
  }
  if (m.uniqueId !== current.uniqueId) {
    throw new CarnetError('invalid_metadata', 'a metadata update cannot change the uniqueId', { location: update.logicalId, reason: 'XDSMetadataUpdateError' });
  }
  if (current.availabilityStatus !== 'Approved') {
    throw new CarnetError('business_rule', `a ${current.availabilityStatus} document cannot be updated`, { location: update.logicalId, reason: 'XDSMetadataUpdateError' });
  }
  const now = deps.clock.now();
  const replace = decide(deps.policy, caller.actor, record.context, documentFacts(current), 'document.replace', now);
  if (!replace.permit) throw refusal(replace.reason);
  // Each visibility flag that changes is asked of the rules as its own action (MASK-01..03).
  const before = normaliseConfidentiality(current.confidentialityCodes.map((c) => c.code));
  const after = normaliseConfidentiality(m.confidentialityCodes.map((c) => c.code));
  for (const flag of VISIBILITY_FLAGS) {
    if (before.includes(flag) === after.includes(flag)) continue;
    const d = decide(deps.policy, caller.actor, record.context, documentFacts(current), FLAG_ACTION[flag], now);
    if (!d.permit) throw refusal(d.reason);
  }
  const next: StoredDocumentEntry = {
    ...current,
    ...m,
    confidentialityCodes: after.map((c) => codedFor(c, [...m.confidentialityCodes, ...current.confidentialityCodes])),
    hash: current.hash,
    size: current.size,
    repositoryUniqueId: current.repositoryUniqueId,
    availabilityStatus: current.availabilityStatus,
    entryUuid: current.entryUuid,
    logicalId: current.logicalId,
  };
  // The new version is what the record will show: its type must be one a deposit takes (DOC-01,
  // the insurer's one type). A type no matrix names would hide it from every professional, a
  // masking only the patient decides (MASK-01).
  const asDeposit = decide(deps.policy, caller.actor, record.context, documentFacts(next), 'document.submit', now);
  if (!asDeposit.permit) {
    if (!METADATA_REASONS.includes(asDeposit.reason)) throw refusal(asDeposit.reason);
    throw invalid(`DocumentEntry ${update.logicalId}: ${describeMetadataReason(asDeposit.reason, m.typeCode?.code, m.classCode?.code)}`, update.logicalId, asDeposit.reason);
  }
  return next;
}

/**
 * Writes `next` as the version after `current` (same logical id, version + 1) under `entryUuid`,
 * and marks `current` as no longer the latest (Deprecated). The derived columns searches use come
 * from the new metadata.
 */
export async function storeDocumentVersion(
  tx: Tx,
  current: StoredDocumentEntry,
  next: StoredDocumentEntry,
  at: { entryUuid: string; submissionSetUuid: string; now: Date },
): Promise<StoredDocumentEntry> {
  const { entryUuid, submissionSetUuid: ssUuid, now } = at;
  const version = current.version + 1;
  // the lineage loaded with `current` is not the new version's: the answer carries none (record.ts)
  const { lineage: _lineage, ...fresh } = next;
  const stored: StoredDocumentEntry = { ...fresh, entryUuid, logicalId: current.logicalId, version, latest: true, submissionSetUuid: ssUuid, storedAt: now.toISOString(), patientKey: current.patientKey };
  const facts = documentFacts(stored);
  await markNotLatest(tx, current.patientKey, current.entryUuid, 'Deprecated', now);
  const { patientKey, entryUuid: _e, logicalId: _l, version: _v, latest: _latest, availabilityStatus, submittedBy, submittedByStructure, authoredByPatient, submissionSetUuid: _s, storedAt: _t, contentKey, ...metadata } = stored;
  await insertEntryVersion(tx, {
    patientKey,
    entryUuid,
    logicalId: current.logicalId,
    version,
    status: availabilityStatus,
    metadata: { ...metadata, entryUuid, logicalId: current.logicalId, version, availabilityStatus },
    typeCode: facts.typeCode,
    classCode: facts.classCode,
    confidentiality: facts.confidentiality,
    authorIds: facts.authorIds,
    authorStructures: facts.authorStructures,
    authoredByPatient,
    submittedBy,
    submittedByStructure,
    submissionSetUuid: ssUuid,
    contentSha256: contentKey,
    creationTime: stored.creationTime ? dtmToDate(stored.creationTime) : null,
    serviceStartTime: stored.serviceStartTime ? dtmToDate(stored.serviceStartTime) : null,
    serviceStopTime: stored.serviceStopTime ? dtmToDate(stored.serviceStopTime) : null,
    storedAt: now,
  });
  await registerObject(tx, entryUuid, patientKey, 'DocumentEntry');
  return stored;
}

export function metadataUpdateService(deps: ServiceDeps) {
  const docs = documentService(deps);

  async function target(ref: DocumentRef) {
    const loc = await docs.locate(ref);
    if (!loc) throw new CarnetError('not_found', 'no such document');
    return loc;
  }

  /**
   * Stores `next` as the new latest version of `current`, inside a submission set of its own so
   * that other systems see the change through FindSubmissionSets (as the DMP does).
   */
  async function newVersion(tx: Tx, caller: Caller, record: LoadedRecord, current: StoredDocumentEntry, next: StoredDocumentEntry): Promise<StoredDocumentEntry> {
    const now = deps.clock.now();
    const ssUuid = `urn:uuid:${randomUUID()}`;
    const stored = await storeDocumentVersion(tx, current, next, { entryUuid: `urn:uuid:${randomUUID()}`, submissionSetUuid: ssUuid, now });
    const { patientKey, entryUuid } = stored;
    const patientId = record.identifiers[0] ?? current.patientId;
    const ssUniqueId = newOid();
    await insertSubmissionSet(tx, {
      patientKey,
      entryUuid: ssUuid,
      metadata: {
        entryUuid: ssUuid,
        uniqueId: ssUniqueId,
        sourceId: deps.repositoryUniqueId,
        patientId,
        submissionTime: dtmOf(now),
        authors: [],
        intendedRecipients: [],
        title: 'metadata update',
        availabilityStatus: 'Approved',
      },
      submissionTime: now,
      authorIds: [],
      submittedBy: caller.actor.kind === 'professional' ? caller.actor.idNatPs : null,
      storedAt: now,
    });
    await registerObject(tx, ssUuid, patientKey, 'SubmissionSet');
    await registerUniqueId(tx, { unique_id: ssUniqueId, patient_key: patientKey, object_type: 'SubmissionSet', logical_id: ssUuid, sha1: null, size: null });
    const assocUuid = `urn:uuid:${randomUUID()}`;
    await insertAssociation(tx, {
      patientKey,
      entryUuid: assocUuid,
      metadata: { type: 'HasMember', sourceId: ssUuid, targetId: entryUuid, submissionSetStatus: 'Original', previousVersion: String(current.version) },
      storedAt: now,
    });
    await registerObject(tx, assocUuid, patientKey, 'Association');
    return stored;
  }

  /**
   * Runs a change on the latest version of a document; an older version is a version conflict.
   * Every action is decided on the document as it stands before anything is written.
   */
  async function onLatest<T>(
    caller: Caller,
    ref: DocumentRef,
    actions: readonly [Action, ...Action[]],
    details: Record<string, unknown>,
    change: (tx: Tx, record: LoadedRecord, doc: StoredDocumentEntry) => Promise<T>,
  ): Promise<T> {
    await deps.availability?.ensureAvailable('metadata.update');
    const loc = await target(ref);
    return guarded(deps, caller, {
      patientKey: loc.patientKey,
      action: actions,
      lock: true,
      trace: { details },
      loadDocument: (tx) =>
        loc.entryUuid ? getEntry(tx, loc.patientKey, loc.entryUuid, true) : getLatestByLogicalId(tx, loc.patientKey, loc.logicalId!, true),
      act: async ({ tx, record, document }) => {
        if (!document!.latest) {
          throw new CarnetError('version_conflict', 'this is not the latest version of the document', { location: document!.entryUuid });
        }
        return change(tx, record, document!);
      },
    });
  }

  const updateSet = updateSetService(deps);

  /** The status a change leaves (DOC-07: archive and unarchive from the opposite state only; DOC-06). */
  function statusAfter(doc: StoredDocumentEntry, change: DocumentChange): AvailabilityStatus {
    let status = doc.availabilityStatus;
    if (change.archived !== undefined) {
      const [from, to]: AvailabilityStatus[] = change.archived ? ['Approved', 'Archived'] : ['Archived', 'Approved'];
      if (status !== to && status !== from) {
        throw new CarnetError('business_rule', `a ${status} document cannot be ${change.archived ? 'archived' : 'unarchived'}`);
      }
      status = to;
    }
    return change.delete ? 'Deleted' : status;
  }

  /**
   * MASK-01/02/03/05, DOC-06, DOC-07: one change of a document, all of it or nothing. New flags
   * make one new metadata version (carrying the new status too); a status change alone is made
   * in place. A change that changes nothing writes nothing. `ifMatch`: the version the change
   * was made against, compared under the record's lock (R4 http.html#concurrency, 412).
   */
  async function change(caller: Caller, ref: DocumentRef, what: DocumentChange, ifMatch?: IfMatch): Promise<StoredDocumentEntry> {
    const [first, ...others] = changeActions(what);
    if (!first) throw new CarnetError('invalid_metadata', 'the change changes nothing');
    const details = {
      ...(what.flags.length ? { flags: what.flags } : {}),
      ...(what.archived !== undefined ? { archived: what.archived } : {}),
      ...(what.delete ? { delete: true } : {}),
    };
    return onLatest(caller, ref, [first, ...others], details, async (tx, record, doc) => {
      if (ifMatch) checkIfMatch(ifMatch, documentVersion(doc));
      let codes = doc.confidentialityCodes.map((c) => c.code);
      let flagsChanged = false;
      for (const f of what.flags) {
        const result = applyVisibilityChange(codes, f);
        codes = result.codes;
        flagsChanged ||= result.changed;
      }
      const status = statusAfter(doc, what);
      if (flagsChanged) {
        const next = { ...doc, availabilityStatus: status, confidentialityCodes: codes.map((c) => codedFor(c, doc.confidentialityCodes)) };
        return newVersion(tx, caller, record, doc, next);
      }
      if (status === doc.availabilityStatus) return doc;
      const at = deps.clock.now();
      await setEntryStatus(tx, record.context.patientKey, doc.entryUuid, status, at);
      const { lineage: _lineage, ...changed } = doc;
      return { ...changed, availabilityStatus: status, statusChanges: (doc.statusChanges ?? 0) + 1, statusChangedAt: at.toISOString() };
    });
  }

  return {
    /** ITI-57 Update Document Set: every operation of the request in one transaction. */
    applyUpdate: updateSet.apply,

    change,

    /** MASK-01/02/03/05: set or lift a visibility flag; a real change is a new metadata version. */
    setVisibility(caller: Caller, ref: DocumentRef, flag: VisibilityFlag, on: boolean): Promise<StoredDocumentEntry> {
      return change(caller, ref, { flags: [{ flag, on }], delete: false });
    },

    /** DOC-07: archive or unarchive (status Archived <-> Approved, in place). */
    setArchived(caller: Caller, ref: DocumentRef, archived: boolean): Promise<StoredDocumentEntry> {
      return change(caller, ref, { flags: [], archived, delete: false });
    },

    /** DOC-06: logical deletion by the author (status Deleted, nothing physically removed). */
    delete(caller: Caller, ref: DocumentRef): Promise<StoredDocumentEntry> {
      return change(caller, ref, { flags: [], delete: true });
    },
  };
}

function dtmOf(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export type MetadataUpdateService = ReturnType<typeof metadataUpdateService>;
