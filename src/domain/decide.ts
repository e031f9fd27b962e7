// The one lock (DESIGN): every access decision of the record, as a pure function of the policy,
// the actor, the record's facts, the document's facts and the action. Reading goes through the
// visibility filter so that a search and a direct read can never disagree (ACC-08).
import {
  governorAccess,
  holderAccess,
  isAuthorised,
  isMedecinTraitant,
  professionalAuthorised,
  professionalForPatient,
  professionalOnRecord,
  professionalUnblocked,
  isBlocked,
  MEDECIN,
  type Gate,
} from './access.js';
import type { Action } from './actions.js';
import { REIMBURSEMENT_CLASS, type Actor, type LegalRepresentativeActor, type PatientActor, type ProfessionalActor } from './actor.js';
import { bindingAllows } from './binding.js';
import { retentionExpired } from './lifecycle.js';
import { actsAsAdult } from './minors.js';
import { parseCivilDate } from './calendar.js';
import type { Policy } from './policy.js';
import type { ReasonCode } from './reasons.js';
import type { DocumentFacts, RecordContext } from './record.js';
import { filterAllows, hiddenReason, visibilityFilter } from './visibility.js';

export type Decision = { permit: true; emergency: boolean } | { permit: false; reason: ReasonCode };

const PERMIT: Decision = Object.freeze({ permit: true, emergency: false });
const deny = (reason: ReasonCode): Decision => ({ permit: false, reason });
const fromGate = (g: Gate): Decision => (g.ok ? PERMIT : deny(g.reason));

type Owner = PatientActor | LegalRepresentativeActor;
const isOwner = (a: Actor): a is Owner => a.kind === 'patient' || a.kind === 'legal_representative';
/** The refusal of a patient-side action asked by someone else. */
const notPatientSide = (a: Actor): Decision => deny(a.kind === 'professional' ? 'not_authorised' : 'unsupported_actor');

interface Call {
  policy: Policy;
  actor: Actor;
  ctx: RecordContext;
  doc: DocumentFacts | null;
  now: Date;
}

export function decide(
  policy: Policy,
  actor: Actor,
  ctx: RecordContext,
  doc: DocumentFacts | null,
  action: Action,
  now: Date,
): Decision {
  const c: Call = { policy, actor, ctx, doc, now };
  // ACC-10 before anything else: a caller bound to another patient learns nothing of this record.
  if (!bindingAllows(actor, ctx.identifiers)) return deny('other_patient');
  switch (action) {
    case 'record.exists':
      return recordExists(c);
    case 'record.read': {
      const f = visibilityFilter(policy, actor, ctx, now);
      return f.kind === 'some' ? { permit: true, emergency: f.emergency } : deny(f.reason);
    }
    case 'record.create':
      return recordCreate(c);
    case 'record.close':
      return recordClose(c);
    case 'record.reactivate':
      return recordReactivate(c);
    case 'document.read':
      return withDoc(c, documentRead);
    case 'document.submit':
      return documentSubmit(c);
    case 'document.replace':
      return withDoc(c, documentReplace);
    case 'document.delete':
      return withDoc(c, documentDelete);
    case 'document.deprecate':
      return withDoc(c, documentDeprecate);
    case 'document.archive':
      return withDoc(c, documentArchive);
    case 'document.mask':
      return withDoc(c, documentMask);
    case 'document.patient_visibility':
      return withDoc(c, (call, d) => professionalFlag(call, d, false));
    case 'document.representative_visibility':
      return withDoc(c, (call, d) => professionalFlag(call, d, true));
    case 'consent.read':
      return consentRead(c);
    case 'consent.manage':
      return byGovernorOrForPatient(c);
    case 'consent.block':
    case 'medecin_traitant.designate':
      return byGovernorOrMedecinTraitant(c);
    case 'trace.read':
      return traceRead(c);
    case 'representative.manage':
      return representativeManage(c);
    case 'representative.doctor_presence':
      return doctorPresence(c);
    case 'representative.read':
      // the support service reads them to issue the representatives' own accounts (MIN-02)
      return actor.kind === 'support' ? PERMIT : consentRead(c);
    case 'selection.manage':
      // DOC-07: selections are the patient side's own way of sorting what it can see.
      return isOwner(actor) ? ownerOnOpenRecord(holderAccess(actor, ctx, now), ctx) : deny('unsupported_actor');
    case 'record.settings':
    case 'record.export':
      // PAT-02, PAT-05, PAT-06: the patient side's own pages; what an export holds is still
      // each part's own filter (documents through visibilityFilter: MASK-02/03/04).
      return isOwner(actor) ? ownerOnOpenRecord(holderAccess(actor, ctx, now), ctx) : notPatientSide(actor);
    case 'record.copy_request':
      // PAT-07: a formal request may also concern a closed record (its data are kept, DMP-05).
      return isOwner(actor) ? fromGate(holderAccess(actor, ctx, now)) : notPatientSide(actor);
  }
}

