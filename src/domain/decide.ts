// The one lock (DESIGN): every access decision of the record, as a pure function of the policy,
// the actor, the record's facts, the document's facts and the action. Reading goes through the
// visibility filter so that a search and a direct read can never disagree (ACC-08).
// This file routes each action to its rule; the rules are grouped by what they decide on:
// decide-record.ts, decide-document.ts, decide-consent.ts (and decide-shared.ts for their steps).
import { holderAccess, isAuthorised, isBlocked, MEDECIN } from './access.js';
import type { Action } from './actions.js';
import type { Actor, ProfessionalActor } from './actor.js';
import { bindingAllows } from './binding.js';
import type { Policy } from './policy.js';
import type { DocumentFacts, RecordContext } from './record.js';
import { visibilityFilter } from './visibility.js';
import { PERMIT, deny, fromGate, isOwner, notPatientSide, ownerOnOpenRecord, type Call, type Decision } from './decide-shared.js';
import { byGovernorOrForPatient, recordClose, recordCreate, recordExists, recordReactivate } from './decide-record.js';
import {
  documentArchive,
  documentDelete,
  documentDeprecate,
  documentMask,
  documentRead,
  documentReplace,
  documentSubmit,
  professionalFlag,
  withDoc,
} from './decide-document.js';
import { byGovernorOrMedecinTraitant, consentRead, doctorPresence, representativeManage, traceRead } from './decide-consent.js';

export type { Decision };

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

/**
 * DMP-05: why a record was closed is in the patient's own words (or those of whoever closed it at
 * the patient's request). The patient side and the professionals asking about the record (TD0.2)
 * read it; the support desk and the insurer's feed, which read nothing of a record's content,
 * learn that it is closed and since when, not why.
 */
export function seesClosureReason(actor: Actor): boolean {
  return actor.kind === 'patient' || actor.kind === 'legal_representative' || actor.kind === 'professional';
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
