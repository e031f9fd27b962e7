// TRACE-01: what every trace row must say about an access, derived from the actor and the
// decision so that no service forgets the profession, the mode, the emergency flag (ACC-05) or
// the patient's request (ACC-07). Refusals are traced too, with their reason.
import type { Action } from './actions.js';
import { actorId, type Actor } from './actor.js';
import type { Decision } from './decide.js';
import type { ReasonCode } from './reasons.js';

export interface TraceFacts {
  actorKind: Actor['kind'];
  actorId: string;
  profession: string | null;
  specialty: string | null;
  structureId: string | null;
  accessMode: string | null;
  onPatientRequest: boolean;
  action: Action;
  outcome: 'permit' | 'deny';
  reason: ReasonCode | null;
  /** shown to the patient as an emergency access (ACC-05, TRACE-03) */
  emergency: boolean;
}

export function traceFacts(actor: Actor, action: Action, decision: Decision): TraceFacts {
  const pro = actor.kind === 'professional' ? actor : null;
  return {
    actorKind: actor.kind,
    actorId: actorId(actor),
    profession: pro?.profession ?? null,
    specialty: pro?.specialty ?? null,
    structureId: pro?.structureId ?? null,
    accessMode: pro?.mode ?? null,
    onPatientRequest: pro?.onPatientRequest === true,
    action,
    outcome: decision.permit ? 'permit' : 'deny',
    reason: decision.permit ? null : decision.reason,
    emergency: decision.permit && decision.emergency,
  };
}
