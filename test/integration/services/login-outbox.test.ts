import { beforeAll, expect, it } from '@jest/globals';
import type { OutgoingMessage } from '../../../src/notify/sender.js';
import { runJobs } from '../../../src/services/jobs.js';
import { describeEachStore } from '../../support/stores.js';
import { accessWorld, activeAccount, mailbox, ORIGIN, SUPPORT } from '../../support/patient-access.js';
import { adultRecord, as, newIns, proActor, submission, type World } from '../../support/world.js';

/** A mail sender that records what it is given, and fails while `failing` is set. */
function recordingSender() {
  const sent: OutgoingMessage[] = [];
  const s = {
    sent,
    failing: false,
    async send(m: OutgoingMessage) {
      if (s.failing) throw new Error('421 service not available');
      sent.push(m);
    },
  };
  return s;
}

describeEachStore('login: outbox, document alerts, majority notices', (db) => {
  let w: World;
  const mail = recordingSender();
  beforeAll(async () => {
    w = await accessWorld(db(), { senders: { email: mail }, retryBaseMs: 30_000, maxAttempts: 3 });
  });

  it('a message enqueued in a transaction that rolls back is never sent', async () => {
    const to = mailbox('rollback');
    await expect(
      w.db.transaction(async (tx) => {
        await w.services.outbox.enqueue(tx, { patientKey: null, channel: 'email', recipient: to, subject: 's', body: 'b', kind: 'test' });
        throw new Error('the action failed');
      }),
    ).rejects.toThrow('the action failed');
    expect(await w.services.outbox.list({ recipient: to })).toEqual([]);
  });

  it('a failed send is retried later with a growing delay, then given up; a sent code leaves no code behind (AUTH-06)', async () => {
    const to = mailbox('retry');
    await w.db.transaction((tx) => w.services.outbox.enqueue(tx, { patientKey: null, channel: 'email', recipient: to, subject: 'x', body: 'hello', kind: 'test' }));
    mail.failing = true;
    await w.services.outbox.sendDue();
    let [row] = await w.services.outbox.list({ recipient: to });
    expect(row).toMatchObject({ attempts: 1, sent_at: null, last_error: '421 service not available' });
    expect(row.next_attempt_at.getTime()).toBe(w.clock.now().getTime() + 30_000);
    await w.services.outbox.sendDue();
    expect((await w.services.outbox.list({ recipient: to }))[0].attempts).toBe(1); // not due yet
    w.clock.advance(30_000);
    await w.services.outbox.sendDue();
    [row] = await w.services.outbox.list({ recipient: to });
    expect(row.attempts).toBe(2);
    expect(row.next_attempt_at.getTime()).toBe(w.clock.now().getTime() + 60_000);
    mail.failing = false;
    w.clock.advance(60_000);
    await w.services.outbox.sendDue();
    [row] = await w.services.outbox.list({ recipient: to });
    expect(row.sent_at).not.toBeNull();
    expect(mail.sent.filter((m) => m.recipient === to)).toHaveLength(1);

    const given = mailbox('given-up');
    await w.db.transaction((tx) => w.services.outbox.enqueue(tx, { patientKey: null, channel: 'email', recipient: given, subject: 'x', body: 'y', kind: 'test' }));
    mail.failing = true;
    for (let i = 0; i < 3; i++) {
      await w.services.outbox.sendDue();
      w.clock.advance(3_600_000);
    }
    mail.failing = false;
    [row] = await w.services.outbox.list({ recipient: given });
    expect(row.abandoned_at).not.toBeNull();
    await w.services.outbox.sendDue();
    expect(mail.sent.filter((m) => m.recipient === given)).toHaveLength(0);

    const { patientKey } = await adultRecord(w);
    const email = mailbox();
    const a = await activeAccount(w, patientKey, email, undefined, mail.sent);
    await w.services.login.start({ login: a.login, password: a.password }, ORIGIN);
    await w.services.outbox.sendDue();
    const codes = await w.services.outbox.list({ recipient: email, kind: 'login_code' });
    expect(codes.every((m) => m.sent_at !== null && !/\d{6}/.test(m.body))).toBe(true);
    expect(mail.sent.some((m) => m.recipient === email && /\d{6}/.test(m.body))).toBe(true);
  });

  it('AUTH-06: codes waiting in an outbox-only channel are removed once expired', async () => {
    const { patientKey } = await adultRecord(w);
    const a = await activeAccount(w, patientKey, mailbox(), undefined, mail.sent);
    const caller = { actor: { kind: 'patient' as const, patientKey, accountId: a.accountId }, channel: 'test' as const };
    await w.services.accounts.updateContact(caller, { phone: '+33612000001', codeChannel: 'sms' });
    await w.services.login.start({ login: a.login, password: a.password }, ORIGIN);
    expect((await w.services.outbox.list({ recipient: '+33612000001', kind: 'login_code' }))[0].body).toMatch(/\d{6}/);
    w.clock.advance(11 * 60_000);
    await runJobs(w.services);
    const [sms] = await w.services.outbox.list({ recipient: '+33612000001', kind: 'login_code' });
    expect(sms.body).not.toMatch(/\d{6}/);
    expect(sms.abandoned_at).not.toBeNull();
  });

  it('PAT-03: a deposit sends one alert to the address the patient set, in the same transaction; none without an address or for a refused deposit', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const doctor = as(proActor('doctor'));
    await w.services.submissions.submit(doctor, submission(ins));
    expect(await w.services.outbox.list({ patientKey, kind: 'document_alert' })).toEqual([]);

    const a = await activeAccount(w, patientKey, mailbox(), undefined, mail.sent);
    const alert = mailbox('alerts');
    await w.services.accounts.updateContact({ actor: { kind: 'patient', patientKey, accountId: a.accountId }, channel: 'test' }, { alertEmail: alert });
    await w.services.submissions.submit(doctor, submission(ins, [{}, {}]));
    const alerts = await w.services.outbox.list({ recipient: alert, kind: 'document_alert' });
    expect(alerts).toHaveLength(1);
    expect(alerts[0].body).toContain('2 nouveaux documents');

    await expect(w.services.submissions.submit(doctor, submission(ins, [{ typeCode: '11488-4', classCode: '60' }]))).rejects.toMatchObject({ code: 'invalid_metadata' });
    // a document hidden from the patient (MASK-02) is not announced
    await w.services.submissions.submit(doctor, submission(ins, [{ confidentiality: ['N', 'INVISIBLE_PATIENT'] }]));
    expect(await w.services.outbox.list({ recipient: alert, kind: 'document_alert' })).toHaveLength(1);
    await w.services.outbox.sendDue();
    expect(mail.sent.filter((m) => m.recipient === alert)).toHaveLength(1);
  });

  it('MIN-03: the jobs notify the legal representatives one month before majority, exactly once, and end their access at majority', async () => {
    w.clock.set('2026-03-01T09:00:00Z');
    const marc = mailbox('marc');
    const { patientKey, representativeIds } = await w.services.records.create(SUPPORT, {
      identifiers: [newIns()],
      given: 'Hugo',
      family: 'Lefèvre',
      birthDate: '2008-04-01',
      representatives: [{ relationship: 'parent', family: 'Lefèvre', given: 'Marc', email: marc }],
      consent: { givenBy: 'legal_representative', representativeIndex: 0 },
    });
    w.clock.set('2026-02-27T09:00:00Z');
    expect((await runJobs(w.services)).majority).toMatchObject({ noticed: 0 });
    w.clock.set('2026-03-01T09:00:00Z');
    const first = await runJobs(w.services);
    expect(first.majority?.noticed).toBeGreaterThanOrEqual(1);
    const second = await runJobs(w.services);
    expect(second.errors).toEqual([]);
    const notices = await w.services.outbox.list({ patientKey, kind: 'majority_notice' });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ recipient: marc, channel: 'email' });
    expect(notices[0].sent_at).not.toBeNull();
    expect(mail.sent.filter((m) => m.recipient === marc)).toHaveLength(1);

    // at majority the access ends, and the representative can no longer log in
    const acc = await w.services.accounts.create(SUPPORT, { patientKey, role: 'legal_representative', representativeId: representativeIds[0] });
    w.clock.set('2026-04-01T09:00:00Z');
    const last = await runJobs(w.services);
    expect(last.majority?.ended).toBeGreaterThanOrEqual(1);
    const ch = await w.services.login.start({ login: acc.login, password: acc.temporaryPassword }, ORIGIN);
    const msgs = await w.services.outbox.list({ recipient: marc, kind: 'login_code' });
    const code = /\b(\d{6})\b/.exec(msgs[msgs.length - 1].body)?.[1] ?? mail.sent.filter((m) => m.recipient === marc).map((m) => /\b(\d{6})\b/.exec(m.body)?.[1]).pop();
    await expect(w.services.login.verify({ challengeId: ch.challengeId, code }, ORIGIN)).rejects.toMatchObject({ code: 'forbidden', reason: 'representative_access_ended' });
  });
});
