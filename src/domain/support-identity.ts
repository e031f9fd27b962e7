// AUTH-04: before a support agent issues credentials on a record, the identity the requester
// typed must be the identity the record holds for whoever will hold the account. Otherwise an
// agent's slip (or an agent talked into it) gives a stranger's e-mail or phone the login to
// someone else's record. Names are compared as string search compares them (no case, no
// accents), so "DUPRE" is "Dupré"; only what both sides know is compared.
import { foldForSearch } from './string-search.js';
import type { PatientIdentifier } from './model.js';

/** What the requester typed on the support form. */
export interface ClaimedIdentity {
  family?: string;
  given?: string;
  /** YYYY-MM-DD */
  birthDate?: string;
  identifier?: PatientIdentifier;
}

/** What the store knows of the future account holder (the patient, or a representative). */
export interface KnownIdentity {
  family?: string | null;
  given?: string | null;
  birthDate?: string | null;
  /** the record's identifiers (INS...): the request's identifier, if any, must be one of them */
  identifiers: PatientIdentifier[];
}

export type IdentityMismatch = 'family' | 'given' | 'birth_date' | 'identifier';

/** Folded, with runs of spaces, hyphens and apostrophes read as one space ("Le-Gall" = "le gall"). */
function fold(name: string): string {
  return foldForSearch(name).replace(/[\s\-'’]+/gu, ' ').trim();
}

/**
 * The first detail that differs, or null when the request may be served. Family and birth date
 * are compared when both sides have them; the given name only if the requester gave one, one
 * side starting with the other ("Marie" for "Marie-Claire"); the identifier, if given, must be
 * one of the record's.
 */
export function supportIdentityMismatch(claimed: ClaimedIdentity, known: KnownIdentity): IdentityMismatch | null {
  if (claimed.family && known.family && fold(claimed.family) !== fold(known.family)) return 'family';
  if (claimed.birthDate && known.birthDate && claimed.birthDate !== known.birthDate.slice(0, 10)) return 'birth_date';
  if (claimed.given && known.given) {
    const a = fold(claimed.given);
    const b = fold(known.given);
    if (!a.startsWith(b) && !b.startsWith(a)) return 'given';
  }
  const id = claimed.identifier;
  if (id && !known.identifiers.some((k) => k.system === id.system && k.value === id.value)) return 'identifier';
  return null;
}
