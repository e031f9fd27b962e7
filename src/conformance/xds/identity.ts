// Who the runner is on the wire: one professional, whose VIHF is signed afresh for every request
// (so a long run never sends an expired assertion) and names the patient the request is about.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { issueVihf, securityHeader } from '../../auth/vihf-issuer.js';
import type { PatientIdentifier } from '../../domain/model.js';

export interface RunnerProfessional {
  idNatPs: string;
  /** TRE_G15 profession code (10 = médecin) */
  profession: string;
  specialty?: string;
  structureId: string;
  given: string;
  family: string;
  /** access mode sent as purpose of use */
  mode: string;
}

/** The default caller: a médecin, authorised by every patient the runner registers. */
export const DEFAULT_PROFESSIONAL: RunnerProfessional = {
  idNatPs: '899700000001',
  profession: '10',
  specialty: 'SM26',
  structureId: '1750009997',
  given: 'Conformité',
  family: 'Toolkit',
  mode: 'normal',
};

export interface Signer {
  privateKeyPem: string;
  certificatePem: string;
}

const TEST_ONLY_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'fixtures', 'vihf');

/** The committed TEST-ONLY signing pair (trusted by a development-mode server), when present. */
export function testOnlySigner(): Signer | undefined {
  const key = join(TEST_ONLY_DIR, 'TEST-ONLY-trusted-signer.key.pem');
  const cert = join(TEST_ONLY_DIR, 'TEST-ONLY-trusted-signer.cert.pem');
  if (!existsSync(key) || !existsSync(cert)) return undefined;
  return { privateKeyPem: readFileSync(key, 'utf8'), certificatePem: readFileSync(cert, 'utf8') };
}

export function testOnlyCertificateFile(): string {
  return join(TEST_ONLY_DIR, 'TEST-ONLY-trusted-signer.cert.pem');
}

/** A `wsse:Security` header with a freshly signed VIHF for this professional and patient. */
export function securityFor(pro: RunnerProfessional, signer: Signer, patientId?: PatientIdentifier, audience?: string): string {
  const assertion = issueVihf(
    {
      idNatPs: pro.idNatPs,
      profession: { code: pro.profession, codeSystem: '1.2.250.1.71.1.2.7' },
      ...(pro.specialty ? { specialty: { code: pro.specialty, codeSystem: '1.2.250.1.71.4.2.5' } } : {}),
      structureId: pro.structureId,
      subjectName: `${pro.given} ${pro.family}`,
      mode: pro.mode,
      ...(patientId ? { patientId } : {}),
      ...(audience ? { audience } : {}),
    },
    signer,
  );
  return securityHeader(assertion);
}
