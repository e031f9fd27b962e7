// One-time login codes (AUTH-01): six random digits, stored only as an HMAC under a server
// secret, compared in constant time. The secret is shared by every instance (a file, like the
// signing key), so any instance can check a code another one sent.
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const CODE_DIGITS = 6;

export function newCode(): string {
  return String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
}

/** The HMAC is bound to the challenge, so a stored value cannot be replayed on another one. */
export function codeHmac(secret: Buffer, challengeId: string, code: string): string {
  return createHmac('sha256', secret).update(`${challengeId}:${code}`).digest('base64url');
}

export function codeMatches(secret: Buffer, challengeId: string, code: string, stored: string): boolean {
  const a = Buffer.from(codeHmac(secret, challengeId, code));
  const b = Buffer.from(stored);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function defaultCodeSecretFile(dataDir: string): string {
  return join(dataDir, 'keys', 'code-secret');
}

/** Reads the secret (at least 32 bytes, base64 or raw), creating a random one if the file is absent. */
export function loadOrCreateCodeSecret(file: string): Buffer {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  }
  return parseCodeSecret(readFileSync(file, 'utf8'), file);
}

/** The secret in `text` (base64 of at least 32 bytes, or at least 32 bytes of text); `where` names it in the error. */
export function parseCodeSecret(text: string, where: string): Buffer {
  const trimmed = text.trim();
  const decoded = /^[A-Za-z0-9+/=_-]+$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  const secret = decoded.length >= 32 ? decoded : Buffer.from(trimmed, 'utf8');
  if (secret.length < 32) throw new Error(`${where}: the code secret must hold at least 32 bytes`);
  return secret;
}
