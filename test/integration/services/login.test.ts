import { beforeAll, expect, it } from '@jest/globals';
import { CarnetError } from '../../../src/domain/errors.js';
import { CODE_TTL_MS, INVALID_CREDENTIALS_MESSAGE, LOCK_MS } from '../../../src/services/login.js';
import { verifySecurityLog } from '../../../src/store/security-log-repo.js';
import { describeEachStore } from '../../support/stores.js';
import { accessWorld, activeAccount, lastCode, mailbox, ORIGIN, SUPPORT } from '../../support/patient-access.js';
import { adultRecord, newIns, type World } from '../../support/world.js';

async function failure(p: Promise<unknown>): Promise<CarnetError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof CarnetError)) throw new Error(`expected a CarnetError, got ${String(e)}`);
  return e;
}

async function traces(w: World, patientKey: string | null, action: string): Promise<Array<{ outcome: string; reason: string | null; actor_kind: string }>> {
  const r = await w.db.query<{ outcome: string; reason: string | null; actor_kind: string }>(
    'SELECT outcome, reason, actor_kind FROM access_trace WHERE chain_key = $1 AND action = $2 ORDER BY seq',
    [patientKey ?? '00000000-0000-0000-0000-000000000000', action],
  );
  return r.rows;
}

/** The server's security log rows of one /auth step, for one account (or for none named). */
async function securityRows(w: World, operation: string, accountId: string | null): Promise<string[]> {
  const r = await w.db.query<{ reason: string }>(
    "SELECT reason FROM security_log WHERE operation = $1 AND coalesce(claims->>'account', '') = $2 ORDER BY seq",
    [operation, accountId ?? ''],
  );
  return r.rows.map((x) => x.reason);
}

