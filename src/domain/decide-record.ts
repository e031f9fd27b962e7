// The lock's decisions on the record itself: whether it exists, its creation, closing and
// reactivation (DMP-01/02/04/05, ACC-07). A part of decide.ts, apart so that each family of
// actions reads on its own.
import { governorAccess, holderAccess, professionalForPatient, professionalUnblocked } from './access.js';
import { retentionExpired } from './lifecycle.js';
import { actsAsAdult } from './minors.js';
import { parseCivilDate } from './calendar.js';
import { PERMIT, deny, fromGate, isOwner, ownerOnOpenRecord, type Call, type Decision } from './decide-shared.js';

/**
 * DMP-04: whether a DMP exists may be asked by any identified professional without an
 * authorisation (the answer carries the state, so nothing has to fail for lack of a DMP);
 * a blocked professional learns nothing (ACC-03).
 */
export function recordExists({ policy, actor, ctx, now }: Call): Decision {
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
export function recordCreate({ policy, actor, ctx, now }: Call): Decision {
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
export function byGovernorOrForPatient({ policy, actor, ctx, now }: Call): Decision {
  if (isOwner(actor)) return ownerOnOpenRecord(governorAccess(actor, ctx, now), ctx);
  if (actor.kind === 'professional') return fromGate(professionalForPatient(policy, actor, ctx));
  return deny('unsupported_actor');
}

/**
 * DMP-05, ACC-07: the patient side closes; a professional at the patient's request, or the
 * support service (for a patient without an internet account), closes for the patient.
 */
export function recordClose(c: Call): Decision {
  if (c.actor.kind === 'support') return c.ctx.status === 'closed' ? deny('record_closed') : PERMIT;
  return byGovernorOrForPatient(c);
}

/**
 * DMP-05, within the retention period: the patient side reactivates, and so do a professional
 * at the patient's request (ACC-07: authorisations are not asked, the record being closed to
 * professionals; a blocked one is still refused) and the support service — the only ways back
 * for a patient without an internet account.
 */
export function recordReactivate({ policy, actor, ctx, now }: Call): Decision {
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
