// The shape of a submission, checked before the database is asked anything: required
// attributes, one patient, documents present, identifiers used once (DOC-01, DOC-03).
import { REIMBURSEMENT_CLASS, type Actor } from '../domain/actor.js';
import { normaliseConfidentiality } from '../domain/confidentiality.js';
import { documentEntryProblems, folderProblems, registeredElsewhereProblems, submissionSetProblems } from '../domain/entry-requirements.js';
import { CarnetError, CarnetErrors } from '../domain/errors.js';
import { metadataSizeProblems } from '../domain/metadata-limits.js';
import { loneMember } from '../domain/lineage.js';
import type { PatientIdentifier, StoredDocumentEntry } from '../domain/model.js';
import { memberFacts } from '../domain/record.js';
import type { ReasonCode } from '../domain/reasons.js';
import { MAX_REGISTERED_REFERENCES, registeredReferenceCount, type SubmissionRequest } from '../domain/submission.js';

export interface SubmitOptions {
  /** ITI-42 Register: the documents are in another repository; only their metadata comes here */
  metadataOnly?: boolean;
  /**
   * The record the door already found the submission set's patient in (an ITI-65 subject named
   * as Patient/<key>): not looked up again. The record is still loaded and locked, and must hold
   * that patient identifier, or the submission is refused as for an unknown patient.
   */
  recordKey?: string;
}

export const UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function samePatient(a: PatientIdentifier, b: PatientIdentifier): boolean {
  return a.value === b.value && a.system === b.system;
}

export function invalid(message: string, location?: string, reason?: string): CarnetError {
  return new CarnetError('invalid_metadata', message, { location, reason });
}

/** Checks that need no database: required attributes, patient ids, documents present. */
export function structuralProblems(req: SubmissionRequest, options: SubmitOptions = {}): CarnetError[] {
  // bounds what the plan decides in the locked transaction, from the text alone (MAX_REGISTERED_REFERENCES)
  const references = registeredReferenceCount(req);
  if (references > MAX_REGISTERED_REFERENCES) {
    return [new CarnetError('too_costly', `the submission's associations name ${references} registered objects: at most ${MAX_REGISTERED_REFERENCES}`, { reason: 'registered_references' })];
  }
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
  for (const a of req.associations) problems.push(...metadataSizeProblems(`Association ${a.id}`, a.id, a));
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
  // A UUID names one object whatever the case of its hex digits (the plan stores it in lower case):
  // two spellings of one UUID are one id used twice, not two objects under one key.
  const ids = new Set<string>();
  for (const id of [ss.id, ...req.documents.map((d) => d.id), ...req.folders.map((f) => f.id), ...req.associations.map((a) => a.id)]) {
    const key = UUID.test(id) ? id.toLowerCase() : id;
    if (ids.has(key)) problems.push(invalid(`object id ${id} is used twice in the submission`, id));
    ids.add(key);
  }
  return problems;
}

export function fail(problems: CarnetError[]): never {
  throw problems.length === 1 ? problems[0] : new CarnetErrors(problems);
}

/**
 * The new document as the rules will see it once stored: the current member of its lineage
 * (ACC-09), alone in it or, when it replaces, its newest generation.
 */
export function asStored(m: SubmissionRequest['documents'][number]['metadata'], actor: Actor, patientKey: string, now: Date): StoredDocumentEntry {
  const byOwner = actor.kind === 'patient' || actor.kind === 'legal_representative';
  const entry: StoredDocumentEntry = {
    ...m,
    confidentialityCodes: m.confidentialityCodes.map((c) => ({ ...c, code: normaliseConfidentiality([c.code])[0] })),
    entryUuid: '',
    logicalId: '',
    version: 1,
    availabilityStatus: 'Approved',
    latest: true,
    patientKey,
    submittedBy: actor.kind === 'professional' ? actor.idNatPs : null,
    // the insurer's feed is known by its organisation: what it deposited, it may replace (DOC-05)
    submittedByStructure: actor.kind === 'professional' ? actor.structureId ?? null : actor.kind === 'insurer' ? actor.insurerId : null,
    authoredByPatient: byOwner,
    submissionSetUuid: '',
    storedAt: now.toISOString(),
    contentKey: null,
  };
  return { ...entry, lineage: loneMember(memberFacts(entry)) };
}

export function describeMetadataReason(reason: ReasonCode, type?: string, cls?: string): string {
  switch (reason) {
    case 'class_mismatch':
      return `classCode ${cls} does not match typeCode ${type} (DOC-01)`;
    case 'unknown_document_type':
      return `typeCode ${type} is not a DMP document type`;
    case 'not_insurer_document_type':
      return `typeCode ${type} is not reimbursement data (class ${REIMBURSEMENT_CLASS}), the only documents the insurer deposits`;
    case 'not_insurer_confidentiality':
      return 'the insurer sets no visibility flag (MASQUE_PS, INVISIBLE_PATIENT, INVISIBLE_REPRESENTANTS_LEGAUX) on its deposits (MASK-01/02)';
    case 'not_patient_document_type':
      return `typeCode ${type} cannot be deposited by the patient`;
    default:
      return reason;
  }
}
