// Who reaches a record, before any document is looked at: identity checks of a professional
// (ACC-04, ACC-08), blocks (ACC-03), authorisations and care teams (ACC-01, ACC-04),
// emergency modes (ACC-05), and the patient's side (patient, legal representatives: MIN).
import { ACCESS_MODES, type Actor, type LegalRepresentativeActor, type PatientActor, type ProfessionalActor } from './actor.js';
import { actsAsAdult, representativeStatus } from './minors.js';
import type { Policy } from './policy.js';
import type { ReasonCode } from './reasons.js';
import type { LegalRepresentative, RecordContext } from './record.js';

/** TRE_G15 code of doctors: the only profession a Centre 15 regulator can be (ACC-05). */
export const MEDECIN = '10';

export type Gate<T = object> = ({ ok: true } & T) | { ok: false; reason: ReasonCode };

/** Fail closed on what the policy does not know (ACC-08); administrative staff never pass (ACC-04). */
export function professionalIdentity(policy: Policy, actor: ProfessionalActor): Gate {
  if (!(ACCESS_MODES as readonly string[]).includes(actor.mode) || !policy.terminology.accessModes.has(actor.mode)) {
    return { ok: false, reason: 'unknown_access_mode' };
  }
  const profession = policy.terminology.professions.get(actor.profession);
  if (profession?.category === 'administrative') return { ok: false, reason: 'administrative_staff' };
  if (!profession) return { ok: false, reason: 'unknown_profession' };
  return { ok: true };
}

function grantMatches(ctx: RecordContext, actor: ProfessionalActor, effect: 'permit' | 'deny'): boolean {
  return ctx.grants.some(
    (g) =>
      g.effect === effect &&
      ((g.subjectKind === 'professional' && g.subjectId === actor.idNatPs) ||
        (g.subjectKind === 'structure' && actor.structureId !== undefined && g.subjectId === actor.structureId)),
  );
}

/**
 * ACC-03: a block wins over any authorisation, in every mode. A blocked structure blocks its
 * whole care team, the mirror of ACC-04: whoever acts for it (the structure their identity
 * names), even a professional authorised in person (fail closed: a block is never narrowed by a
 * permit). Someone whose identity names no structure cannot show that they do not act for a
 * blocked one, and is refused while the record blocks any. The block is about who acts, not
 * about documents: what the structure deposited stays readable by everyone else.
 */
export function isBlocked(ctx: RecordContext, actor: ProfessionalActor): boolean {
  if (actor.structureId === undefined && ctx.grants.some((g) => g.effect === 'deny' && g.subjectKind === 'structure')) return true;
  return grantMatches(ctx, actor, 'deny');
}

/** ACC-01 / ACC-04: authorised directly or as a member of an authorised structure's care team. */
export function isAuthorised(ctx: RecordContext, actor: ProfessionalActor): boolean {
  return grantMatches(ctx, actor, 'permit');
}

/**
 * ACC-06 / MASK-01: the médecin traitant DMP is an authorised doctor, and acts as one only while
 * authorised: the record may still name a doctor whose authorisation the patient withdrew, or
 * who was authorised through a structure they no longer act for. Such a doctor may still come in
 * by an emergency mode (ACC-05), as any professional, and then reads no more than any of them
 * (masked documents stay masked; the history stays closed).
 */
export function isMedecinTraitant(ctx: RecordContext, actor: ProfessionalActor): boolean {
  return ctx.medecinTraitant !== null && ctx.medecinTraitant === actor.idNatPs && isAuthorised(ctx, actor);
}

/** Identity, then block (ACC-03: a blocked professional is refused everything). */
export function professionalUnblocked(policy: Policy, actor: ProfessionalActor, ctx: RecordContext): Gate {
  const id = professionalIdentity(policy, actor);
  if (!id.ok) return id;
  return isBlocked(ctx, actor) ? { ok: false, reason: 'blocked' } : { ok: true };
}

/** ...then the record's state (DMP-05): what every professional action on a record starts with. */
export function professionalOnRecord(policy: Policy, actor: ProfessionalActor, ctx: RecordContext): Gate {
  const g = professionalUnblocked(policy, actor, ctx);
  if (!g.ok) return g;
  return ctx.status === 'closed' ? { ok: false, reason: 'record_closed' } : { ok: true };
}

