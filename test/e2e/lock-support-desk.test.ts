// The support desk as an attacker of the lock would use it, on a real port and both stores: what
// an agent's work lists show of a record is an access to that record, and is traced (TRACE-01).
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { startTestApp, type RunningApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';
import { adultRecord, makeWorld, patientCaller, type World } from '../support/world.js';

const AGENT = { kind: 'support' as const, agentId: 'agent-lock10' };

describeEachStore('the support desk leaves a trace of what it reads', (db) => {
  let server: RunningApp;
  let w: World;

  const get = async (path: string) => {
    const res = await fetch(`${server.baseUrl}${path}`, { headers: { authorization: `Bearer ${await server.tokenFor(AGENT)}` } });
    return { status: res.status, json: (await res.json()) as { requests: Array<{ requestId: string; patientKey?: string }> } };
  };
  const supportRows = async (chain: string, action: string) =>
    (await db().query<{ outcome: string; actor_id: string }>("SELECT outcome, actor_id FROM access_trace WHERE chain_key = $1 AND actor_kind = 'support' AND action = $2 ORDER BY seq", [chain, action])).rows;

  beforeAll(async () => {
    w = await makeWorld(db());
    server = await startTestApp(db());
    w = { ...w, services: server.app.services };
  });
  afterAll(async () => {
    await server.close();
  });

  it("TRACE-01: an agent listing the copy requests reads each listed record's request (its address, its reason): traced on that record's chain, which the patient reads", async () => {
    const rec = await adultRecord(w);
    const asked = await w.services.copyRequests.request(patientCaller(rec.patientKey), rec.patientKey, { reason: 'pour mon médecin', delivery: 'postal', address: '12 rue des Acacias, Rennes' });
    const listed = await get('/auth/support/copy-requests?status=open');
    expect(listed.status).toBe(200);
    expect(listed.json.requests.map((r) => r.requestId)).toContain(asked.requestId);
    expect(await supportRows(rec.patientKey, 'record.copy_request.read')).toEqual([{ outcome: 'success', actor_id: AGENT.agentId }]);
  });

  it("TRACE-01/AUTH-04: an agent listing lost-credentials requests learns which ones name a record: traced on that record's chain, and the listing itself on the security log", async () => {
    const rec = await adultRecord(w);
    const filed = await fetch(`${server.baseUrl}/auth/support/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ family: 'Garnier', identifier: rec.ins, email: 'garnier@example.org' }),
    });
    expect(filed.status).toBe(202);
    const { requestId } = (await filed.json()) as { requestId: string };
    const before = (await db().query<{ n: number }>("SELECT count(*)::int AS n FROM access_trace WHERE actor_kind = 'support' AND action = 'auth.support.list'")).rows[0]!.n;
    const listed = await get('/auth/support/requests');
    expect(listed.json.requests.find((r) => r.requestId === requestId)).toMatchObject({ patientKey: rec.patientKey });
    expect(await supportRows(rec.patientKey, 'auth.support.list')).toEqual([{ outcome: 'success', actor_id: AGENT.agentId }]);
    const after = (await db().query<{ n: number }>("SELECT count(*)::int AS n FROM access_trace WHERE actor_kind = 'support' AND action = 'auth.support.list'")).rows[0]!.n;
    // one row on the record's chain, one on the security log for the listing as a whole
    expect(after - before).toBe(2);
  });

  it("TRACE-01: an agent asking for a creation code learns that the INS already has a DMP — that check is traced on the record's chain, as any existence check is", async () => {
    const rec = await adultRecord(w);
    const res = await fetch(`${server.baseUrl}/auth/support/creation-codes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await server.tokenFor(AGENT)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: rec.ins, family: 'Durand', given: 'Jeanne', birthDate: '1980-05-17', delivery: 'post' }),
    });
    expect([res.status, ((await res.json()) as { error: string }).error]).toEqual([409, 'record_exists']);
    expect(await supportRows(rec.patientKey, 'auth.creation_code.issue')).toEqual([{ outcome: 'failure', actor_id: AGENT.agentId }]);
  });
});
