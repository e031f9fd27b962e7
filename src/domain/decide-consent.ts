// The lock's decisions on what governs a record: consents, blocking and the médecin traitant,
// the trace, legal representatives and the doctor's presence (ACC-06, TRACE-03/04, MIN-*,
// MASK-04). A part of decide.ts, apart so that each family of actions reads on its own.
import { governorAccess, holderAccess, isMedecinTraitant, professionalAuthorised, professionalForPatient } from './access.js';
import { PERMIT, deny, fromGate, isOwner, ownerOnOpenRecord, type Call, type Decision } from './decide-shared.js';

/** The patient side reads its settings; a professional only as médecin traitant or for the patient. */
export function consentRead({ policy, actor, ctx, now }: Call): Decision {
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
export function byGovernorOrMedecinTraitant({ policy, actor, ctx, now }: Call): Decision {
  if (isOwner(actor)) return ownerOnOpenRecord(governorAccess(actor, ctx, now), ctx);
  if (actor.kind !== 'professional') return deny('unsupported_actor');
  const auth = professionalAuthorised(policy, actor, ctx);
  if (!auth.ok) return deny(auth.reason);
  if (!isMedecinTraitant(ctx, actor)) return deny('not_medecin_traitant');
  return actor.onPatientRequest === true ? PERMIT : deny('not_on_patient_request');
}

/** TRACE-03/04, ACC-06: the patient side reads its history; among professionals only the médecin traitant. */
export function traceRead({ policy, actor, ctx, now }: Call): Decision {
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
export function representativeManage({ policy, actor, ctx, now }: Call): Decision {
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
export function doctorPresence(c: Call): Decision {
  const { actor, ctx, now } = c;
  if (actor.kind === 'legal_representative') return deny('not_authorised');
  if (actor.kind === 'patient') return ownerOnOpenRecord(holderAccess(actor, ctx, now), ctx);
  return representativeManage(c);
}
