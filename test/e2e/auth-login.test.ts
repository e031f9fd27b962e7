// The login on a real port, with a real SMTP server receiving the codes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { TestClock } from '../support/clock.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { openTestPglite } from '../support/stores.js';
import { newIns } from '../support/world.js';

const SUPPORT_ACTOR = { kind: 'support' as const, agentId: 'agent-e2e' };

interface Answer {
  status: number;
  text: string;
  json: Record<string, unknown>;
  headers: Headers;
}

describe('auth door: login with a one-time code by e-mail', () => {
  let db: Db;
  let sink: SmtpSink;
  let server: RunningApp;
  const clock = new TestClock();
  const logLines: string[] = [];
  let mailCount = 0;

  async function call(method: string, path: string, body?: unknown, token?: string): Promise<Answer> {
    const res = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // not JSON (e.g. a FHIR XML answer)
    }
    return { status: res.status, text, json, headers: res.headers };
  }

  /** A new record and an account on it, issued by a support agent over HTTP. */
  async function newAccount(): Promise<{ patientKey: string; email: string; login: string; temporaryPassword: string }> {
    const { patientKey } = await server.app.services.records.create(
      { actor: SUPPORT_ACTOR, channel: 'test' },
      { identifiers: [newIns()], given: 'Camille', family: 'Bernard', birthDate: '1979-11-03', consent: { givenBy: 'patient' } },
    );
    mailCount += 1;
    const email = `camille.${mailCount}@example.org`;
    const res = await call('POST', '/auth/accounts', { patientKey, role: 'patient', email }, await server.tokenFor(SUPPORT_ACTOR));
    expect(res.status).toBe(201);
    return { patientKey, email, login: res.json.login as string, temporaryPassword: res.json.temporaryPassword as string };
  }

  /** Waits for the n-th code mail to this address and reads the code in it. */
  async function codeSent(email: string, nth: number): Promise<string> {
    const codes = await sink.until((all) => {
      const got = all.filter((m) => m.to.includes(email) && m.subject.includes('code de connexion')).map((m) => /\b(\d{6})\b/.exec(m.text)?.[1] ?? '');
      return got.length >= nth ? got : undefined;
    });
    expect(codes.length).toBeGreaterThanOrEqual(nth);
    expect(codes[nth - 1]).toMatch(/^\d{6}$/);
    return codes[nth - 1];
  }

  beforeAll(async () => {
    db = await openTestPglite();
    sink = await startSmtpSink();
    const logger = pino(
      { level: 'trace' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          logLines.push(chunk.toString('utf8'));
          done();
        },
      }),
    );
    server = await startTestApp(
      db,
      {
        CARNET_SMTP_HOST: '127.0.0.1',
        CARNET_SMTP_PORT: String(sink.port),
        CARNET_SMTP_FROM: 'Carnet DMP <no-reply@carnet.test>',
        CARNET_PASSWORD_SCRYPT_COST: '14',
        CARNET_JOBS_INTERVAL_SECONDS: '0',
      },
      { clock, logger },
    );
  });
  afterAll(async () => {
    await server?.close();
    await sink?.close();
    await db?.close();
  });

  it('DMP-03 / AUTH-01 / AUTH-03 / AUTH-06: first login with the temporary password, forced change, code by mail, a token the FHIR door accepts; no secret in the logs', async () => {
    const a = await newAccount();
    const secrets: string[] = [a.temporaryPassword];

    const first = await call('POST', '/auth/login', { login: a.login, password: a.temporaryPassword });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ channel: 'email', expiresIn: 300 });
    expect(first.headers.get('cache-control')).toBe('no-store');
    const code1 = await codeSent(a.email, 1);
    secrets.push(code1);
    const mail = sink.messages.find((m) => m.to.includes(a.email))!;
    expect(mail.from).toBe('no-reply@carnet.test');
    expect(mail.subject).toContain('code de connexion');

    const v1 = await call('POST', '/auth/verify', { challengeId: first.json.challengeId, code: code1 });
    expect(v1.status).toBe(200);
    expect(v1.json).toMatchObject({ token_type: 'Bearer', password_change_required: true });
    const temporaryToken = v1.json.access_token as string;
    secrets.push(temporaryToken);

    // AUTH-03: the temporary session is refused everywhere but the password change
    const refused = await call('GET', `/fhir/DocumentReference?patient=Patient/${a.patientKey}`, undefined, temporaryToken);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('temporary password');
    expect((await call('GET', '/auth/contact', undefined, temporaryToken)).status).toBe(403);
    const weak = await call('POST', '/auth/password', { newPassword: 'abc' }, temporaryToken);
    expect(weak.status).toBe(422);
    expect(weak.json.error).toBe('password_policy');
    const newPassword = 'mon jardin fleurit en avril';
    secrets.push(newPassword);
    expect((await call('POST', '/auth/password', { newPassword }, temporaryToken)).status).toBe(204);

    // the new password, a new code, a full session
    const second = await call('POST', '/auth/login', { login: a.login, password: newPassword });
    expect(second.status).toBe(200);
    const code2 = await codeSent(a.email, 2);
    // the holder is told of the change, by mail
    expect((await sink.waitFor(a.email, 3)).some((m) => m.subject.includes('mot de passe'))).toBe(true);
    secrets.push(code2);
    const v2 = await call('POST', '/auth/verify', { challengeId: second.json.challengeId, code: code2 });
    expect(v2.status).toBe(200);
    expect(v2.json.password_change_required).toBe(false);
    // the session's context: the record it opens and who holds it, as SMART's token response
    expect(v2.json).toMatchObject({ patient: a.patientKey, holder: { role: 'patient' } });
    const token = v2.json.access_token as string;
    secrets.push(token);
    const { actor } = await server.app.verifier.verify(token);
    expect(actor).toMatchObject({ kind: 'patient', patientKey: a.patientKey });
    const docs = await call('GET', `/fhir/DocumentReference?patient=Patient/${a.patientKey}`, undefined, token);
    expect(docs.status).toBe(200);
    expect(docs.json.resourceType).toBe('Bundle');

    // AUTH-06: the whole flow left log lines, and none holds a password, a code or a token
    const logs = logLines.join('');
    expect(logs).toContain('/auth/verify');
    for (const secret of secrets) expect(logs).not.toContain(secret);
    expect(logs).not.toContain(a.temporaryPassword.replace(/-/g, ''));
  });

  it('AUTH-02: three wrong passwords lock the account for 15 minutes, then it logs in again; answers never say which', async () => {
    const a = await newAccount();
    const bodies: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await call('POST', '/auth/login', { login: a.login, password: `not the password ${i}` });
      expect(r.status).toBe(401);
      bodies.push(r.text);
    }
    const locked = await call('POST', '/auth/login', { login: a.login, password: a.temporaryPassword });
    expect(locked.status).toBe(401);
    expect(new Set([...bodies, locked.text]).size).toBe(1);
    expect(locked.json.error).toBe('invalid_credentials');
    clock.advance(15 * 60_000 + 1000);
    const after = await call('POST', '/auth/login', { login: a.login, password: a.temporaryPassword });
    expect(after.status).toBe(200);
  });

  it('AUTH-02: an unknown login and a wrong password give the same status and body', async () => {
    const a = await newAccount();
    const unknown = await call('POST', '/auth/login', { login: 'nobody-here-1234', password: 'some password here' });
    const wrong = await call('POST', '/auth/login', { login: a.login, password: 'some password here' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(unknown.status);
    expect(wrong.text).toBe(unknown.text);
    expect(wrong.headers.get('www-authenticate')).toBe(unknown.headers.get('www-authenticate'));
  });

  it('AUTH-01: a code is refused after 5 minutes, used once only, and dead after 3 wrong tries', async () => {
    const a = await newAccount();
    let n = 0;
    const login = async () => {
      const r = await call('POST', '/auth/login', { login: a.login, password: a.temporaryPassword });
      expect(r.status).toBe(200);
      n += 1;
      return { challengeId: r.json.challengeId as string, code: await codeSent(a.email, n) };
    };
    const late = await login();
    clock.advance(5 * 60_000 + 1000);
    const expired = await call('POST', '/auth/verify', late);
    expect(expired.status).toBe(401);
    expect(expired.json.error).toBe('invalid_code');

    const tried = await login();
    const wrong = tried.code === '999999' ? '000000' : '999999';
    for (let i = 0; i < 3; i++) expect((await call('POST', '/auth/verify', { ...tried, code: wrong })).status).toBe(401);
    expect((await call('POST', '/auth/verify', tried)).status).toBe(401);

    const good = await login();
    expect((await call('POST', '/auth/verify', good)).status).toBe(200);
    expect((await call('POST', '/auth/verify', good)).status).toBe(401);
  });

  it('answers malformed requests with JSON errors that never echo the body', async () => {
    const res = await fetch(`${server.baseUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"login":"x","password":"hunter2-secret' });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ error: 'invalid_request' });
    expect(text).not.toContain('hunter2');
    const missing = await call('POST', '/auth/login', { login: 'only-a-login' });
    expect(missing.status).toBe(400);
    expect((await call('GET', '/auth/contact')).status).toBe(401);
  });
});
