// The server's own signing key (ES256), kept under the data directory (or a configured file):
// it signs the patients' session tokens and, in development only, the test tokens of
// `carnet token`. Several instances must share it: configure CARNET_SIGNING_KEY_FILE then.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

export const LOCAL_KID = 'carnet-local-1';
export const LOCAL_ALG = 'ES256';

export interface LocalKeys {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function loadOrCreateLocalKeys(file: string): Promise<LocalKeys> {
  let jwk: JWK;
  if (existsSync(file)) {
    jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  } else {
    const { privateKey } = await generateKeyPair(LOCAL_ALG, { extractable: true });
    jwk = { ...(await exportJWK(privateKey)), kid: LOCAL_KID, alg: LOCAL_ALG, use: 'sig' };
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(jwk), { mode: 0o600 });
  }
  return localKeysFromJwk(jwk);
}

/** The keys of a private ES256 JWK (from a file, or given as a value in the environment). */
export async function localKeysFromJwk(jwk: JWK): Promise<LocalKeys> {
  const privateKey = (await importJWK(jwk, LOCAL_ALG)) as CryptoKey;
  const { d: _private, ...publicJwk } = jwk;
  return { kid: jwk.kid ?? LOCAL_KID, privateKey, publicJwk };
}

export function defaultLocalKeyFile(dataDir: string): string {
  return join(dataDir, 'keys', 'local-signing.jwk.json');
}
