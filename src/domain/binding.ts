// ACC-10: a professional's identity assertion is about one patient (the VIHF resource-id, or the
// patient claim of a bearer token). A request made under it may touch that patient's record and
// no other, whichever path names the other one: a patient id in the request, or objects that turn
// out to belong to someone else. decide() and visibilityFilter() ask this first, so every access
// that reaches a record is held to it; the services ask it earlier where the request itself names
// a patient, so that the answer is the same whether that other patient has a record or not.
import type { Actor } from './actor.js';
import type { PatientIdentifier } from './model.js';

const same = (a: PatientIdentifier, b: PatientIdentifier): boolean => a.system === b.system && a.value === b.value;

/** The patient the caller is bound to, if any. Professionals and the insurer's feed carry one. */
export function boundPatientOf(actor: Actor): PatientIdentifier | undefined {
  return actor.kind === 'professional' || actor.kind === 'insurer' ? actor.boundPatient : undefined;
}

/**
 * Whether the caller may touch the patient known by these identifiers (a record's identifiers,
 * or the identifier a request names together with those of its record). An unbound caller may;
 * a bound one only when its patient is among them. No identifier at all: refused (fail closed).
 */
export function bindingAllows(actor: Actor, identifiers: readonly PatientIdentifier[]): boolean {
  const bound = boundPatientOf(actor);
  return bound === undefined || identifiers.some((id) => same(id, bound));
}
