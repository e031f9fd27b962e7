// What every part of the lock (decide.ts) decides with: the Decision, the call's facts, and the
// few steps all actions share (a patient-side actor, a record open to the patient side). Shared
// by the record, document and consent parts, so that none of them depends on another.
import type { Gate } from './access.js';
import type { LegalRepresentativeActor, PatientActor, Actor } from './actor.js';
import type { Policy } from './policy.js';
import type { ReasonCode } from './reasons.js';
import type { DocumentFacts, RecordContext } from './record.js';

export type Decision = { permit: true; emergency: boolean } | { permit: false; reason: ReasonCode };

export const PERMIT: Decision = Object.freeze({ permit: true, emergency: false });

export const deny = (reason: ReasonCode): Decision => ({ permit: false, reason });

export const fromGate = (g: Gate): Decision => (g.ok ? PERMIT : deny(g.reason));

export type Owner = PatientActor | LegalRepresentativeActor;

export const isOwner = (a: Actor): a is Owner => a.kind === 'patient' || a.kind === 'legal_representative';

/** The refusal of a patient-side action asked by someone else. */
export const notPatientSide = (a: Actor): Decision => deny(a.kind === 'professional' ? 'not_authorised' : 'unsupported_actor');

export interface Call {
  policy: Policy;
  actor: Actor;
  ctx: RecordContext;
  doc: DocumentFacts | null;
  now: Date;
}

/** Patient-side management: a closed record must first be reactivated (DMP-05). */
export function ownerOnOpenRecord(gate: Gate, ctx: RecordContext): Decision {
  if (!gate.ok) return deny(gate.reason);
  return ctx.status === 'closed' ? deny('record_closed') : PERMIT;
}
