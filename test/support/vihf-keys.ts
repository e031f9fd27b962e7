// Signing material for VIHF tests: the committed TEST-ONLY pairs, or a fresh self-signed pair
// made with the openssl CLI (test support only; production code never generates certificates).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface KeyPair {
  privateKeyPem: string;
  certificatePem: string;
}

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'vihf');

export function testSigner(which: 'trusted' | 'untrusted'): KeyPair {
  return {
    privateKeyPem: readFileSync(join(FIXTURES, `TEST-ONLY-${which}-signer.key.pem`), 'utf8'),
    certificatePem: readFileSync(join(FIXTURES, `TEST-ONLY-${which}-signer.cert.pem`), 'utf8'),
  };
}

/** A new RSA key and self-signed certificate (needs `openssl` on PATH). */
export function generateSelfSigned(commonName = 'TEST ONLY generated signer'): KeyPair {
  const dir = mkdtempSync(join(tmpdir(), 'carnet-vihf-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/O=Carnet TEST ONLY/CN=${commonName}`],
      { stdio: 'ignore' },
    );
    return { privateKeyPem: readFileSync(key, 'utf8'), certificatePem: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
