// Password hashing (AUTH-06): scrypt from node:crypto, a fresh random salt per hash, and the
// parameters written into the hash string so that raising the cost later leaves old hashes
// readable. Format: scrypt$<log2 N>$<r>$<p>$<salt base64url>$<key base64url>.
import { randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** log2 of scrypt's N. 15 = 32 MiB and roughly 0.1 s per hash on one core. */
export const DEFAULT_SCRYPT_LOG2N = 15;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, log2N: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** log2N;
  // scrypt needs 128 * N * r bytes; node refuses more than maxmem (32 MiB by default).
  const options: ScryptOptions = { N, r, p, maxmem: 128 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string, log2N = DEFAULT_SCRYPT_LOG2N): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, log2N, BLOCK_SIZE, PARALLELISM);
  return ['scrypt', log2N, BLOCK_SIZE, PARALLELISM, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** False for a wrong password and for a hash this code cannot read (never throws on bad input). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [log2N, r, p] = parts.slice(1, 4).map(Number);
  if (![log2N, r, p].every(Number.isInteger) || log2N < 10 || log2N > 22 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const salt = Buffer.from(parts[4], 'base64url');
  const expected = Buffer.from(parts[5], 'base64url');
  if (expected.length !== KEY_LENGTH) return false;
  const key = await derive(password, salt, log2N, r, p);
  return timingSafeEqual(key, expected);
}

/**
 * A hash of nothing anyone knows, with the current cost: checked when the login is unknown so
 * that an unknown login and a wrong password take the same time (no account enumeration).
 */
export function dummyHash(log2N = DEFAULT_SCRYPT_LOG2N): Promise<string> {
  return hashPassword(randomBytes(24).toString('base64url'), log2N);
}

/**
 * The password policy for chosen passwords (AUTH-03): 12 to 128 characters, not only one
 * repeated character, and not containing the login. Returns what is wrong, or null.
 */
export function passwordProblem(password: string, login: string): string | null {
  const chars = [...password.normalize('NFC')];
  if (chars.length < 12) return 'the password must have at least 12 characters';
  if (chars.length > 128) return 'the password must have at most 128 characters';
  if (new Set(chars).size < 4) return 'the password must use at least 4 different characters';
  if (login && password.toLowerCase().includes(login.toLowerCase())) return 'the password must not contain the login';
  return null;
}

const READABLE = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A random string of `groups` groups of 4 readable characters (no 0/o, 1/l/i), dash-separated. */
export function readableSecret(groups: number): string {
  const out: string[] = [];
  for (let g = 0; g < groups; g++) {
    let group = '';
    for (let c = 0; c < 4; c++) group += READABLE[randomInt(READABLE.length)];
    out.push(group);
  }
  return out.join('-');
}
