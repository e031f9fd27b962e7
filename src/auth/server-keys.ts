// The server's own secrets: the key that signs patient sessions (and, in development, the tokens
// of `carnet token`), and the HMAC key of one-time codes. Each is given as a value
// (CARNET_SIGNING_KEY, CARNET_CODE_SECRET), kept in a file (…_FILE, created if absent), or by
// default kept under `<data dir>/keys`. Every problem is one line naming what to change: a
// container whose data directory is not writable must say so, not print a stack trace.
import { dirname } from 'node:path';
import type { JWK } from 'jose';
import type { Config } from '../config/config.js';
import { ConfigError } from '../config/env.js';
import { defaultCodeSecretFile, loadOrCreateCodeSecret, parseCodeSecret } from './codes.js';
import { defaultLocalKeyFile, loadOrCreateLocalKeys, localKeysFromJwk, type LocalKeys } from './local-keys.js';

function uid(): string {
  return typeof process.getuid === 'function' ? ` (uid ${process.getuid()})` : '';
}

/** A file of ours could not be read or created: say which, why, and what to set instead. */
function fileProblem(e: unknown, file: string, variable: string, valueVariable: string, usesDataDir: boolean): ConfigError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? `not writable by this user${uid()}` : (code ?? (e as Error).message);
  const where = usesDataDir ? `CARNET_DATA_DIR (${dirname(dirname(file))})` : `${variable} (${file})`;
  return new ConfigError(`${where}: cannot keep ${file}: ${why}; make it writable, or give the secret with ${valueVariable} or ${variable}`);
}

export async function serverSigningKeys(config: Config): Promise<LocalKeys> {
  if (config.auth.signingKey !== undefined) {
    try {
      return await localKeysFromJwk(JSON.parse(config.auth.signingKey) as JWK);
    } catch {
      throw new ConfigError('CARNET_SIGNING_KEY: expected a private ES256 key as a JWK (JSON with kty "EC", crv "P-256" and d)');
    }
  }
  const file = config.auth.signingKeyFile ?? defaultLocalKeyFile(config.dataDir);
  try {
    return await loadOrCreateLocalKeys(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code) throw fileProblem(e, file, 'CARNET_SIGNING_KEY_FILE', 'CARNET_SIGNING_KEY', !config.auth.signingKeyFile);
    throw new ConfigError(`CARNET_SIGNING_KEY_FILE: ${file} does not hold a private ES256 JWK`);
  }
}

export function serverCodeSecret(config: Config): Buffer {
  const pa = config.patientAccess;
  try {
    if (pa.codeSecret !== undefined) return parseCodeSecret(pa.codeSecret, 'CARNET_CODE_SECRET');
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const file = pa.codeSecretFile ?? defaultCodeSecretFile(config.dataDir);
  try {
    return loadOrCreateCodeSecret(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code) throw fileProblem(e, file, 'CARNET_CODE_SECRET_FILE', 'CARNET_CODE_SECRET', !pa.codeSecretFile);
    throw new ConfigError(`CARNET_CODE_SECRET_FILE: ${(e as Error).message}`);
  }
}
