// The terms of use (CGU) are versioned: at the first login after they change, the session may
// only accept them; the acceptance is kept on the account and traced. Two servers on one store
// stand for the deployment before and after the change.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { TestClock } from '../support/clock.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { openTestPglite } from '../support/stores.js';
import { newIns } from '../support/world.js';

const AGENT = { kind: 'support' as const, agentId: 'agent-cgu' };

describe('auth door: terms of use accepted at the next login after they change', () => {
  let db: Db;
  let sink: SmtpSink;
  const servers: RunningApp[] = [];
  const clock = new TestClock();
  const email = `cgu.${process.pid}@example.org`;

  const start = async (termsVersion: string) => {
    const s = await startTestApp(
      db,
      { CARNET_SMTP_HOST: '127.0.0.1', CARNET_SMTP_PORT: String(sink.port), CARNET_SMTP_FROM: 'no-reply@carnet.test', CARNET_PASSWORD_SCRYPT_COST: '14', CARNET_JOBS_INTERVAL_SECONDS: '0', CARNET_TERMS_VERSION: termsVersion },
      { clock },
    );
    servers.push(s);
    return s;
  };
  async function call(server: RunningApp, method: string, path: string, body?: unknown, token?: string) {
    const res = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, any> };
  }
  async function logIn(server: RunningApp, login: string, password: string) {
    const before = sink.messages.length;
    const started = await call(server, 'POST', '/auth/login', { login, password });
    expect(started.status).toBe(200);
    const [mail] = (await sink.waitFor(email, 1, (m) => sink.messages.indexOf(m) >= before && m.subject.includes('code de connexion'))).slice(-1);
    const v = await call(server, 'POST', '/auth/verify', { challengeId: started.json.challengeId, code: /\b(\d{6})\b/.exec(mail.text)![1] });
    expect(v.status).toBe(200);
    return v.json;
  }

  beforeAll(async () => {
    db = await openTestPglite();
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await sink?.close();
    await db?.close();
  });

  it('AUTH-03, CGU: the terms are asked after the temporary password, kept once accepted, and asked again when their version changes; each acceptance is traced', async () => {
    const v1 = await start('2026-01');
    const created = await v1.app.services.records.create({ actor: AGENT, channel: 'test' }, { identifiers: [newIns()], given: 'Inès', family: 'Roy', birthDate: '1979-02-11', consent: { givenBy: 'patient' } });
    const acc = await call(v1, 'POST', '/auth/accounts', { patientKey: created.patientKey, role: 'patient', email }, await v1.tokenFor(AGENT));
    expect(acc.status).toBe(201);
    // the temporary password comes first: that session only replaces it
    const first = await logIn(v1, acc.json.login, acc.json.temporaryPassword);
    expect(first).toMatchObject({ password_change_required: true, terms_acceptance_required: false });
    expect((await call(v1, 'POST', '/auth/password', { newPassword: 'les tilleuls de Vincennes' }, first.access_token)).status).toBe(204);

    // the next login asks for the terms: nothing else is open until they are accepted
    const second = await logIn(v1, acc.json.login, 'les tilleuls de Vincennes');
    expect(second).toMatchObject({ password_change_required: false, terms_acceptance_required: true, terms_version: '2026-01' });
    const blocked = await call(v1, 'GET', `/fhir/Patient/${created.patientKey}/$home`, undefined, second.access_token);
    expect(blocked.status).toBe(403);
    expect((await call(v1, 'GET', '/auth/contact', undefined, second.access_token)).json.error).toBe('terms_acceptance_required');
    expect((await call(v1, 'POST', '/auth/terms', { version: '2025-06' }, second.access_token)).status).toBe(422);
    const accepted = await call(v1, 'POST', '/auth/terms', { version: '2026-01' }, second.access_token);
    expect(accepted.status).toBe(200);
    expect((await call(v1, 'GET', `/fhir/Patient/${created.patientKey}/$home`, undefined, accepted.json.access_token)).status).toBe(200);
    expect((await logIn(v1, acc.json.login, 'les tilleuls de Vincennes')).terms_acceptance_required).toBe(false);

    // the terms change: the next login asks again
    const v2 = await start('2026-09');
    const third = await logIn(v2, acc.json.login, 'les tilleuls de Vincennes');
    expect(third).toMatchObject({ terms_acceptance_required: true, terms_version: '2026-09' });
    expect((await call(v2, 'POST', '/auth/terms', { version: '2026-09' }, third.access_token)).status).toBe(200);

    const trace = await db.query<{ outcome: string; details: { version?: string } }>(
      "SELECT outcome, details FROM access_trace WHERE chain_key = $1 AND action = 'auth.terms.accept' ORDER BY seq",
      [created.patientKey],
    );
    expect(trace.rows.map((r) => [r.outcome, r.details.version])).toEqual([
      ['failure', '2025-06'],
      ['success', '2026-01'],
      ['success', '2026-09'],
    ]);
  });
});
