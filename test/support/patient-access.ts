// Helpers for the patient access tests: services with a cheap scrypt cost and chosen limits,
// the codes read back from the outbox (outbox-only channels), accounts ready to log in.
import { expect } from '@jest/globals';
import type { PatientAccessOptions } from '../../src/services/patient-access.js';
import { createServices, type Services } from '../../src/services/index.js';
import type { Db } from '../../src/store/db.js';
import { TestClock } from './clock.js';
import { makeWorld, type World } from './world.js';

export const SUPPORT = { actor: { kind: 'support' as const, agentId: 'agent-7' }, channel: 'test' as const };
export const ORIGIN = { address: '198.51.100.7', requestId: 'req-test' };

export async function accessWorld(db: Db, access: PatientAccessOptions = {}, clock = new TestClock()): Promise<World> {
  const w = await makeWorld(db, clock);
  const services: Services = createServices(w.services.deps, { access: { scryptLog2N: 14, ...access } });
  return { ...w, services };
}

/** The code of the latest login_code message to this recipient. */
export async function lastCode(services: Services, recipient: string): Promise<string> {
  const rows = await services.outbox.list({ recipient, kind: 'login_code' });
  expect(rows.length).toBeGreaterThan(0);
  const m = /\b(\d{6})\b/.exec(rows[rows.length - 1].body);
  if (!m) throw new Error('no code in the last message');
  return m[1];
}

let n = 0;
/** A unique e-mail address per call, so tests on one database do not read each other's codes. */
export function mailbox(name = 'patient'): string {
  n += 1;
  return `${name}.${process.pid}.${n}.${Date.now()}@example.org`;
}

/** A patient account whose temporary password has been replaced by `password`. */
export async function activeAccount(w: World, patientKey: string, email: string, password = 'correct horse battery'): Promise<{ login: string; password: string; accountId: string }> {
  const s = w.services;
  const issued = await s.accounts.create(SUPPORT, { patientKey, role: 'patient', email });
  const ch = await s.login.start({ login: issued.login, password: issued.temporaryPassword }, ORIGIN);
  const session = await s.login.verify({ challengeId: ch.challengeId, code: await lastCode(s, email) }, ORIGIN);
  const caller = { actor: { kind: 'patient' as const, patientKey, accountId: issued.accountId }, channel: 'test' as const };
  expect(session.passwordChangeRequired).toBe(true);
  await s.accounts.changePassword(caller, { newPassword: password, temporarySession: true });
  return { login: issued.login, password, accountId: issued.accountId };
}
