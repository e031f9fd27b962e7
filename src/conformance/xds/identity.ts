// Who the runner is on the wire: one professional, whose VIHF names the patient the request is
// about. As a real client keeps its assertion for a session, each signed one is sent again for a
// few minutes, then signed afresh (so a long run never sends an expired assertion).
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

/** How long a signed VIHF is sent again: well inside its hour of validity (and its clock skew). */
const REUSE_MS = 5 * 60_000;

/**
 * The runner's `wsse:Security` headers, one signed VIHF per patient kept for REUSE_MS. Signing
 * (and the server's check of a signature it has not seen) cost about a third of a run's CPU when
 * every request carried a new assertion; what each request proves about the XDS door is the same.
 */
export class RunnerAssertions {
  private readonly kept = new Map<string, { header: string; signedAt: number }>();

  constructor(
    private readonly pro: RunnerProfessional,
    private readonly signer: Signer,
    private readonly audience?: string,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The header for a request about this patient (or about none). */
  securityFor(patientId?: PatientIdentifier): string {
    const key = patientId ? `${patientId.system}|${patientId.value}` : '';
    const now = this.clock();
    const k = this.kept.get(key);
    if (k && now - k.signedAt < REUSE_MS) return k.header;
    const header = securityFor(this.pro, this.signer, patientId, this.audience);
    this.kept.set(key, { header, signedAt: now });
    return header;
  }
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
