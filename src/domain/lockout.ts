// AUTH-02: three wrong secrets in a row lock for fifteen minutes. One rule for whatever a secret
// guards — an account's password (login), a creation code (DMP-02) — so that every door to a
// record has the same lockout. The state is stored with what it guards (the account row, the
// code row), so every instance agrees; this file only says what the next state is.

export const LOCK_AFTER_FAILURES = 3;
export const LOCK_MS = 15 * 60_000;

export interface LockState {
  failedAttempts: number;
  lockedUntil: Date | null;
}

/** During the lock even the right secret is refused. */
export function isLocked(s: LockState, now: Date): boolean {
  return s.lockedUntil !== null && s.lockedUntil.getTime() > now.getTime();
}

/** The state after one more wrong secret; a lock that has run out starts a fresh count. */
export function afterFailure(s: LockState, now: Date): LockState & { count: number; lockedNow: boolean } {
  const count = (s.lockedUntil !== null ? 0 : s.failedAttempts) + 1;
  const lockedNow = count >= LOCK_AFTER_FAILURES;
  return { failedAttempts: lockedNow ? 0 : count, lockedUntil: lockedNow ? new Date(now.getTime() + LOCK_MS) : null, count, lockedNow };
}

/** The right secret clears the count. */
export const CLEARED: LockState = { failedAttempts: 0, lockedUntil: null };
