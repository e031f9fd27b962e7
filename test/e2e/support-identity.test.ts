// AUTH-04 on a real port: an agent issuing credentials on a record must not hand it to someone
// whose typed identity is another person's.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { call, startPortal, type Portal } from '../support/patient-portal.js';
import { storeKinds } from '../support/stores.js';
import { newIns } from '../support/world.js';

const AGENT = { kind: 'support' as const, agentId: 'agent-id-check' };

describe.each(storeKinds())("support: the identity typed must be the record holder's [%s]", (kind) => {
  let portal: Portal;
  const db = () => portal.db;

  beforeAll(async () => {
    portal = await startPortal({}, kind);
  });
  afterAll(async () => {
    await portal?.close();
  });

  it('AUTH-04: a request with another person\'s name and birth date, handled on a record, is refused and traced; no account, no message; the matching request (accents aside) is served', async () => {
    const { patientKey } = await portal.server.app.services.records.create(
      { actor: AGENT, channel: 'test' },
      { identifiers: [newIns()], given: 'Élise', family: 'Dupré', birthDate: '1979-03-02', consent: { givenBy: 'patient' } },
    );
    const agent = await portal.server.tokenFor(AGENT);
    const stranger = 'stranger@example.org';
    const wrong = await call(portal, 'POST', '/auth/support/requests', { body: { family: 'Martin', given: 'Paul', birthDate: '1990-11-30', email: stranger } });
    expect(wrong.status).toBe(202);

    const refused = await call(portal, 'POST', `/auth/support/requests/${wrong.json.requestId}/handle`, { body: { decision: 'issue', patientKey }, token: agent });
    expect(refused.status).toBe(422);
    expect(refused.json).toMatchObject({ error: 'identity_mismatch' });
    const accounts = await db().query('SELECT 1 FROM account WHERE patient_key = $1', [patientKey]);
    expect(accounts.rows).toHaveLength(0);
    const messages = await db().query('SELECT 1 FROM outbox WHERE patient_key = $1 OR recipient = $2', [patientKey, stranger]);
    expect(messages.rows).toHaveLength(0);
    const traced = await db().query<{ outcome: string; reason: string | null }>(
      "SELECT outcome, reason FROM access_trace WHERE chain_key = $1 AND action = 'auth.support.handle' ORDER BY seq",
      [patientKey],
    );
    expect(traced.rows).toEqual([{ outcome: 'failure', reason: 'identity_mismatch' }]);
    // the request stays open: the agent may still reject it, or check it and name the right record
    const open = await call(portal, 'GET', '/auth/support/requests?status=open', { token: agent });
    expect(open.json.requests.map((r: { requestId: string }) => r.requestId)).toContain(wrong.json.requestId);

    const right = await call(portal, 'POST', '/auth/support/requests', { body: { family: 'DUPRE', given: 'elise', birthDate: '1979-03-02', email: 'elise@example.org' } });
    const issued = await call(portal, 'POST', `/auth/support/requests/${right.json.requestId}/handle`, { body: { decision: 'issue', patientKey }, token: agent });
    expect(issued.status).toBe(200);
    expect(issued.json).toMatchObject({ created: true, login: expect.any(String), temporaryPassword: expect.any(String) });
  });
});
