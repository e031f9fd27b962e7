// DMP-02: online self-creation. The patient proves who they are with the health-insurance card's
// data (the INS, names, birth date) and the single-use creation code the support service issued
// for that identity. What the record is created with — birth date, emancipation — is the
// identity the support service checked and keeps with the code, never what the request says.
// decide('record.create') then says whether this patient may create online (adults only; an
// emancipated minor counts as one).
import { isLocked, afterFailure, type LockState } from './lockout.js';

/** Codes live this long unless the operator says otherwise: a letter takes days. */
export const DEFAULT_CREATION_CODE_TTL_DAYS = 30;

/** The identity a code was issued for, as the support service checked it. */
export interface HeldIdentity {
  family: string;
  given: string;
  /** YYYY-MM-DD */
  birthDate: string;
}

/** What the patient types from the card. */
export type PresentedIdentity = HeldIdentity;

/**
 * Names compared as a card reader would: case, accents, hyphens, apostrophes and repeated
 * spaces do not count ("Lefèvre-Durand" is "LEFEVRE DURAND").
 *
 * Not string search's fold (string-search.ts), on purpose. A card writes names in capitals, and
 * upper-casing is what makes "Strauß" the card's "STRAUSS" (lower-casing keeps the ß). And every
 * combining mark goes (\p{M}), not only the diacritics' blocks that search drops so that SQL can
 * drop exactly the same ones: a mark outside them (a Hebrew or Arabic vowel point) would
 * otherwise be left, then read as a separator below.
 */
export function normaliseName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function identityMatches(held: HeldIdentity, presented: PresentedIdentity): boolean {
  return (
    normaliseName(held.family) === normaliseName(presented.family) &&
    normaliseName(held.given) === normaliseName(presented.given) &&
    held.birthDate === presented.birthDate
  );
}

/** The code as typed: case, spaces and hyphens do not count. */
export function normaliseCreationCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]+/g, '');
}

export interface CodeState {
  lock: LockState;
  expiresAt: Date;
}

export type CodeCheck =
  | { ok: true }
  /** a wrong code or card data: one more failure (AUTH-02), maybe the one that locks */
  | { ok: false; reason: 'invalid_code'; next: ReturnType<typeof afterFailure> }
  | { ok: false; reason: 'code_locked'; until: Date }
  | { ok: false; reason: 'code_expired' };

/**
 * The order matters: a locked code refuses even the right answer; a wrong answer counts before
 * anything else is said; only someone holding the right code and card learns that it expired.
 */
export function checkCreationCode(state: CodeState, codeGood: boolean, identityGood: boolean, now: Date): CodeCheck {
  if (isLocked(state.lock, now)) return { ok: false, reason: 'code_locked', until: state.lock.lockedUntil! };
  if (!codeGood || !identityGood) return { ok: false, reason: 'invalid_code', next: afterFailure(state.lock, now) };
  if (state.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'code_expired' };
  return { ok: true };
}
