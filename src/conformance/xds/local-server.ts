// In-process mode: the toolkit's patient feeds become record creations through Carnet's own
// services, after which the patient authorises the runner's professional. `startLocalServer`
// serves a fresh embedded store on an ephemeral port, for `carnet conformance xds` without --base.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createApp } from '../../app.js';
import { loadConfig } from '../../config/config.js';
import type { PatientIdentifier } from '../../domain/model.js';
import type { Caller, Services } from '../../services/index.js';
import { DEFAULT_PROFESSIONAL, testOnlyCertificateFile, type RunnerProfessional } from './identity.js';

const DESK: Caller = { actor: { kind: 'support', agentId: 'xds-conformance' }, channel: 'cli' };

/** Puts the runner's professional and structure in the directory (idempotent). */
export async function ensureDirectory(services: Services, pro: RunnerProfessional = DEFAULT_PROFESSIONAL): Promise<void> {
  await services.directory.putStructure({ structure_id: pro.structureId, name: 'Banc de conformité XDS', activity_sector: 'SA01', address: null });
  await services.directory.putProfessional({
    id_nat_ps: pro.idNatPs,
    given: pro.given,
    family: pro.family,
    profession: pro.profession,
    specialty: pro.specialty ?? null,
    structure_id: pro.structureId,
    telecom: null,
  });
}

/** A `registerPatient` that opens the patient's record and authorises the runner's professional. */
export function serviceRegistrar(services: Services, pro: RunnerProfessional = DEFAULT_PROFESSIONAL): (p: PatientIdentifier) => Promise<void> {
  let directory: Promise<void> | undefined;
  return async (patient) => {
    directory ??= ensureDirectory(services, pro);
    await directory;
    const { patientKey } = await services.records.create(DESK, {
      identifiers: [patient],
      given: 'Patient',
      family: 'Conformité',
      birthDate: '1970-01-01',
      consent: { givenBy: 'patient' },
    });
    const self: Caller = { actor: { kind: 'patient', patientKey }, channel: 'cli' };
    await services.consent.addGrant(self, patientKey, { subjectKind: 'professional', subjectId: pro.idNatPs, effect: 'permit' });
  };
}

export interface LocalServer {
  base: string;
  registerPatient: (p: PatientIdentifier) => Promise<void>;
  close(): Promise<void>;
}

/** A development-mode Carnet on 127.0.0.1:<ephemeral>, on a new embedded store, trusting the TEST-ONLY signer. */
export async function startLocalServer(pro: RunnerProfessional = DEFAULT_PROFESSIONAL, certificateFile = testOnlyCertificateFile()): Promise<LocalServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'carnet-xds-conformance-'));
  const config = {
    ...loadConfig({
      CARNET_DATA_DIR: dataDir,
      CARNET_LOG_LEVEL: 'silent',
      CARNET_DEV_MODE: 'true',
      CARNET_VIHF_TRUSTED_CERTS: certificateFile,
      CARNET_PROFILES_DIR: process.env.CARNET_PROFILES_DIR ?? 'profiles',
    }),
    host: '127.0.0.1',
    port: 0,
  };
  const app = await createApp(config, { logger: pino({ level: 'silent' }) });
  const base = await app.http.listen({ host: '127.0.0.1', port: 0 });
  app.config.publicUrl = base;
  return {
    base,
    registerPatient: serviceRegistrar(app.services, pro),
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
