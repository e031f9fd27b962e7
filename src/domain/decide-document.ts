// The lock's decisions on documents: read (through the visibility filter, ACC-08), deposit,
// replace, deprecate, delete, archive, mask and the professionals' visibility flags (DOC-*,
// MASK-*). A part of decide.ts, apart so that each family of actions reads on its own.
import { holderAccess, governorAccess, professionalOnRecord, type Gate } from './access.js';
import { REIMBURSEMENT_CLASS } from './actor.js';
import { VISIBILITY_FLAGS } from './confidentiality.js';
import { actsAsAdult } from './minors.js';
import type { Policy } from './policy.js';
import type { ReasonCode } from './reasons.js';
import type { DocumentFacts } from './record.js';
import { filterAllows, hiddenReason, visibilityFilter } from './visibility.js';
import { PERMIT, deny, fromGate, isOwner, notPatientSide, ownerOnOpenRecord, type Call, type Decision } from './decide-shared.js';

export function withDoc(c: Call, f: (c: Call, doc: DocumentFacts) => Decision): Decision {
  return c.doc === null ? deny('document_required') : f(c, c.doc);
}

/** ACC-08: the read decision is the filter's, and only the reason is explained afterwards. */
export function documentRead(c: Call, doc: DocumentFacts): Decision {
  const f = visibilityFilter(c.policy, c.actor, c.ctx, c.now);
  if (filterAllows(f, doc)) return { permit: true, emergency: f.kind === 'some' && f.emergency };
  return deny(hiddenReason(c.policy, f, doc));
}

/** DOC-01: a known type carrying its mandatory class. */
function typeProblem(policy: Policy, doc: DocumentFacts): ReasonCode | null {
  const type = policy.terminology.documentTypes.get(doc.typeCode);
  if (!type) return 'unknown_document_type';
  return type.classCode === doc.classCode ? null : 'class_mismatch';
}

/**
 * DOC-02: a professional feeds an open record without an access authorisation; DOC-08: the
 * patient side deposits its own document types. `doc` null asks "may this actor deposit here".
 */
export function documentSubmit({ policy, actor, ctx, doc, now }: Call): Decision {
  let gate: Decision;
  if (actor.kind === 'professional') gate = fromGate(professionalOnRecord(policy, actor, ctx));
  else if (isOwner(actor)) gate = ownerOnOpenRecord(holderAccess(actor, ctx, now), ctx);
  // The insurer feeds open records with reimbursement data, and nothing else.
  else if (actor.kind === 'insurer') gate = ctx.status === 'closed' ? deny('record_closed') : PERMIT;
  else return deny('unsupported_actor');
  if (!gate.permit || doc === null) return gate;
  const problem = typeProblem(policy, doc);
  if (problem) return deny(problem);
  if (actor.kind === 'insurer' && doc.classCode !== REIMBURSEMENT_CLASS) return deny('not_insurer_document_type');
  // MASK-01/02/03: masking is the patient's, invisibility a professional's; the insurer's feed
  // hides none of what it deposits from anyone.
  if (actor.kind === 'insurer' && doc.confidentiality.some((c) => (VISIBILITY_FLAGS as readonly string[]).includes(c))) return deny('not_insurer_confidentiality');
  if (isOwner(actor) && !policy.terminology.documentTypes.get(doc.typeCode)!.patientDeposit) {
    return deny('not_patient_document_type');
  }
  return PERMIT;
}

/**
 * DOC-05/06 share a shape: the actor must reach the record, the document must be in a state
 * that allows the change, and the actor must be its author. A document the actor cannot see
 * is refused with the read reason, so that "not_author" never confirms a hidden document.
 */
function authorChange(c: Call, doc: DocumentFacts, allowed: (s: DocumentFacts['status']) => boolean, byStructure: boolean): Decision {
  const { policy, actor, ctx, now } = c;
  let isAuthor: boolean;
  if (actor.kind === 'professional') {
    const g = professionalOnRecord(policy, actor, ctx);
    if (!g.ok) return deny(g.reason);
    isAuthor =
      doc.authorIds.includes(actor.idNatPs) ||
      (byStructure && actor.structureId !== undefined && doc.authorStructures.includes(actor.structureId));
  } else if (isOwner(actor)) {
    const g = ownerOnOpenRecord(holderAccess(actor, ctx, now), ctx);
    if (!g.permit) return g;
    isAuthor = doc.authoredByPatient;
  } else {
    return deny('unsupported_actor');
  }
  if (!isAuthor) {
    const read = documentRead(c, doc);
    return read.permit ? deny('not_author') : read;
  }
  return allowed(doc.status) ? PERMIT : deny('invalid_status');
}

