// Support flow, contact settings, alerts and the jobs on a real port, with a real SMTP server.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runJobs } from '../../src/services/jobs.js';
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from '../support/app.js';
import { useCarnetProcesses } from '../support/cli.js';
import { fillMigratedDataDir } from '../support/data-dir-template.js';
import { TestClock } from '../support/clock.js';
import { loginCodes, startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { openTestPglite } from '../support/stores.js';
import { newIns, proActor, submission } from '../support/world.js';

const carnet = useCarnetProcesses();

const AGENT = { kind: 'support' as const, agentId: 'agent-42' };

describe('auth door: support, contact, alerts and jobs', () => {
  let db: Db;
  let sink: SmtpSink;
  let server: RunningApp;
  const clock = new TestClock();
  let n = 0;

  async function call(method: string, path: string, body?: unknown, token?: string) {
    const res = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, any> };
  }

  function address(name: string): string {
    n += 1;
    return `${name}.${n}@example.org`;
  }

  /** Logs in through both steps, reading the code from the SMTP sink; returns the token. */
  async function logIn(login: string, password: string, email: string): Promise<{ token: string; temporary: boolean }> {
    const before = sink.messages.filter((m) => m.to.includes(email)).length;
    const start = await call('POST', '/auth/login', { login, password });
    expect(start.status).toBe(200);
    const [code] = await loginCodes(sink, email, before);
    const v = await call('POST', '/auth/verify', { challengeId: start.json.challengeId, code });
    expect(v.status).toBe(200);
    return { token: v.json.access_token, temporary: v.json.password_change_required };
  }

  async function newRecord(over: Record<string, unknown> = {}) {
    const ins = newIns();
    const created = await server.app.services.records.create(
      { actor: AGENT, channel: 'test' },
      { identifiers: [ins], given: 'Nina', family: 'Moreau', birthDate: '1985-07-14', consent: { givenBy: 'patient' }, ...over },
    );
    return { ...created, ins };
  }

  beforeAll(async () => {
    db = await openTestPglite();
    sink = await startSmtpSink();
    server = await startTestApp(
      db,
      {
        CARNET_SMTP_HOST: '127.0.0.1',
        CARNET_SMTP_PORT: String(sink.port),
        CARNET_SMTP_FROM: 'no-reply@carnet.test',
        CARNET_PASSWORD_SCRYPT_COST: '14',
        CARNET_JOBS_INTERVAL_SECONDS: '0',
      },
      { clock },
    );
  });
  afterAll(async () => {
    await server?.close();
    await sink?.close();
    await db?.close();
  });

  it('AUTH-04: support lists account and intervention requests apart from lost credentials; an unknown kind is refused', async () => {
    const agentToken = await server.tokenFor(AGENT);
    const account = await call('POST', '/auth/support/requests', { kind: 'account', family: 'Lemoine', email: address('lemoine'), message: 'je voudrais un accès internet à mon DMP' });
    const intervention = await call('POST', '/auth/support/requests', { kind: 'intervention', family: 'Lemoine', email: address('lemoine'), message: 'fermer mon DMP' });
    expect([account.status, intervention.status]).toEqual([202, 202]);
    expect((await call('POST', '/auth/support/requests', { kind: 'autre', family: 'X', email: address('x') })).status).toBe(400);
    const ids = async (kind: string) => ((await call('GET', `/auth/support/requests?kind=${kind}`, undefined, agentToken)).json.requests as Array<{ requestId: string; kind: string }>);
    const accounts = await ids('account');
    expect(accounts.map((r) => r.requestId)).toContain(account.json.requestId);
    expect(accounts.every((r) => r.kind === 'account')).toBe(true);
    expect((await ids('intervention')).map((r) => r.requestId)).toEqual([intervention.json.requestId]);
    expect((await call('GET', '/auth/support/requests?kind=autre', undefined, agentToken)).status).toBe(400);
  });

  it('PAT-07: support lists open copy requests, records their handling and closure on the record\'s trace; the patient sees each state', async () => {
    const { patientKey } = await newRecord();
    const patient = await server.tokenFor({ kind: 'patient', patientKey });
    const agentToken = await server.tokenFor(AGENT);
    const asked = await server.app.services.copyRequests.request({ actor: { kind: 'patient', patientKey }, channel: 'test' }, patientKey, { reason: 'pour mon dossier', delivery: 'postal', address: '3 rue des Lilas, Lyon' });
    const state = async () => (await call('GET', '/auth/copy-requests', undefined, patient)).json.requests[0];
    expect(await state()).toMatchObject({ requestId: asked.requestId, status: 'open', handledBy: null });

    const open = await call('GET', '/auth/support/copy-requests?status=open', undefined, agentToken);
    expect(open.status).toBe(200);
    expect(open.json.requests.find((r: { requestId: string }) => r.requestId === asked.requestId)).toMatchObject({ patientKey, delivery: 'postal', parts: ['documents', 'history', 'authorisations'] });
    // the patient is not the support desk
    expect((await call('GET', '/auth/support/copy-requests', undefined, patient)).status).toBe(403);
    expect((await call('POST', `/auth/support/copy-requests/${patientKey}/${asked.requestId}`, { status: 'handled' }, patient)).status).toBe(403);

    const taken = await call('POST', `/auth/support/copy-requests/${patientKey}/${asked.requestId}`, { status: 'in_progress', note: 'identité vérifiée' }, agentToken);
    expect(taken.json).toMatchObject({ status: 'in_progress', handledBy: AGENT.agentId, note: 'identité vérifiée' });
    expect(await state()).toMatchObject({ status: 'in_progress', note: 'identité vérifiée' });
    const inProgress = await call('GET', '/auth/support/copy-requests?status=in_progress', undefined, agentToken);
    expect(inProgress.json.requests.map((r: { requestId: string }) => r.requestId)).toContain(asked.requestId);
    const done = await call('POST', `/auth/support/copy-requests/${patientKey}/${asked.requestId}`, { status: 'handled', note: 'envoyée par courrier' }, agentToken);
    expect(done.json).toMatchObject({ status: 'handled', handledAt: expect.stringMatching(/^\d{4}-/) });
    expect(await state()).toMatchObject({ status: 'handled', note: 'envoyée par courrier' });
    // closed is closed; bad input is a clear 400
    expect((await call('POST', `/auth/support/copy-requests/${patientKey}/${asked.requestId}`, { status: 'rejected' }, agentToken)).status).toBe(409);
    expect((await call('POST', `/auth/support/copy-requests/${patientKey}/${asked.requestId}`, { status: 'perdu' }, agentToken)).status).toBe(400);
    const trace = await db.query<{ action: string; outcome: string; details: { status?: string } }>(
      "SELECT action, outcome, details FROM access_trace WHERE chain_key = $1 AND action = 'record.copy_request.handle' ORDER BY seq",
      [patientKey],
    );
    expect(trace.rows.map((r) => [r.outcome, r.details.status])).toEqual([
      ['denied', 'handled'],
      ['success', 'in_progress'],
      ['success', 'handled'],
      ['failure', 'rejected'],
    ]);
  });

  it('AUTH-04: a lost-credentials request, handled by a support agent, gives a new temporary password that must be replaced', async () => {
    const { patientKey, ins } = await newRecord();
    const email = address('nina');
    const agentToken = await server.tokenFor(AGENT);
    const acc = await call('POST', '/auth/accounts', { patientKey, role: 'patient', email }, agentToken);
    expect(acc.status).toBe(201);

    const req = await call('POST', '/auth/support/requests', { family: 'Moreau', given: 'Nina', birthDate: '1985-07-14', identifier: ins, email });
    expect(req.status).toBe(202);
    expect(Object.keys(req.json).sort()).toEqual(['requestId', 'status']);
    const unknown = await call('POST', '/auth/support/requests', { family: 'Personne', identifier: { system: ins.system, value: '9999999999999' }, email: address('x') });
    expect(unknown.status).toBe(202);
    expect(Object.keys(unknown.json).sort()).toEqual(['requestId', 'status']);

    const list = await call('GET', '/auth/support/requests', undefined, agentToken);
    expect(list.status).toBe(200);
    const listed = list.json.requests.find((r: { requestId: string }) => r.requestId === req.json.requestId);
    // camelCase, as every other answer of /auth
    expect(listed).toEqual({
      requestId: req.json.requestId,
      status: 'open',
      kind: 'credentials',
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      channel: expect.any(String),
      loginHint: null,
      details: expect.objectContaining({ family: 'Moreau', given: 'Nina', birthDate: '1985-07-14' }),
      patientKey: expect.anything(),
      handledBy: null,
      handledAt: null,
    });
    const patientToken = await server.tokenFor({ kind: 'patient', patientKey });
    expect((await call('GET', '/auth/support/requests', undefined, patientToken)).status).toBe(403);
    expect((await call('POST', `/auth/support/requests/${req.json.requestId}/handle`, { decision: 'issue' }, patientToken)).status).toBe(403);

    const handled = await call('POST', `/auth/support/requests/${req.json.requestId}/handle`, { decision: 'issue' }, agentToken);
    expect(handled.status).toBe(200);
    expect(handled.json).toMatchObject({ login: acc.json.login, created: false });
    expect(handled.json.temporaryPassword).not.toBe(acc.json.temporaryPassword);
    expect((await call('POST', '/auth/login', { login: acc.json.login, password: acc.json.temporaryPassword })).status).toBe(401);
    const s = await logIn(handled.json.login, handled.json.temporaryPassword, email);
    expect(s.temporary).toBe(true);
    expect((await call('POST', `/auth/support/requests/${req.json.requestId}/handle`, { decision: 'issue' }, agentToken)).status).toBe(409);

    // TRACE-03 / TRACE-05: the patient reads the handling in the record's history; the request,
    // filed by someone not established, is on the server's security log only
    const trace = await db.query<{ action: string; actor_kind: string }>(
      // (the agent's listings of the requests are on the chain too: lock-support-desk proves them)
      "SELECT action, actor_kind FROM access_trace WHERE chain_key = $1 AND action LIKE 'auth.support.%' AND action <> 'auth.support.list' AND outcome = 'success' ORDER BY seq",
      [patientKey],
    );
    expect(trace.rows).toEqual([{ action: 'auth.support.handle', actor_kind: 'support' }]);
    const logged = await db.query<{ operation: string }>("SELECT operation FROM security_log WHERE claims->>'supportRequest' = $1", [req.json.requestId]);
    expect(logged.rows).toEqual([{ operation: 'auth.support.request' }]);
  });

  it('AUTH-05 / PAT-03: the logged-in patient changes the code address and sets an alert address; a deposit sends the alert by mail', async () => {
    const { patientKey, ins } = await newRecord();
    const email = address('old');
    const agentToken = await server.tokenFor(AGENT);
    const acc = await call('POST', '/auth/accounts', { patientKey, role: 'patient', email }, agentToken);
    const first = await logIn(acc.json.login, acc.json.temporaryPassword, email);
    const password = 'un mot de passe bien à moi';
    expect((await call('POST', '/auth/password', { newPassword: password }, first.token)).status).toBe(204);
    const { token } = await logIn(acc.json.login, password, email);

    const fresh = address('new');
    const alerts = address('alerts');
    const put = await call('PUT', '/auth/contact', { email: fresh, alertEmail: alerts }, token);
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ email: fresh, alertEmail: alerts, codeChannel: 'email', passwordTemporary: false });
    expect((await call('GET', '/auth/contact', undefined, token)).json.email).toBe(fresh);
    expect((await sink.waitFor(email, 4)).some((m) => m.subject.includes('coordonnées'))).toBe(true);
    const bad = await call('PUT', '/auth/contact', { phone: '12' }, token);
    expect(bad.status).toBe(400);
    expect(bad.json.error).toBe('invalid_contact');
    // the next code goes to the new address
    await logIn(acc.json.login, password, fresh);

    await server.app.services.submissions.submit({ actor: proActor('doctor'), channel: 'test' }, submission(ins));
    await runJobs(server.app.services);
    const [alert] = await sink.waitFor(alerts, 1);
    expect(alert.subject).toBe('Nouveau document dans votre DMP');
    expect(alert.text).toContain('Un nouveau document');
  });

  it('MIN-03: the jobs mail the legal representative one month before majority, exactly once', async () => {
    clock.set('2026-05-10T08:00:00Z');
    const parent = address('parent');
    await newRecord({
      given: 'Tom',
      birthDate: '2008-06-10',
      representatives: [{ relationship: 'parent', family: 'Moreau', given: 'Paul', email: parent }],
      consent: { givenBy: 'legal_representative', representativeIndex: 0 },
    });
    const r1 = await runJobs(server.app.services);
    const r2 = await runJobs(server.app.services);
    expect(r1.errors).toEqual([]);
    expect(r1.majority?.noticed).toBe(1);
    expect(r2.majority?.noticed).toBe(0);
    await sink.waitFor(parent, 1);
    // The outbox marks a message sent just after the SMTP server's answer: once every message to
    // the parent is marked, the sink holds all it will ever get (the test's timeout bounds the wait).
    const toParent = () => server.app.services.outbox.list({ recipient: parent });
    let queued = await toParent();
    while (queued.some((m) => m.sent_at === null && m.abandoned_at === null)) {
      await new Promise((r) => setTimeout(r, 20));
      queued = await toParent();
    }
    expect(queued.map((m) => m.sent_at !== null)).toEqual([true]);
    const mails = sink.messages.filter((m) => m.to.includes(parent));
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toContain('Fin prochaine');
    expect(mails[0].text).toContain('2026-06-10');
  });

  it('carnet jobs run: runs the jobs once and prints what they did; a half SMTP setting stops it with one line', async () => {
    // a store created and migrated already: a first start (initdb in WASM, ~6 s of CPU) is
    // test/e2e/cli.test.ts's, and not what is tested here
    const env = { CARNET_DATA_DIR: carnet.tempDir('carnet-jobs-') };
    await fillMigratedDataDir(env.CARNET_DATA_DIR);
    const ok = await carnet.run(['jobs', 'run'], env);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout.trim().split('\n').pop()!)).toMatchObject({ outbox: { sent: 0 }, majority: { noticed: 0 }, purge: { purged: 0 }, errors: [] });
    const bad = await carnet.run(['jobs', 'run'], { ...env, CARNET_SMTP_HOST: 'smtp.example.org' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('CARNET_SMTP_FROM');
  }, 90_000);
});
