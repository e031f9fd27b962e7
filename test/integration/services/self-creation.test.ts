import { beforeAll, expect, it } from '@jest/globals';
import { describeEachStore } from '../../support/stores.js';
import { accessWorld, mailbox, ORIGIN, SUPPORT } from '../../support/patient-access.js';
import { newIns, type World } from '../../support/world.js';

const CODE = /\b([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})\b/;

describeEachStore('online self-creation with a creation code (DMP-02)', (db) => {
  let w: World;
  beforeAll(async () => {
    // login's limit per account, small enough to reach: the creation code counts per identity the same way
    w = await accessWorld(db(), { limits: { loginPerAccount: { limit: 4, windowMs: 15 * 60_000 } } });
  });

  const card = (ins: { system: string; value: string }) => ({ identifier: ins, family: 'Durand', given: 'Jeanne', birthDate: '1980-05-17' });

  it('DMP-02: a code sent by e-mail leaves in the outbox and is stored only as an HMAC; the creation spends it, opens the record and the account, and traces them together', async () => {
    const ins = newIns();
    const email = mailbox('creation');
    const issued = await w.services.selfCreation.issue(SUPPORT, { ...card(ins), delivery: 'email', email });
    const [message] = await w.services.outbox.list({ recipient: email, kind: 'creation_code' });
    const code = CODE.exec(message.body)![1];
    const stored = await w.db.query<{ code_hmac: string; expires_at: Date }>('SELECT code_hmac, expires_at FROM creation_code WHERE code_id = $1', [issued.codeId]);
    expect(stored.rows[0].code_hmac).not.toContain(code);
    expect(stored.rows[0].expires_at.toISOString()).toBe(issued.expiresAt);

    const created = await w.services.selfCreation.create({ ...card(ins), code }, ORIGIN);
    expect(created).toMatchObject({ passwordChangeRequired: true, login: expect.any(String), temporaryPassword: expect.any(String) });
    const spent = await w.db.query<{ used_at: Date | null; patient_key: string }>('SELECT used_at, patient_key::text FROM creation_code WHERE code_id = $1', [issued.codeId]);
    expect(spent.rows[0]).toEqual({ used_at: expect.any(Date), patient_key: created.patient });
    const account = await w.db.query<{ email: string; password_temporary: boolean }>('SELECT email, password_temporary FROM account WHERE patient_key = $1', [created.patient]);
    expect(account.rows).toEqual([{ email, password_temporary: true }]);
    const trace = await w.db.query<{ action: string; actor_kind: string }>('SELECT action, actor_kind FROM access_trace WHERE chain_key = $1 ORDER BY seq', [created.patient]);
    expect(trace.rows).toEqual([
      { action: 'record.create', actor_kind: 'patient' },
      { action: 'account.create', actor_kind: 'patient' },
      { action: 'auth.creation_code.check', actor_kind: 'patient' },
    ]);
  });

  it('DMP-02: two creations with one code at once make one record; the other is told the code is wrong', async () => {
    const ins = newIns();
    const { letter } = await w.services.selfCreation.issue(SUPPORT, { ...card(ins), delivery: 'post' });
    const code = CODE.exec(letter!.body)![1];
    const tries = await Promise.allSettled([1, 2].map(() => w.services.selfCreation.create({ ...card(ins), code, email: mailbox() }, ORIGIN)));
    expect(tries.filter((t) => t.status === 'fulfilled')).toHaveLength(1);
    expect(tries.find((t) => t.status === 'rejected')).toMatchObject({ reason: { code: 'unauthenticated', reason: 'invalid_code' } });
    expect((await w.db.query('SELECT 1 FROM patient_identifier WHERE value = $1', [ins.value])).rows).toHaveLength(1);
  });

  it('AUTH-02: attempts on one identity are limited as logins on one account are, whatever the code; the limit answers 429 before any check', async () => {
    const ins = newIns();
    await w.services.selfCreation.issue(SUPPORT, { ...card(ins), delivery: 'post' });
    const attempt = () => w.services.selfCreation.create({ ...card(ins), code: 'zzzz-zzzz-zzzz', email: mailbox() }, { ...ORIGIN, address: `203.0.113.${Math.floor(Math.random() * 200)}` });
    // three wrong codes lock the code; the limit per identity counts every attempt
    for (let i = 0; i < 3; i++) await expect(attempt()).rejects.toMatchObject({ reason: 'invalid_code' });
    await expect(attempt()).rejects.toMatchObject({ reason: 'code_locked' });
    await expect(attempt()).rejects.toMatchObject({ code: 'rate_limited', reason: expect.stringMatching(/^retry_after:\d+$/) });
  });
});
