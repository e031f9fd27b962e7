// `carnet seed`: loads the demo record and directory (idempotent), then prints how to query it.
import { createCore } from '../core.js';
import { loadConfig } from '../config/config.js';
import { isCarnetError } from '../domain/errors.js';
import type { IssuedCredentials } from '../services/accounts.js';
import type { Caller } from '../services/deps.js';
import type { Services } from '../services/index.js';
import type { Command } from './commands.js';
import { DEMO_INS, DEMO_PROFESSIONALS, DEMO_STRUCTURES, DEMO_SUBMISSIONS } from './demo-data.js';

/** Loads the demo directory and record through the services; the record's key, and whether it was new. */
export async function loadDemo(s: Services): Promise<{ patientKey: string; created: boolean }> {
  for (const st of DEMO_STRUCTURES) await s.directory.putStructure(st);
  for (const p of DEMO_PROFESSIONALS) await s.directory.putProfessional(p);
  const existing = await s.records.lookup(DEMO_INS);
  if (existing) return { patientKey: existing, created: false };
  const support: Caller = { actor: { kind: 'support', agentId: 'carnet-seed' }, channel: 'cli' };
  const { patientKey } = await s.records.create(support, {
    identifiers: [DEMO_INS],
    given: 'Jeanne',
    family: 'Démo',
    gender: 'female',
    birthDate: '1980-05-17',
    consent: { givenBy: 'patient' },
  });
  const patient: Caller = { actor: { kind: 'patient', patientKey }, channel: 'cli' };
  // Dr Martin's hospital is authorised (care team), Dr Leroy personally; the nurse is a member of the hospital.
  await s.consent.addGrant(patient, patientKey, { subjectKind: 'structure', subjectId: '1750000001', effect: 'permit' });
  await s.consent.addGrant(patient, patientKey, { subjectKind: 'professional', subjectId: '810000000002', effect: 'permit' });
  await s.consent.addGrant(patient, patientKey, { subjectKind: 'professional', subjectId: '810000000005', effect: 'permit' });
  await s.consent.designateMedecinTraitant(patient, patientKey, '810000000002');
  for (const sub of DEMO_SUBMISSIONS) {
    const pro = DEMO_PROFESSIONALS.find((p) => p.id_nat_ps === sub.by)!;
    const by: Caller = {
      actor: { kind: 'professional', idNatPs: pro.id_nat_ps, profession: pro.profession, specialty: pro.specialty ?? undefined, structureId: pro.structure_id, mode: 'normal', given: pro.given, family: pro.family },
      channel: 'cli',
    };
    await s.submissions.submit(by, sub.request);
  }
  return { patientKey, created: true };
}

/** Where the demo patient's login codes go (read at /dev/outbox in development mode). */
export const DEMO_EMAIL = 'jeanne.demo@example.org';

/**
 * The demo patient's internet account: created with the record, or given a new temporary
 * password through the support flow on a later run (the first one was shown once only).
 */
export async function demoLogin(s: Services, patientKey: string): Promise<IssuedCredentials> {
  const support: Caller = { actor: { kind: 'support', agentId: 'carnet-seed' }, channel: 'cli' };
  try {
    return await s.accounts.create(support, { patientKey, role: 'patient', email: DEMO_EMAIL });
  } catch (e) {
    if (!(isCarnetError(e) && e.reason === 'account_exists')) throw e;
  }
  const { requestId } = await s.support.request(
    { family: 'Démo', given: 'Jeanne', identifier: DEMO_INS, email: DEMO_EMAIL, message: 'carnet seed: new demo credentials' },
    { address: '127.0.0.1', requestId: 'carnet-seed', channel: 'cli' },
  );
  const issued = await s.support.handle(support, requestId, { decision: 'issue', patientKey });
  if (!('login' in issued)) throw new Error('the support flow did not issue credentials');
  return issued;
}

export const seedCommand: Command = {
  async run() {
    const config = loadConfig();
    const app = await createCore({ ...config, logLevel: 'warn' });
    try {
      const { patientKey, created } = await loadDemo(app.services);
      if (created) {
        console.log(`demo record created: Patient/${patientKey} (INS ${DEMO_INS.value}), ${DEMO_SUBMISSIONS.length} documents, ${DEMO_PROFESSIONALS.length} professionals`);
      } else {
        console.log(`demo record already there: Patient/${patientKey}`);
      }
      const { login, temporaryPassword } = await demoLogin(app.services, patientKey);
      console.log(`demo patient login (web page at /): login ${login}, temporary password ${temporaryPassword}`);
      console.log(`  the one-time code is mailed to ${DEMO_EMAIL}; without a mail server, read it at /dev/outbox (CARNET_DEV_MODE=true)`);
      console.log('see the README ("Try it") for the page, tokens and requests');
    } finally {
      await app.close();
    }
  },
};