/** DOC-05: only the current version is replaced, by its author or the author's structure. */
export function documentReplace(c: Call, doc: DocumentFacts): Decision {
  if (c.actor.kind === 'insurer') return insurerReplace(c, doc);
  return authorChange(c, doc, (s) => s === 'Approved', true);
}

/**
 * DOC-05 for the insurer's feed: it replaces what it deposited itself (its reimbursement data,
 * the one type it deposits), in an open record, on the current version. It reads nothing, so
 * anyone else's document is refused with the read reason, never "not_author".
 */
function insurerReplace(c: Call, doc: DocumentFacts): Decision {
  if (c.actor.kind !== 'insurer') return deny('unsupported_actor');
  if (c.ctx.status === 'closed') return deny('record_closed');
  if (doc.depositorStructure !== c.actor.insurerId || doc.classCode !== REIMBURSEMENT_CLASS) {
    const read = documentRead(c, doc);
    return read.permit ? deny('not_author') : read;
  }
  return doc.status === 'Approved' ? PERMIT : deny('invalid_status');
}

/**
 * DOC-05: whoever may replace a document may also withdraw it without a replacement
 * (Approved -> Deprecated) and take that withdrawal back (Deprecated -> Approved, ITI-57): the
 * author or the author's structure, on the latest version. A document that another one replaced
 * stays deprecated; that is a link between documents, which the service checks.
 */
export function documentDeprecate(c: Call, doc: DocumentFacts): Decision {
  return authorChange(c, doc, (s) => s === 'Approved' || s === 'Deprecated', true);
}

/** DOC-06: logical deletion by the author only; the patient only for what the patient deposited. */
export function documentDelete(c: Call, doc: DocumentFacts): Decision {
  return authorChange(c, doc, (s) => s !== 'Deleted' && s !== 'Submitted', false);
}

/** A patient-side action on a document the actor must be able to see. */
function ownerOnVisibleDoc(c: Call, doc: DocumentFacts, gate: Gate): Decision {
  const g = ownerOnOpenRecord(gate, c.ctx);
  if (!g.permit) return g;
  const read = documentRead(c, doc);
  return read.permit ? PERMIT : read;
}

/** DOC-07: archive and unarchive belong to the patient side, on current documents. */
export function documentArchive(c: Call, doc: DocumentFacts): Decision {
  const { actor, ctx, now } = c;
  if (!isOwner(actor)) return notPatientSide(actor);
  const d = ownerOnVisibleDoc(c, doc, holderAccess(actor, ctx, now));
  if (!d.permit) return d;
  return doc.status === 'Approved' || doc.status === 'Archived' ? PERMIT : deny('invalid_status');
}

/** MASK-01 (and MIN-01): the patient, or the legal representative, masks and unmasks. */
export function documentMask(c: Call, doc: DocumentFacts): Decision {
  const { actor, ctx, now } = c;
  if (!isOwner(actor)) return notPatientSide(actor);
  return ownerOnVisibleDoc(c, doc, governorAccess(actor, ctx, now));
}

/**
 * MASK-02 (INVISIBLE_PATIENT) and MASK-03 (INVISIBLE_REPRESENTANTS_LEGAUX) are set by a
 * professional who reads the document in normal access: an emergency access is for care, not
 * for changing what the patient sees. MASK-03 only exists for a minor.
 */
export function professionalFlag(c: Call, doc: DocumentFacts, forRepresentatives: boolean): Decision {
  if (c.actor.kind !== 'professional') return deny(isOwner(c.actor) ? 'not_authorised' : 'unsupported_actor');
  const read = documentRead(c, doc);
  if (!read.permit) return read;
  if (read.emergency) return deny('emergency_read_only');
  if (forRepresentatives && actsAsAdult(c.ctx, c.now)) return deny('not_a_minor');
  return PERMIT;
}
