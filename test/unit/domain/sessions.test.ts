// Which patient-side session is still valid (src/domain/sessions.ts): the one rule the bearer
// check of every request and the terms acceptance both ask.
import { describe, expect, it } from '@jest/globals';
import { sessionRefusal, supersededSession } from '../../../src/domain/sessions.js';

const KEPT = '0b9c7f4e-2d1a-4c3b-8e5f-6a7b8c9d0e1f';
const OTHER = '1c0d8f5e-3e2b-4d4c-9f6a-7b8c9d0e1f20';
const account = (generation: number, kept: string | null = null, disabled = false) => ({ generation, kept, disabled });

describe('session validity', () => {
  it('AUTH-03/AUTH-04: a token of an older generation is superseded unless it is the session the change kept', () => {
    expect(supersededSession(account(1), { sessionId: OTHER, generation: 0 })).toBe(true);
    expect(supersededSession(account(1, KEPT), { sessionId: OTHER, generation: 0 })).toBe(true);
    expect(supersededSession(account(1, KEPT), { sessionId: KEPT, generation: 0 })).toBe(false);
    expect(supersededSession(account(1, KEPT), { sessionId: KEPT.toUpperCase(), generation: 0 })).toBe(false);
    // a token without an id is never the one kept
    expect(supersededSession(account(1, KEPT), { sessionId: null, generation: 0 })).toBe(true);
    // a token of the current generation (issued after the change) stays
    expect(supersededSession(account(1), { sessionId: OTHER, generation: 1 })).toBe(false);
    expect(supersededSession(account(0), { sessionId: null, generation: 0 })).toBe(false);
  });

  it('AUTH-03: a session ended by its holder is refused first, then one of a disabled account, then a superseded one', () => {
    const token = { sessionId: OTHER, generation: 0 };
    expect(sessionRefusal({ ended: true, account: account(1, null, true) }, token)).toBe('session_ended');
    expect(sessionRefusal({ ended: false, account: account(1, null, true) }, token)).toBe('account_inactive');
    expect(sessionRefusal({ ended: false, account: account(1) }, token)).toBe('session_superseded');
    expect(sessionRefusal({ ended: false, account: account(0) }, token)).toBeUndefined();
    // no such account: the token's own checks are the verifier's, nothing refuses it here
    expect(sessionRefusal({ ended: false, account: null }, token)).toBeUndefined();
  });
});
