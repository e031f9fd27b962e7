import { describe, expect, it } from '@jest/globals';
import { codeHmac, codeMatches, newCode } from '../../../src/auth/codes.js';
import { hashPassword, passwordProblem, readableSecret, verifyPassword } from '../../../src/auth/passwords.js';

describe('passwords and codes', () => {
  it('AUTH-06: a scrypt hash carries its parameters and a salt, verifies the right password only, and reads old costs', async () => {
    const h14 = await hashPassword('correct horse battery', 14);
    expect(h14.startsWith('scrypt$14$8$1$')).toBe(true);
    expect(await verifyPassword('correct horse battery', h14)).toBe(true);
    expect(await verifyPassword('correct horse batterY', h14)).toBe(false);
    expect(await hashPassword('correct horse battery', 14)).not.toBe(h14);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$40$8$1$AAAA$BBBB')).toBe(false);
  });

  it('AUTH-03: the chosen password follows the documented policy', () => {
    expect(passwordProblem('short', 'abcd-efgh-jkmn')).toMatch(/12/);
    expect(passwordProblem('aaaaaaaaaaaaaaaa', 'abcd-efgh-jkmn')).toMatch(/different/);
    expect(passwordProblem('my login abcd-efgh-jkmn!', 'abcd-efgh-jkmn')).toMatch(/login/);
    expect(passwordProblem('x'.repeat(129), 'l')).toMatch(/128/);
    expect(passwordProblem('une phrase assez longue', 'abcd-efgh-jkmn')).toBeNull();
  });

  it('AUTH-01: codes are 6 digits, and their HMAC is bound to the challenge', () => {
    const secret = Buffer.alloc(32, 1);
    for (let i = 0; i < 50; i++) expect(newCode()).toMatch(/^\d{6}$/);
    const h = codeHmac(secret, 'challenge-a', '123456');
    expect(codeMatches(secret, 'challenge-a', '123456', h)).toBe(true);
    expect(codeMatches(secret, 'challenge-b', '123456', h)).toBe(false);
    expect(codeMatches(secret, 'challenge-a', '123457', h)).toBe(false);
    expect(codeMatches(Buffer.alloc(32, 2), 'challenge-a', '123456', h)).toBe(false);
    expect(readableSecret(3)).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
  });
});