function withDoc(c: Call, f: (c: Call, doc: DocumentFacts) => Decision): Decision {
  return c.doc === null ? deny('document_required') : f(c, c.doc);
}

/** ACC-08: the read decision is the filter's, and only the reason is explained afterwards. */
function documentRead(c: Call, doc: DocumentFacts): Decision {
  const f = visibilityFilter(c.policy, c.actor, c.ctx, c.now);
  if (filterAllows(f, doc)) return { permit: true, emergency: f.kind === 'some' && f.emergency };
  return deny(hiddenReason(c.policy, f, doc));
}

/** Patient-side management: a closed record must first be reactivated (DMP-05). */
function ownerOnOpenRecord(gate: Gate, ctx: RecordContext): Decision {
  if (!gate.ok) return deny(gate.reason);
  return ctx.status === 'closed' ? deny('record_closed') : PERMIT;
}

// ---- the record ---------------------------------------------------------------------------

/**
 * DMP-04: whether a DMP exists may be asked by any identified professional without an
 * authorisation (the answer carries the state, so nothing has to fail for lack of a DMP);
 * a blocked professional learns nothing (ACC-03).
 */
function recordExists({ policy, actor, ctx, now }: Call): Decision {
  switch (actor.kind) {
    case 'professional':
      return fromGate(professionalUnblocked(policy, actor, ctx));
    case 'patient':
    case 'legal_representative':
      return fromGate(holderAccess(actor, ctx, now));
    case 'support':
    case 'insurer':
    case 'system':
      return PERMIT;
  }
}

/**
 * DMP-01/02: created by the patient online (adults only; an emancipated minor acts as an adult;
 * a protected adult through the tutor), by a legal representative, by a professional or at the
 * insurance office. `ctx` describes the record about to be created.
 */
function recordCreate({ policy, actor, ctx, now }: Call): Decision {
  switch (actor.kind) {
    case 'patient':
      if (actor.patientKey !== ctx.patientKey) return deny('wrong_record');
      if (!parseCivilDate(ctx.birthDate)) return deny('birth_date_unknown');
      if (ctx.protectedAdult) return deny('legal_representative_required');
      return actsAsAdult(ctx, now) ? PERMIT : deny('adults_only');
    case 'legal_representative':
      return fromGate(holderAccess(actor, ctx, now));
    case 'professional':
      return fromGate(professionalUnblocked(policy, actor, ctx));
    case 'support':
      return PERMIT;
    case 'insurer':
    case 'system':
      return deny('unsupported_actor');
  }
}

/** DMP-05, MIN-01, ACC-07: closing and consent changes. */
function byGovernorOrForPatient({ policy, actor, ctx, now }: Call): Decision {
  if (isOwner(actor)) return ownerOnOpenRecord(governorAccess(actor, ctx, now), ctx);
  if (actor.kind === 'professional') return fromGate(professionalForPatient(policy, actor, ctx));
  return deny('unsupported_actor');
}