/**
 * Reading a record (ACC-01, ACC-05). An authorised professional reads normally whatever mode is
 * declared; otherwise only an emergency mode the patient did not oppose opens it, and then the
 * access is flagged `emergency` for the trace and the patient's history.
 */
export function professionalReadAccess(policy: Policy, actor: ProfessionalActor, ctx: RecordContext): Gate<{ emergency: boolean }> {
  const base = professionalOnRecord(policy, actor, ctx);
  if (!base.ok) return base;
  if (isAuthorised(ctx, actor)) return { ok: true, emergency: false };
  switch (actor.mode) {
    case 'bris_de_glace':
      return ctx.emergencyOppositions.bris_de_glace ? { ok: false, reason: 'emergency_opposed' } : { ok: true, emergency: true };
    case 'centre_15':
      // a regulating doctor: a doctor acting for a structure the directory marks as a regulation centre
      if (actor.profession !== MEDECIN || actor.regulationCentre !== true) return { ok: false, reason: 'emergency_not_applicable' };
      return ctx.emergencyOppositions.centre_15 ? { ok: false, reason: 'emergency_opposed' } : { ok: true, emergency: true };
    default:
      return { ok: false, reason: 'not_authorised' };
  }
}

/** Authorised in normal terms (no emergency): the precondition of acting on the record. */
export function professionalAuthorised(policy: Policy, actor: ProfessionalActor, ctx: RecordContext): Gate {
  const base = professionalOnRecord(policy, actor, ctx);
  if (!base.ok) return base;
  return isAuthorised(ctx, actor) ? { ok: true } : { ok: false, reason: 'not_authorised' };
}

/** ACC-07: acts for the patient need an authorised professional and the patient's request. */
export function professionalForPatient(policy: Policy, actor: ProfessionalActor, ctx: RecordContext): Gate {
  const auth = professionalAuthorised(policy, actor, ctx);
  if (!auth.ok) return auth;
  return actor.onPatientRequest === true ? { ok: true } : { ok: false, reason: 'not_on_patient_request' };
}

export type Holder = { kind: 'patient' } | { kind: 'representative'; representative: LegalRepresentative };

/**
 * Whether a patient-side caller names a record other than the one it holds: holderAccess's
 * `wrong_record`, asked before the record is loaded (a search naming its patient by INS).
 */
export function namesRecordNotHeld(actor: Actor, patientKey: string): boolean {
  return (actor.kind === 'patient' || actor.kind === 'legal_representative') && actor.patientKey !== patientKey;
}

/**
 * The patient side of a record: the patient (any age: a minor may consult the record), or a
 * legal representative whose access is still active (MIN-01, MIN-03, MIN-04).
 */
export function holderAccess(actor: PatientActor | LegalRepresentativeActor, ctx: RecordContext, now: Date): Gate<{ holder: Holder }> {
  if (actor.patientKey !== ctx.patientKey) return { ok: false, reason: 'wrong_record' };
  if (actor.kind === 'patient') return { ok: true, holder: { kind: 'patient' } };
  const status = representativeStatus(ctx, actor.representativeId, now);
  if (status === 'unknown') return { ok: false, reason: 'not_authorised' };
  if (status === 'ended') return { ok: false, reason: 'representative_access_ended' };
  const representative = ctx.legalRepresentatives.find((r) => r.representativeId === actor.representativeId)!;
  return { ok: true, holder: { kind: 'representative', representative } };
}

/**
 * Who decides for the record (MIN-01): an adult or emancipated patient not under tutelle, or an
 * active legal representative. A represented patient is associated but does not decide alone.
 */
export function governorAccess(actor: PatientActor | LegalRepresentativeActor, ctx: RecordContext, now: Date): Gate {
  const h = holderAccess(actor, ctx, now);
  if (!h.ok) return h;
  if (h.holder.kind === 'patient' && (ctx.protectedAdult || !actsAsAdult(ctx, now))) {
    return { ok: false, reason: 'legal_representative_required' };
  }
  return { ok: true };
}
