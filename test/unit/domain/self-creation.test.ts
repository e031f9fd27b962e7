import { describe, expect, it } from '@jest/globals';
import { afterFailure, CLEARED, isLocked, LOCK_AFTER_FAILURES, LOCK_MS } from '../../../src/domain/lockout.js';
import { checkCreationCode, identityMatches, normaliseCreationCode, normaliseName } from '../../../src/domain/self-creation.js';

const NOW = new Date('2026-03-01T09:00:00Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);

describe('the lockout of guessed secrets (AUTH-02) and the creation code (DMP-02)', () => {
  it('AUTH-02: the third wrong secret in a row locks for fifteen minutes; a lock that ran out starts a fresh count', () => {
    let s = CLEARED;
    for (let i = 1; i < LOCK_AFTER_FAILURES; i++) {
      s = afterFailure(s, NOW);
      expect(isLocked(s, NOW)).toBe(false);
    }
    const third = afterFailure(s, NOW);
    expect(third).toMatchObject({ count: 3, lockedNow: true, failedAttempts: 0, lockedUntil: later(LOCK_MS) });
    expect(isLocked(third, later(LOCK_MS - 1))).toBe(true);
    expect(isLocked(third, later(LOCK_MS))).toBe(false);
    expect(afterFailure(third, later(LOCK_MS))).toMatchObject({ count: 1, lockedNow: false, lockedUntil: null });
  });

  it('DMP-02: the card is compared as typed: case, accents, hyphens and spaces do not count; the birth date must be the same', () => {
    expect(normaliseName('  Lefèvre-Durand ')).toBe('LEFEVRE DURAND');
    const held = { family: 'Lefèvre-Durand', given: 'Zoé', birthDate: '1985-07-14' };
    expect(identityMatches(held, { family: 'LEFEVRE DURAND', given: 'zoe', birthDate: '1985-07-14' })).toBe(true);
    expect(identityMatches(held, { family: 'Lefèvre', given: 'Zoé', birthDate: '1985-07-14' })).toBe(false);
    expect(identityMatches(held, { ...held, birthDate: '1985-07-15' })).toBe(false);
    expect(normaliseCreationCode(' ABCD-efgh ijkm ')).toBe('abcdefghijkm');
  });

  it("DMP-02: a name is compared in the card's capitals, every combining mark dropped: Strauß is the card's STRAUSS, a vowel point is no separator", () => {
    expect(normaliseName('Strauß')).toBe(normaliseName('STRAUSS'));
    expect(normaliseName('\u05D3\u05B8\u05D5\u05B4\u05D3')).toBe('\u05D3\u05D5\u05D3');
  });

  it('DMP-02 / AUTH-02: a locked code refuses even the right answer; a wrong answer counts before expiry is told; only a right answer learns of expiry', () => {
    const open = { lock: CLEARED, expiresAt: later(3600_000) };
    expect(checkCreationCode(open, true, true, NOW)).toEqual({ ok: true });
    expect(checkCreationCode(open, false, true, NOW)).toMatchObject({ ok: false, reason: 'invalid_code', next: { count: 1 } });
    expect(checkCreationCode(open, true, false, NOW)).toMatchObject({ ok: false, reason: 'invalid_code' });
    const locked = { lock: { failedAttempts: 0, lockedUntil: later(60_000) }, expiresAt: later(3600_000) };
    expect(checkCreationCode(locked, true, true, NOW)).toEqual({ ok: false, reason: 'code_locked', until: later(60_000) });
    const expired = { lock: CLEARED, expiresAt: NOW };
    expect(checkCreationCode(expired, false, true, NOW)).toMatchObject({ reason: 'invalid_code' });
    expect(checkCreationCode(expired, true, true, NOW)).toEqual({ ok: false, reason: 'code_expired' });
  });
});
