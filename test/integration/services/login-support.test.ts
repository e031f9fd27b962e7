import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from '@jest/globals';
import { describeEachStore } from '../../support/stores.js';
import { accessWorld, activeAccount, lastCode, mailbox, ORIGIN, SUPPORT } from '../../support/patient-access.js';
import { adultRecord, newIns, type World } from '../../support/world.js';

async function traceRows(w: World, patientKey: string, action: string) {
  const r = await w.db.query<{ outcome: string; actor_kind: string; actor_id: string; target_id: string | null }>(
    'SELECT outcome, actor_kind, actor_id, target_id FROM access_trace WHERE chain_key = $1 AND action = $2 ORDER BY seq',
    [patientKey, action],
  );
  return r.rows;
}

describeEachStore('login: support flow and contact settings', (db) => {
  let w: World;
  beforeAll(async () => {
    w = await accessWorld(db());
  });

  it('AUTH-04: a lost-credentials request is handled by a support agent, who gets the login and a new temporary password; both steps are traced, the request on the security log (TRACE-05)', async () => {
    const { patientKey, ins } = await adultRecord(w);
    const email = mailbox();
    const a = await activeAccount(w, patientKey, email);
    const req = await w.services.support.request({ family: 'Durand', given: 'Jeanne', birthDate: '1980-05-17', identifier: ins, email: mailbox('reply') }, ORIGIN);
    expect(req.status).toBe('open');
    const open = await w.services.support.list(SUPPORT);
    expect(open.map((r) => r.request_id)).toContain(req.requestId);

    const patient = { actor: { kind: 'patient' as const, patientKey, accountId: a.accountId }, channel: 'test' as const };
    await expect(w.services.support.handle(patient, req.requestId, { decision: 'issue' })).rejects.toMatchObject({ code: 'forbidden' });

    const issued = await w.services.support.handle(SUPPORT, req.requestId, { decision: 'issue' });
    expect(issued).toMatchObject({ login: a.login, accountId: a.accountId, created: false });
    const creds = issued as { temporaryPassword: string };
    // the old password is gone; the temporary one opens a restricted session
    await expect(w.services.login.start({ login: a.login, password: a.password }, ORIGIN)).rejects.toMatchObject({ reason: 'invalid_credentials' });
    const ch = await w.services.login.start({ login: a.login, password: creds.temporaryPassword }, ORIGIN);
    const s = await w.services.login.verify({ challengeId: ch.challengeId, code: await lastCode(w.services, email, ch.challengeId) }, ORIGIN);
    expect(s.passwordChangeRequired).toBe(true);
    // the holder is told, at the contact on file
    expect((await w.services.outbox.list({ recipient: email, kind: 'credentials_reset' })).length).toBe(1);

    await expect(w.services.support.handle(SUPPORT, req.requestId, { decision: 'issue' })).rejects.toMatchObject({ code: 'conflict' });
    // TRACE-05: whoever filed the request is not established: it is on the security log, not on the record
    expect(await traceRows(w, patientKey, 'auth.support.request')).toEqual([]);
    const logged = await w.db.query<{ operation: string; client_address: string }>("SELECT operation, client_address FROM security_log WHERE claims->>'supportRequest' = $1", [req.requestId]);
    expect(logged.rows).toEqual([{ operation: 'auth.support.request', client_address: ORIGIN.address }]);
    const handled = await traceRows(w, patientKey, 'auth.support.handle');
    expect(handled.map((t) => [t.outcome, t.actor_kind])).toEqual([
      ['denied', 'patient'],
      ['success', 'support'],
      ['failure', 'support'],
    ]);
    expect(handled[1].actor_id).toBe('agent-7');
  });

  it('AUTH-04: a request that names no known record answers the same; the agent names the record and a first account is created with the request contact', async () => {
    const { patientKey } = await adultRecord(w);
    const reply = mailbox('reply');
    const req = await w.services.support.request({ family: 'Durand', identifier: { system: '1.2.250.1.213.1.4.8', value: '0000000000000' }, email: reply }, ORIGIN);
    expect(Object.keys(req).sort()).toEqual(['requestId', 'status']);
    await expect(w.services.support.handle(SUPPORT, req.requestId, { decision: 'issue' })).rejects.toMatchObject({ reason: 'record_required' });
    const issued = await w.services.support.handle(SUPPORT, req.requestId, { decision: 'issue', patientKey });
    expect(issued).toMatchObject({ created: true });
    const ch = await w.services.login.start({ login: (issued as { login: string }).login, password: (issued as { temporaryPassword: string }).temporaryPassword }, ORIGIN);
    expect(ch.channel).toBe('email');
    expect(await lastCode(w.services, reply, ch.challengeId)).toMatch(/^\d{6}$/);
  });

  it("AUTH-04: a legal representative's request is checked against the representative's names, kept on the record", async () => {
    const { patientKey, representativeIds } = await w.services.records.create(SUPPORT, {
      identifiers: [newIns()],
      given: 'Hugo',
      family: 'Lefèvre',
      birthDate: '2015-04-01',
      representatives: [{ relationship: 'parent', family: 'Lefèvre', given: 'Marc' }],
      consent: { givenBy: 'legal_representative', representativeIndex: 0 },
    });
    const asRep = { decision: 'issue' as const, patientKey, role: 'legal_representative' as const, representativeId: representativeIds[0] };
    // the child's birth date in a parent's request is not a mismatch: no birth date is kept for a representative
    const other = await w.services.support.request({ family: 'Martin', given: 'Marc', birthDate: '2015-04-01', role: 'legal_representative', email: mailbox('other') }, ORIGIN);
    await expect(w.services.support.handle(SUPPORT, other.requestId, asRep)).rejects.toMatchObject({ code: 'business_rule', reason: 'identity_mismatch' });
    const marc = await w.services.support.request({ family: 'LEFEVRE', given: 'marc', birthDate: '2015-04-01', role: 'legal_representative', email: mailbox('marc') }, ORIGIN);
    await expect(w.services.support.handle(SUPPORT, marc.requestId, asRep)).resolves.toMatchObject({ created: true });
    // a representative the record does not keep has no identity to compare: nothing is issued
    // (from another address: the suite's requests share the per-address limit)
    const stranger = await w.services.support.request({ family: 'Durand', given: 'Eve', role: 'legal_representative', email: mailbox('eve') }, { ...ORIGIN, address: '198.51.100.77' });
    await expect(w.services.support.handle(SUPPORT, stranger.requestId, { ...asRep, representativeId: randomUUID() })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('AUTH-04: a request may be rejected; it needs a way to answer', async () => {
    await expect(w.services.support.request({ family: 'Durand' }, ORIGIN)).rejects.toMatchObject({ code: 'invalid_metadata' });
    const req = await w.services.support.request({ family: 'Durand', phone: '+33611223344' }, ORIGIN);
    await expect(w.services.support.handle(SUPPORT, req.requestId, { decision: 'reject' })).resolves.toEqual({ status: 'rejected' });
    expect((await w.services.support.list(SUPPORT, 'rejected')).map((r) => r.request_id)).toContain(req.requestId);
  });

  it('AUTH-05: the logged-in patient moves codes to SMS on a new phone; the previous address is told', async () => {
    const { patientKey } = await adultRecord(w);
    const email = mailbox();
    const a = await activeAccount(w, patientKey, email);
    const caller = { actor: { kind: 'patient' as const, patientKey, accountId: a.accountId }, channel: 'test' as const };
    await expect(w.services.accounts.updateContact(caller, { codeChannel: 'sms' })).rejects.toMatchObject({ code: 'business_rule', reason: 'contact_required' });
    await expect(w.services.accounts.updateContact(caller, { phone: 'not a phone' })).rejects.toMatchObject({ code: 'invalid_metadata' });
    const view = await w.services.accounts.updateContact(caller, { phone: '07 00 11 22 33', codeChannel: 'sms' });
    expect(view).toMatchObject({ phone: '+33700112233', codeChannel: 'sms', email });
    expect((await w.services.outbox.list({ recipient: email, kind: 'contact_changed' })).length).toBe(1);
    const ch = await w.services.login.start({ login: a.login, password: a.password }, ORIGIN);
    expect(ch).toMatchObject({ channel: 'sms', sentTo: '+33*******33' });
    expect(await lastCode(w.services, '+33700112233', ch.challengeId)).toMatch(/^\d{6}$/);
    expect((await traceRows(w, patientKey, 'account.contact.update')).map((t) => t.outcome)).toEqual(['failure', 'failure', 'success']);
  });

  it('AUTH-05 / PAT-03: the patient sets, changes and removes the alert address of the record', async () => {
    const { patientKey } = await adultRecord(w);
    const a = await activeAccount(w, patientKey, mailbox());
    const caller = { actor: { kind: 'patient' as const, patientKey, accountId: a.accountId }, channel: 'test' as const };
    const alert = mailbox('alerts');
    expect((await w.services.accounts.updateContact(caller, { alertEmail: alert })).alertEmail).toBe(alert);
    expect((await w.db.query<{ alert_email: string }>('SELECT alert_email FROM dmp WHERE patient_key = $1', [patientKey])).rows[0].alert_email).toBe(alert);
    expect((await w.services.accounts.updateContact(caller, { alertEmail: null })).alertEmail).toBeNull();
    // a caller without an account session has no contact settings here
    await expect(w.services.accounts.getContact({ actor: { kind: 'patient', patientKey }, channel: 'test' })).rejects.toMatchObject({ code: 'forbidden' });
  });
});