/**
 * DMP-05, ACC-07: the patient side closes; a professional at the patient's request, or the
 * support service (for a patient without an internet account), closes for the patient.
 */
function recordClose(c: Call): Decision {
  if (c.actor.kind === 'support') return c.ctx.status === 'closed' ? deny('record_closed') : PERMIT;
  return byGovernorOrForPatient(c);
}

/**
 * DMP-05, within the retention period: the patient side reactivates, and so do a professional
 * at the patient's request (ACC-07: authorisations are not asked, the record being closed to
 * professionals; a blocked one is still refused) and the support service — the only ways back
 * for a patient without an internet account.
 */
function recordReactivate({ policy, actor, ctx, now }: Call): Decision {
  let gate: Decision;
  if (isOwner(actor)) gate = fromGate(governorAccess(actor, ctx, now));
  else if (actor.kind === 'professional') {
    const g = professionalUnblocked(policy, actor, ctx);
    gate = !g.ok ? deny(g.reason) : actor.onPatientRequest === true ? PERMIT : deny('not_on_patient_request');
  } else if (actor.kind === 'support') gate = PERMIT;
  else return deny('unsupported_actor');
  if (!gate.permit) return gate;
  if (ctx.status !== 'closed') return deny('record_not_closed');
  return retentionExpired(ctx, now) ? deny('retention_expired') : PERMIT;
}

