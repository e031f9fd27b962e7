// Online self-creation in production (DMP-02) on a real port with a real SMTP server: support
// issues a creation code, the patient creates the DMP with the card's data and the code, and the
// code is checked with login's lockout and limits (AUTH-02).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCK_MS } from '../../src/domain/lockout.js';
import { NO_RECORD_CHAIN } from '../../src/store/trace-repo.js';
import { call, logIn, startPortal, type Portal } from '../support/patient-portal.js';
import { newIns } from '../support/world.js';

/** a creation code as the letter or the mail shows it */
const CODE = /\b([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})\b/;
const AGENT = { kind: 'support' as const, agentId: 'agent-dmp-info' };

describe('auth door: online self-creation with a creation code (DMP-02)', () => {
  let portal: Portal;
  let n = 0;
  const address = (name: string) => `${name}.${++n}@example.org`;

  beforeAll(async () => {
    portal = await startPortal();
  });
  afterAll(async () => {
    await portal?.close();
  });

  const card = (ins: { system: string; value: string }, over: Record<string, unknown> = {}) => ({
    identifier: ins,
    family: 'Moreau',
    given: 'Nina',
    birthDate: '1985-07-14',
    ...over,
  });

  async function issue(body: Record<string, unknown>) {
    return call(portal, 'POST', '/auth/support/creation-codes', { actor: AGENT, body });
  }

  /** Issued by post: the letter in support's answer is where the code is read. */
  async function codeByPost(ins: { system: string; value: string }, over: Record<string, unknown> = {}): Promise<string> {
    const issued = await issue({ ...card(ins), delivery: 'post', ...over });
    expect(issued.status).toBe(201);
    return CODE.exec(issued.json.letter.body)![1];
  }

  async function trace(where: string, params: unknown[]) {
    return (
      await portal.db.query<{ action: string; outcome: string; reason: string | null; request_id: string | null; chain_key: string | null }>(
        `SELECT action, outcome, reason, request_id, chain_key::text FROM access_trace WHERE ${where.replace(/\$NR/g, `'${NO_RECORD_CHAIN}'`)} ORDER BY seq`,
        params,
      )
    ).rows;
  }

  it('DMP-02: support sends a creation code by e-mail; the patient creates her DMP with the card data and the code, gets her login and temporary password once, and the first login must replace it (AUTH-03)', async () => {
    const ins = newIns();
    const email = address('nina');
    // the patient asks the support service (a request of kind account: she has neither DMP nor account)
    const asked = await call(portal, 'POST', '/auth/support/requests', { body: { kind: 'account', family: 'Moreau', given: 'Nina', birthDate: '1985-07-14', identifier: ins, email, message: 'je voudrais créer mon DMP en ligne' } });
    expect(asked.status).toBe(202);
    const issued = await issue({ ...card(ins), gender: 'female', delivery: 'email', email, requestId: asked.json.requestId });
    expect(issued.status).toBe(201);
    // the code went by mail and is not in the agent's answer
    expect(Object.keys(issued.json).sort()).toEqual(['codeId', 'delivery', 'expiresAt', 'sentTo']);
    expect(issued.json.sentTo).toBe(`n***@example.org`);
    const [mail] = await portal.sink.waitFor(email, 1, (m) => m.subject.includes('code de création'));
    const code = CODE.exec(mail.text)![1];
    expect(mail.text).toContain('carte Vitale');
    // the request is handled, and nothing in the database holds the code in clear
    const requests = await call(portal, 'GET', '/auth/support/requests?status=handled&kind=account', { actor: AGENT });
    expect(requests.json.requests.map((r: { requestId: string }) => r.requestId)).toContain(asked.json.requestId);
    const stored = await portal.db.query<{ n: number }>("SELECT count(*)::int AS n FROM creation_code WHERE row_to_json(creation_code)::text LIKE '%' || $1 || '%'", [code]);
    expect(stored.rows[0].n).toBe(0);
    // AUTH-06: once delivered, the message's copy in the outbox loses its body (the test's timeout bounds the wait)
    const outboxBody = async () => (await portal.db.query<{ body: string }>("SELECT body FROM outbox WHERE recipient = $1 AND kind = 'creation_code'", [email])).rows[0]?.body;
    while (!(await outboxBody())?.startsWith('[removed')) await new Promise((r) => setTimeout(r, 20));

    // names as typed from the card: case, accents and the code's hyphens do not count
    const created = await call(portal, 'POST', '/auth/records', { body: card(ins, { family: 'MOREAU', given: 'nina', code: code.toUpperCase().replace(/-/g, ' ') }) });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(created.json).sort()).toEqual(['login', 'passwordChangeRequired', 'patient', 'temporaryPassword']);
    const patient = created.json.patient as string;
    const record = await call(portal, 'GET', `/fhir/Patient/${patient}`, { actor: { kind: 'patient', patientKey: patient } });
    expect(record.status).toBe(200);
    // the identity is support's: birth date, names, gender
    expect(record.json).toMatchObject({ birthDate: '1985-07-14', gender: 'female', name: [{ family: 'Moreau', given: ['Nina'] }] });

    // the code is spent: the same again is a wrong code
    const again = await call(portal, 'POST', '/auth/records', { body: card(ins, { code }) });
    expect([again.status, again.json.error]).toEqual([401, 'invalid_code']);

    // AUTH-03: the first login opens a session that must choose a password
    const first = await logIn(portal, created.json.login, created.json.temporaryPassword, email);
    expect(first.passwordChangeRequired).toBe(true);
    expect((await call(portal, 'GET', '/auth/contact', { token: first.token })).status).toBe(403);
    expect((await call(portal, 'POST', '/auth/password', { token: first.token, body: { newPassword: 'un mot de passe à moi seule' } })).status).toBe(204);

    // TRACE-01: the creation, the account and the code's use in one transaction, one request id
    const rows = await trace('chain_key = $1', [patient]);
    const atCreation = rows.filter((r) => ['record.create', 'account.create', 'auth.creation_code.check'].includes(r.action));
    expect(atCreation.map((r) => [r.action, r.outcome])).toEqual([
      ['record.create', 'success'],
      ['account.create', 'success'],
      ['auth.creation_code.check', 'success'],
    ]);
    expect(new Set(atCreation.map((r) => r.request_id)).size).toBe(1);
    const channel = await portal.db.query<{ creation_channel: string; consent_by: string }>('SELECT creation_channel, consent_by FROM dmp WHERE patient_key = $1', [patient]);
    expect(channel.rows[0]).toEqual({ creation_channel: 'patient_online', consent_by: 'patient' });
  });

  it('AUTH-02: three wrong codes (or wrong card data) lock the creation code for fifteen minutes, even against the right one; refusals are traced on the security log (TRACE-05)', async () => {
    const ins = newIns();
    const code = await codeByPost(ins);
    const wrong = await call(portal, 'POST', '/auth/records', { body: card(ins, { code: 'aaaa-bbbb-cccc', email: address('x') }) });
    expect([wrong.status, wrong.json.error]).toEqual([401, 'invalid_code']);
    expect(wrong.json.message).toContain('locked for 15 minutes');
    // the right code with another birth date counts as a failure too
    expect((await call(portal, 'POST', '/auth/records', { body: card(ins, { code, birthDate: '1985-07-15', email: address('x') }) })).status).toBe(401);
    expect((await call(portal, 'POST', '/auth/records', { body: card(ins, { code, family: 'Autre', email: address('x') }) })).status).toBe(401);
    const locked = await call(portal, 'POST', '/auth/records', { body: card(ins, { code, email: address('x') }) });
    expect([locked.status, locked.json.error]).toEqual([429, 'code_locked']);
    expect(Number(locked.headers.get('retry-after'))).toBe(LOCK_MS / 1000);
    expect(locked.json.message).toMatch(/locked; retry in 15 minutes/);

    portal.clock.advance(LOCK_MS + 1000);
    const after = await call(portal, 'POST', '/auth/records', { body: card(ins, { code, email: address('x') }) });
    expect(after.status).toBe(201);
    // TRACE-05: the caller of a refused creation is no one yet: the refusals are on the server's
    // security log, naming the code they aimed at, not on any chain of the trace
    const logged = await portal.db.query<{ reason: string; client_address: string | null }>(
      "SELECT reason, client_address FROM security_log WHERE operation = 'auth.creation_code.check' AND claims->>'creationCode' IN (SELECT code_id::text FROM creation_code WHERE identifier_value = $1) ORDER BY seq",
      [ins.value],
    );
    expect(logged.rows.map((r) => r.reason)).toEqual(['invalid_code', 'invalid_code', 'invalid_code_locked', 'code_locked']);
    expect(logged.rows.every((r) => r.client_address)).toBe(true);
    const rows = await trace("action = 'auth.creation_code.check' AND outcome <> 'success' AND target_id IN (SELECT code_id::text FROM creation_code WHERE identifier_value = $1)", [ins.value]);
    expect(rows).toEqual([]);
  });

  it('DMP-02: an expired code, a DMP created meanwhile, and a minor are each refused with a sentence; an emancipated minor as support recorded it creates hers, a request claiming it does not', async () => {
    // expired (after the configured lifetime: 30 days by default)
    const old = newIns();
    const oldCode = await codeByPost(old);
    portal.clock.advance(31 * 24 * 3600_000);
    const expired = await call(portal, 'POST', '/auth/records', { body: card(old, { code: oldCode, email: address('x') }) });
    expect([expired.status, expired.json.error]).toEqual([422, 'code_expired']);
    expect(expired.json.message).toContain('ask the support service');

    // a DMP created meanwhile at a pharmacy: the code creates nothing more
    const ins = newIns();
    const code = await codeByPost(ins);
    await portal.server.app.services.records.create({ actor: AGENT, channel: 'test' }, { identifiers: [ins], family: 'Moreau', given: 'Nina', birthDate: '1985-07-14', consent: { givenBy: 'patient' } });
    const exists = await call(portal, 'POST', '/auth/records', { body: card(ins, { code, email: address('x') }) });
    expect([exists.status, exists.json.error]).toEqual([409, 'record_exists']);
    expect((await issue({ ...card(ins), delivery: 'post' })).status).toBe(409);

    // a minor (15): refused, traced, and the request cannot claim emancipation
    const minor = newIns();
    const teen = { family: 'Moreau', given: 'Tom', birthDate: '2010-09-01' };
    const minorCode = await codeByPost(minor, teen);
    const refused = await call(portal, 'POST', '/auth/records', { body: { ...card(minor, teen), code: minorCode, emancipated: true, email: address('x') } });
    expect([refused.status, refused.json.error]).toEqual([403, 'adults_only']);
    expect(refused.json.message).toContain('adults only');
    const denied = await trace("action = 'record.create' AND outcome = 'denied' AND reason = 'adults_only' AND chain_key = $NR AND request_id = $1", [refused.headers.get('x-request-id')]);
    expect(denied).toHaveLength(1);
    expect((await portal.db.query('SELECT 1 FROM patient_identifier WHERE value = $1', [minor.value])).rows).toHaveLength(0);

    // emancipated, as the support service recorded from the judgement
    const emancipatedCode = await codeByPost(minor, { ...teen, emancipated: true });
    const ok = await call(portal, 'POST', '/auth/records', { body: { ...card(minor, teen), code: emancipatedCode, email: address('tom') } });
    expect(ok.status).toBe(201);
    const row = await portal.db.query<{ emancipated: boolean }>('SELECT emancipated FROM dmp WHERE patient_key = $1', [ok.json.patient]);
    expect(row.rows[0].emancipated).toBe(true);
  });

  it('DMP-02: a logged-in patient\'s session creates no second DMP through the FHIR door: a 409 with a sentence, nothing written', async () => {
    const ins = newIns();
    const code = await codeByPost(ins);
    const mine = await call(portal, 'POST', '/auth/records', { body: card(ins, { code, email: address('x') }) });
    const other = newIns();
    const res = await call(portal, 'POST', '/fhir/Patient', {
      actor: { kind: 'patient', patientKey: mine.json.patient },
      body: {
        resourceType: 'Patient',
        identifier: [{ system: `urn:oid:${other.system}`, value: other.value }],
        name: [{ family: 'Autre', given: ['Personne'] }],
        birthDate: '1990-01-01',
        contained: [{ resourceType: 'Consent', id: 'creation', status: 'active', scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] }, category: [{ coding: [{ system: 'https://carnet.example/fhir/CodeSystem/dmp-consent-category', code: 'dmp-creation' }] }], patient: { reference: '#' }, performer: [{ reference: '#' }], policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] }, provision: { type: 'permit' } }],
      },
    });
    expect([res.status, res.json.issue[0].diagnostics]).toEqual([409, 'this session is the patient of an existing DMP: a patient has one DMP']);
    expect((await portal.db.query('SELECT 1 FROM patient_identifier WHERE value = $1', [other.value])).rows).toHaveLength(0);
  });

  it('DMP-02: only the support service issues codes; a newer code replaces the older; bad input is a 400 with a sentence', async () => {
    const ins = newIns();
    const asPatient = await call(portal, 'POST', '/auth/support/creation-codes', { actor: { kind: 'patient', patientKey: '7f0c4d1e-0000-4000-8000-000000000001' }, body: { ...card(ins), delivery: 'post' } });
    expect(asPatient.status).toBe(403);
    expect((await call(portal, 'POST', '/auth/support/creation-codes', { body: { ...card(ins), delivery: 'post' } })).status).toBe(401);
    const first = await codeByPost(ins);
    const second = await codeByPost(ins);
    expect((await call(portal, 'POST', '/auth/records', { body: card(ins, { code: first, email: address('x') }) })).status).toBe(401);
    for (const [body, field] of [
      [{ ...card(ins), delivery: 'pigeon' }, 'delivery'],
      [{ ...card(ins), delivery: 'email' }, 'email'],
      [{ ...card(ins), birthDate: '1985-02-30', delivery: 'post' }, 'birthDate'],
    ] as const) {
      const bad = await issue(body);
      expect([bad.status, bad.json.message]).toEqual([400, expect.stringContaining(field)]);
    }
    const noCode = await call(portal, 'POST', '/auth/records', { body: card(ins) });
    expect([noCode.status, noCode.json.message]).toEqual([400, 'code is required']);
    // no contact for the login codes: said before anything is created, the code stays usable
    const noContact = await call(portal, 'POST', '/auth/records', { body: card(ins, { code: second }) });
    expect([noContact.status, noContact.json.error]).toEqual([422, 'contact_required']);
    expect((await call(portal, 'POST', '/auth/records', { body: card(ins, { code: second, phone: '+33612345678' }) })).status).toBe(201);
  });
});
