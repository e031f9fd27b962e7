// Helpers for the patient access tests: services with a cheap scrypt cost and chosen limits,
// the codes read back from the outbox (outbox-only channels), accounts ready to log in.
import { expect } from '@jest/globals';
import { codeMatches } from '../../src/auth/codes.js';
import type { PatientAccessOptions } from '../../src/services/patient-access.js';
import { createServices, type Services } from '../../src/services/index.js';
import type { Db } from '../../src/store/db.js';
import { TestClock } from './clock.js';
import { makeWorld, type World } from './world.js';

export const SUPPORT = { actor: { kind: 'support' as const, agentId: 'agent-7' }, channel: 'test' as const };
export const ORIGIN = { address: '198.51.100.7', requestId: 'req-test' };

/** A known code secret, so that tests can tell which message carries which challenge's code. */
export const TEST_CODE_SECRET = Buffer.alloc(32, 7);

export async function accessWorld(db: Db, access: PatientAccessOptions = {}, clock = new TestClock()): Promise<World> {
  const w = await makeWorld(db, clock);
  const services: Services = createServices(w.services.deps, { access: { scryptLog2N: 14, codeSecret: TEST_CODE_SECRET, ...access } });
  return { ...w, services };
}

/** Messages a test's own sender was handed: where a code is once the outbox has sent it. */
export type Delivered = readonly { recipient: string; body: string }[];

/**
 * The code of this challenge, found among the login_code messages to this recipient. A world
 * with a sender races the outbox's own round (kicked after the commit), which wipes the code
 * from the row once sent (AUTH-06): the code is then read from what the sender was handed.
 */
export async function lastCode(services: Services, recipient: string, challengeId: string, delivered: Delivered = []): Promise<string> {
  const rows = await services.outbox.list({ recipient, kind: 'login_code' });
  expect(rows.length).toBeGreaterThan(0);
  const stored = await services.deps.db.query<{ code_hmac: string }>('SELECT code_hmac FROM auth_challenge WHERE challenge_id = $1', [challengeId]);
  const bodies = [...rows.map((r) => r.body), ...delivered.filter((m) => m.recipient === recipient).map((m) => m.body)];
  const codes = bodies.map((b) => /\b(\d{6})\b/.exec(b)?.[1]).filter((c): c is string => !!c);
  const code = codes.find((c) => codeMatches(TEST_CODE_SECRET, challengeId, c, stored.rows[0]?.code_hmac ?? ''));
  if (!code) throw new Error(`no message to ${recipient} carries the code of challenge ${challengeId}`);
  return code;
}

let n = 0;
/** A unique e-mail address per call, so tests on one database do not read each other's codes. */
export function mailbox(name = 'patient'): string {
  n += 1;
  return `${name}.${process.pid}.${n}.${Date.now()}@example.org`;
}

/** A patient account whose temporary password has been replaced by `password`. */
export async function activeAccount(
  w: World,
  patientKey: string,
  email: string,
  password = 'correct horse battery',
  delivered: Delivered = [],
): Promise<{ login: string; password: string; accountId: string }> {
  const s = w.services;
  const issued = await s.accounts.create(SUPPORT, { patientKey, role: 'patient', email });
  const ch = await s.login.start({ login: issued.login, password: issued.temporaryPassword }, ORIGIN);
  const session = await s.login.verify({ challengeId: ch.challengeId, code: await lastCode(s, email, ch.challengeId, delivered) }, ORIGIN);
  const caller = { actor: { kind: 'patient' as const, patientKey, accountId: issued.accountId }, channel: 'test' as const };
  expect(session.passwordChangeRequired).toBe(true);
  await s.accounts.changePassword(caller, { newPassword: password, temporarySession: true });
  return { login: issued.login, password, accountId: issued.accountId };
}