// ---- documents ----------------------------------------------------------------------------

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
function documentSubmit({ policy, actor, ctx, doc, now }: Call): Decision {
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
function documentReplace(c: Call, doc: DocumentFacts): Decision {
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
function documentDeprecate(c: Call, doc: DocumentFacts): Decision {
  return authorChange(c, doc, (s) => s === 'Approved' || s === 'Deprecated', true);
}

/** DOC-06: logical deletion by the author only; the patient only for what the patient deposited. */
function documentDelete(c: Call, doc: DocumentFacts): Decision {
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
function documentArchive(c: Call, doc: DocumentFacts): Decision {
  const { actor, ctx, now } = c;
  if (!isOwner(actor)) return notPatientSide(actor);
  const d = ownerOnVisibleDoc(c, doc, holderAccess(actor, ctx, now));
  if (!d.permit) return d;
  return doc.status === 'Approved' || doc.status === 'Archived' ? PERMIT : deny('invalid_status');
}

/** MASK-01 (and MIN-01): the patient, or the legal representative, masks and unmasks. */
function documentMask(c: Call, doc: DocumentFacts): Decision {
  const { actor, ctx, now } = c;
  if (!isOwner(actor)) return notPatientSide(actor);
  return ownerOnVisibleDoc(c, doc, governorAccess(actor, ctx, now));
}

/**
 * MASK-02 (INVISIBLE_PATIENT) and MASK-03 (INVISIBLE_REPRESENTANTS_LEGAUX) are set by a
 * professional who reads the document in normal access: an emergency access is for care, not
 * for changing what the patient sees. MASK-03 only exists for a minor.
 */
function professionalFlag(c: Call, doc: DocumentFacts, forRepresentatives: boolean): Decision {
  if (c.actor.kind !== 'professional') return deny(isOwner(c.actor) ? 'not_authorised' : 'unsupported_actor');
  const read = documentRead(c, doc);
  if (!read.permit) return read;
  if (read.emergency) return deny('emergency_read_only');
  if (forRepresentatives && actsAsAdult(c.ctx, c.now)) return deny('not_a_minor');
  return PERMIT;
}

// ---- consent, médecin traitant, trace, representatives ------------------------------------

/** The patient side reads its settings; a professional only as médecin traitant or for the patient. */
function consentRead({ policy, actor, ctx, now }: Call): Decision {
  if (isOwner(actor)) return ownerOnOpenRecord(holderAccess(actor, ctx, now), ctx);
  if (actor.kind !== 'professional') return deny('unsupported_actor');
  const auth = professionalAuthorised(policy, actor, ctx);
  if (!auth.ok) return deny(auth.reason);
  if (isMedecinTraitant(ctx, actor) || actor.onPatientRequest === true) return PERMIT;
  return deny('not_medecin_traitant');
}

/**
 * ACC-06: the patient side blocks and designates; among professionals only the médecin traitant
 * blocks another professional or hands the status over, and only at the patient's request.
 * Whether the new doctor qualifies is canBeMedecinTraitant's question.
 */
function byGovernorOrMedecinTraitant({ policy, actor, ctx, now }: Call): Decision {
  if (isOwner(actor)) return ownerOnOpenRecord(governorAccess(actor, ctx, now), ctx);
  if (actor.kind !== 'professional') return deny('unsupported_actor');
  const auth = professionalAuthorised(policy, actor, ctx);
  if (!auth.ok) return deny(auth.reason);
  if (!isMedecinTraitant(ctx, actor)) return deny('not_medecin_traitant');
  return actor.onPatientRequest === true ? PERMIT : deny('not_on_patient_request');
}

/** TRACE-03/04, ACC-06: the patient side reads its history; among professionals only the médecin traitant. */
function traceRead({ policy, actor, ctx, now }: Call): Decision {
  switch (actor.kind) {
    case 'patient':
    case 'legal_representative':
      return ownerOnOpenRecord(holderAccess(actor, ctx, now), ctx);
    case 'professional': {
      const auth = professionalAuthorised(policy, actor, ctx);
      if (!auth.ok) return deny(auth.reason);
      return isMedecinTraitant(ctx, actor) ? PERMIT : deny('not_medecin_traitant');
    }
    case 'system':
      // the chain verification (TRACE-02) reads every row
      return PERMIT;
    case 'support':
    case 'insurer':
      return deny('unsupported_actor');
  }
}

/**
 * MIN-01/02/04: adding or ending a legal representative, by whoever decides for the record, by a
 * professional at the family's request (ACC-07), or by the support service; the jobs end
 * representatives at majority (MIN-03).
 */
function representativeManage({ policy, actor, ctx, now }: Call): Decision {
  switch (actor.kind) {
    case 'patient':
    case 'legal_representative':
      return ownerOnOpenRecord(governorAccess(actor, ctx, now), ctx);
    case 'professional':
      return fromGate(professionalForPatient(policy, actor, ctx));
    case 'support':
    case 'system':
      return PERMIT;
    case 'insurer':
      return deny('unsupported_actor');
  }
}

/**
 * MASK-04 is the minor's wish: the patient sets or lifts it, or a professional or the support
 * service at the patient's request; never a representative, whom it binds.
 */
function doctorPresence(c: Call): Decision {
  const { actor, ctx, now } = c;
  if (actor.kind === 'legal_representative') return deny('not_authorised');
  if (actor.kind === 'patient') return ownerOnOpenRecord(holderAccess(actor, ctx, now), ctx);
  return representativeManage(c);
}

/** ACC-06: the médecin traitant DMP is a doctor already authorised, and not blocked. */
export function canBeMedecinTraitant(
  policy: Policy,
  ctx: RecordContext,
  candidate: Pick<ProfessionalActor, 'idNatPs' | 'profession' | 'structureId'>,
): Decision {
  if (!policy.terminology.professions.has(candidate.profession)) return deny('unknown_profession');
  if (candidate.profession !== MEDECIN) return deny('not_a_doctor');
  const asActor: ProfessionalActor = { kind: 'professional', mode: 'normal', ...candidate };
  if (isBlocked(ctx, asActor)) return deny('blocked');
  return isAuthorised(ctx, asActor) ? PERMIT : deny('not_authorised');
}