describeEachStore('login: accounts, password, one-time code, lockout', (db) => {
  let w: World;
  beforeAll(async () => {
    w = await accessWorld(db());
  });

  it('DMP-03 / AUTH-03: an account gets a login and a temporary password that opens one restricted session, which must replace it', async () => {
    const { patientKey } = await adultRecord(w);
    const email = mailbox();
    const issued = await w.services.accounts.create(SUPPORT, { patientKey, role: 'patient', email });
    expect(issued.login).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    expect(issued.temporaryPassword.length).toBeGreaterThanOrEqual(16);

    const ch = await w.services.login.start({ login: issued.login.toUpperCase(), password: issued.temporaryPassword }, ORIGIN);
    expect(ch).toMatchObject({ channel: 'email', expiresIn: 300 });
    expect(ch.sentTo).not.toBe(email);
    const session = await w.services.login.verify({ challengeId: ch.challengeId, code: await lastCode(w.services, email, ch.challengeId) }, ORIGIN);
    expect(session.passwordChangeRequired).toBe(true);
    expect(session.claims).toMatchObject({ subject_type: 'patient', patient_key: patientKey, account_id: issued.accountId, pwd_temporary: true });

    // valid for one login only: the temporary password does not open a second one
    const again = await failure(w.services.login.start({ login: issued.login, password: issued.temporaryPassword }, ORIGIN));
    expect(again.reason).toBe('invalid_credentials');

    const caller = { actor: { kind: 'patient' as const, patientKey, accountId: issued.accountId }, channel: 'test' as const };
    const weak = await failure(w.services.accounts.changePassword(caller, { newPassword: 'short', temporarySession: true }));
    expect(weak).toMatchObject({ code: 'business_rule', reason: 'password_policy' });
    await w.services.accounts.changePassword(caller, { newPassword: 'a sentence of my own choosing', temporarySession: true });
    // the restricted session cannot change it twice
    const twice = await failure(w.services.accounts.changePassword(caller, { newPassword: 'another sentence entirely', temporarySession: true }));
    expect(twice.reason).toBe('temporary_password_replaced');

    const ch2 = await w.services.login.start({ login: issued.login, password: 'a sentence of my own choosing' }, ORIGIN);
    const full = await w.services.login.verify({ challengeId: ch2.challengeId, code: await lastCode(w.services, email, ch2.challengeId) }, ORIGIN);
    expect(full.passwordChangeRequired).toBe(false);
    expect(full.claims.pwd_temporary).toBeUndefined();
    expect(full.ttlSeconds).toBeGreaterThan(600);
  });

  it('AUTH-06: passwords are stored as salted scrypt hashes with their parameters, codes only as an HMAC', async () => {
    const { patientKey } = await adultRecord(w);
    const email = mailbox();
    const a = await activeAccount(w, patientKey, email, 'the very same passphrase');
    const { patientKey: other } = await adultRecord(w);
    await activeAccount(w, other, mailbox(), 'the very same passphrase');
    const rows = await w.db.query<{ password_hash: string }>('SELECT password_hash FROM account WHERE patient_key = ANY($1::uuid[])', [[patientKey, other]]);
    expect(rows.rows).toHaveLength(2);
    for (const r of rows.rows) {
      expect(r.password_hash).toMatch(/^scrypt\$\d+\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
      expect(r.password_hash).not.toContain('passphrase');
    }
    expect(rows.rows[0].password_hash).not.toBe(rows.rows[1].password_hash);

    const ch = await w.services.login.start({ login: a.login, password: a.password }, ORIGIN);
    const code = await lastCode(w.services, email, ch.challengeId);
    const stored = await w.db.query<{ code_hmac: string }>('SELECT code_hmac FROM auth_challenge WHERE challenge_id = $1', [ch.challengeId]);
    expect(stored.rows[0].code_hmac).not.toContain(code);
    expect(stored.rows[0].code_hmac).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('AUTH-01: each login sends a different code, valid once, for 5 minutes, and only the latest one', async () => {
    const { patientKey } = await adultRecord(w);
    const email = mailbox();
    const a = await activeAccount(w, patientKey, email);
    const challenges: string[] = [];
    const bodies: string[] = [];
    for (let i = 0; i < 3; i++) {
      challenges.push((await w.services.login.start({ login: a.login, password: a.password }, ORIGIN)).challengeId);
      bodies.push(await lastCode(w.services, email, challenges[i]));
    }
    expect(new Set(challenges).size).toBe(3);
    expect((await w.services.outbox.list({ recipient: email, kind: 'login_code' })).length).toBe(4);
    // an earlier challenge is superseded by a newer one
    const old = await failure(w.services.login.verify({ challengeId: challenges[0], code: bodies[0] }, ORIGIN));
    expect(old.reason).toBe('invalid_code');
    const ok = await w.services.login.verify({ challengeId: challenges[2], code: bodies[2] }, ORIGIN);
    expect(ok.claims.account_id).toBe(a.accountId);
    // single use
    const replay = await failure(w.services.login.verify({ challengeId: challenges[2], code: bodies[2] }, ORIGIN));
    expect(replay.reason).toBe('invalid_code');

    // expiry after 5 minutes
    const late = await w.services.login.start({ login: a.login, password: a.password }, ORIGIN);
    const lateCode = await lastCode(w.services, email, late.challengeId);
    w.clock.advance(CODE_TTL_MS + 1000);
    expect((await failure(w.services.login.verify({ challengeId: late.challengeId, code: lateCode }, ORIGIN))).reason).toBe('invalid_code');
    // TRACE-05: the refused codes are on the security log, naming the account; not on the record
    expect(await securityRows(w, 'auth.login.code', a.accountId)).toEqual(expect.arrayContaining(['code_used', 'code_expired']));
    expect(await traces(w, patientKey, 'auth.login.code')).toEqual([]);
  });

  it('AUTH-01: three wrong codes close the challenge, even for the right code afterwards', async () => {
    const { patientKey } = await adultRecord(w);
    const email = mailbox();
    const a = await activeAccount(w, patientKey, email);
    const ch = await w.services.login.start({ login: a.login, password: a.password }, ORIGIN);
    const code = await lastCode(w.services, email, ch.challengeId);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 3; i++) {
      expect((await failure(w.services.login.verify({ challengeId: ch.challengeId, code: wrong }, ORIGIN))).reason).toBe('invalid_code');
    }
    expect((await failure(w.services.login.verify({ challengeId: ch.challengeId, code }, ORIGIN))).reason).toBe('invalid_code');
  });

  it('AUTH-02: three wrong passwords lock the account for 15 minutes, the right one included; then it may try again', async () => {
    const { patientKey } = await adultRecord(w);
    const email = mailbox();
    const a = await activeAccount(w, patientKey, email);
    for (let i = 0; i < 3; i++) {
      const e = await failure(w.services.login.start({ login: a.login, password: `wrong password ${i}` }, ORIGIN));
      expect(e).toMatchObject({ code: 'unauthenticated', reason: 'invalid_credentials', message: INVALID_CREDENTIALS_MESSAGE });
    }
    const locked = await w.db.query<{ locked_until: Date }>('SELECT locked_until FROM account WHERE account_id = $1', [a.accountId]);
    expect(locked.rows[0].locked_until.getTime()).toBe(w.clock.now().getTime() + LOCK_MS);
    const during = await failure(w.services.login.start({ login: a.login, password: a.password }, ORIGIN));
    expect(during).toMatchObject({ code: 'unauthenticated', message: INVALID_CREDENTIALS_MESSAGE });
    w.clock.advance(LOCK_MS - 1000);
    await expect(w.services.login.start({ login: a.login, password: a.password }, ORIGIN)).rejects.toMatchObject({ reason: 'invalid_credentials' });
    w.clock.advance(2000);
    const ch = await w.services.login.start({ login: a.login, password: a.password }, ORIGIN);
    expect(ch.channel).toBe('email');
    // TRACE-01 / TRACE-05: every attempt is traced; the refused ones on the security log (the
    // third wrong password says it locked the account), the login on the record's trace
    expect(await securityRows(w, 'auth.login.password', a.accountId)).toEqual([
      'invalid_credentials',
      'invalid_credentials',
      'invalid_credentials_locked',
      'account_locked',
      'account_locked',
    ]);
    const rows = await traces(w, patientKey, 'auth.login.password');
    expect(rows.map((r) => [r.outcome, r.actor_kind])).toEqual([
      ['success', 'patient'],
      ['success', 'patient'],
    ]);
  });

  it('TRACE-05: wrong passwords and a wrong code for a known login add nothing to the record\'s chain; the security log names the account, and the next login says how many failed', async () => {
    const { patientKey } = await adultRecord(w);
    const email = mailbox();
    const a = await activeAccount(w, patientKey, email);
    const chainLength = async () => Number((await w.db.query<{ n: string }>('SELECT count(*)::text AS n FROM access_trace WHERE chain_key = $1', [patientKey])).rows[0]!.n);
    const before = await chainLength();
    for (let i = 0; i < 2; i++) await failure(w.services.login.start({ login: a.login, password: `not the password ${i}` }, ORIGIN));
    const ch = await w.services.login.start({ login: a.login, password: a.password }, ORIGIN);
    const code = await lastCode(w.services, email, ch.challengeId);
    await failure(w.services.login.verify({ challengeId: ch.challengeId, code: code === '000000' ? '111111' : '000000' }, ORIGIN));
    // only the right password's row reached the record; the lock count still ran (AUTH-02)
    expect(await chainLength()).toBe(before + 1);
    expect(await securityRows(w, 'auth.login.password', a.accountId)).toEqual(['invalid_credentials', 'invalid_credentials']);
    expect(await securityRows(w, 'auth.login.code', a.accountId)).toEqual(['wrong_code']);
    const row = await w.db.query<{ actor_kind: string; details: Record<string, unknown> }>(
      "SELECT actor_kind, details FROM access_trace WHERE chain_key = $1 AND action = 'auth.login.password' ORDER BY seq DESC LIMIT 1",
      [patientKey],
    );
    expect(row.rows[0]).toMatchObject({ actor_kind: 'patient', details: { failedAttemptsBefore: 2 } });
    await w.services.login.verify({ challengeId: ch.challengeId, code }, ORIGIN);
    expect(await chainLength()).toBe(before + 2);
    expect((await verifySecurityLog(w.db)).broken).toBeUndefined();
  });

  it('AUTH-02: after a lock has run out, the count starts again from zero', async () => {
    const { patientKey } = await adultRecord(w);
    const a = await activeAccount(w, patientKey, mailbox());
    for (let i = 0; i < 3; i++) await failure(w.services.login.start({ login: a.login, password: 'nope nope nope' }, ORIGIN));
    w.clock.advance(LOCK_MS + 1000);
    await failure(w.services.login.start({ login: a.login, password: 'nope nope nope' }, ORIGIN));
    // one failure after the lock: the right password still works
    await expect(w.services.login.start({ login: a.login, password: a.password }, ORIGIN)).resolves.toMatchObject({ channel: 'email' });
  });

  it('AUTH-02: an unknown login and a wrong password get the same error and message (no enumeration); the unknown one is traced too', async () => {
    const { patientKey } = await adultRecord(w);
    const a = await activeAccount(w, patientKey, mailbox());
    const unknown = await failure(w.services.login.start({ login: 'zzzz-zzzz-zzzz', password: 'whatever it is' }, ORIGIN));
    const wrong = await failure(w.services.login.start({ login: a.login, password: 'whatever it is' }, ORIGIN));
    expect([unknown.code, unknown.reason, unknown.message]).toEqual([wrong.code, wrong.reason, wrong.message]);
    // TRACE-05: the unknown one on the security log, naming no account
    expect((await securityRows(w, 'auth.login.password', null)).at(-1)).toBe('invalid_credentials');
    expect(await traces(w, null, 'auth.login.password')).toEqual([]);
  });

  it('rate limits count per login name and per client address, in the database (429)', async () => {
    const limited = await accessWorld(db(), {
      limits: { loginPerAccount: { limit: 2, windowMs: 60_000 }, loginPerAddress: { limit: 4, windowMs: 60_000 } },
    });
    const origin = { address: '203.0.113.99' };
    await failure(limited.services.login.start({ login: 'aaaa-aaaa-aaaa', password: 'x'.repeat(12) }, origin));
    await failure(limited.services.login.start({ login: 'aaaa-aaaa-aaaa', password: 'x'.repeat(12) }, origin));
    const third = await failure(limited.services.login.start({ login: 'aaaa-aaaa-aaaa', password: 'x'.repeat(12) }, origin));
    expect(third.code).toBe('rate_limited');
    await failure(limited.services.login.start({ login: 'bbbb-bbbb-bbbb', password: 'x'.repeat(12) }, origin));
    const perAddress = await failure(limited.services.login.start({ login: 'cccc-cccc-cccc', password: 'x'.repeat(12) }, origin));
    expect(perAddress.code).toBe('rate_limited');
    // another address is not affected
    const other = await failure(limited.services.login.start({ login: 'cccc-cccc-cccc', password: 'x'.repeat(12) }, { address: '203.0.113.100' }));
    expect(other.reason).toBe('invalid_credentials');
    limited.clock.advance(60_000);
    expect((await failure(limited.services.login.start({ login: 'aaaa-aaaa-aaaa', password: 'x'.repeat(12) }, origin))).reason).toBe('invalid_credentials');
  });

  it('MIN-02: each legal representative has an own account, and logs in as that representative', async () => {
    const ins = newIns();
    const { patientKey, representativeIds } = await w.services.records.create(SUPPORT, {
      identifiers: [ins],
      given: 'Léa',
      family: 'Durand',
      birthDate: '2015-04-02',
      representatives: [
        { relationship: 'parent', family: 'Durand', given: 'Marc', email: mailbox('marc') },
        { relationship: 'parent', family: 'Durand', given: 'Sophie', phone: '06 12 34 56 78' },
      ],
      consent: { givenBy: 'legal_representative', representativeIndex: 0 },
    });
    const [marc, sophie] = representativeIds;
    const m = await w.services.accounts.create(SUPPORT, { patientKey, role: 'legal_representative', representativeId: marc });
    const s = await w.services.accounts.create(SUPPORT, { patientKey, role: 'legal_representative', representativeId: sophie });
    expect(m.login).not.toBe(s.login);
    await expect(w.services.accounts.create(SUPPORT, { patientKey, role: 'legal_representative', representativeId: marc })).rejects.toMatchObject({
      code: 'conflict',
    });
    // Sophie has only a phone: her codes go by SMS, to the number the record holds
    const ch = await w.services.login.start({ login: s.login, password: s.temporaryPassword }, ORIGIN);
    expect(ch.channel).toBe('sms');
    const session = await w.services.login.verify({ challengeId: ch.challengeId, code: await lastCode(w.services, '+33612345678', ch.challengeId) }, ORIGIN);
    expect(session.claims).toMatchObject({ subject_type: 'legal_representative', patient_key: patientKey, representative_id: sophie });
    // someone who is no representative of this record gets no account
    await expect(
      w.services.accounts.create(SUPPORT, { patientKey, role: 'legal_representative', representativeId: '11111111-2222-4333-8444-555555555555', email: mailbox() }),
    ).rejects.toMatchObject({ code: 'business_rule' });
  });

  it('accounts are issued by the support service or the creation flow only, and the attempt is traced', async () => {
    const { patientKey } = await adultRecord(w);
    const patient = { actor: { kind: 'patient' as const, patientKey }, channel: 'test' as const };
    await expect(w.services.accounts.create(patient, { patientKey, role: 'patient', email: mailbox() })).rejects.toMatchObject({ code: 'forbidden' });
    const rows = await traces(w, patientKey, 'account.create');
    expect(rows[rows.length - 1]).toMatchObject({ outcome: 'denied' });
    const system = { actor: { kind: 'system' as const, component: 'creation' }, channel: 'test' as const };
    await expect(w.services.accounts.create(system, { patientKey, role: 'patient', email: mailbox() })).resolves.toMatchObject({ created: true });
  });
});
