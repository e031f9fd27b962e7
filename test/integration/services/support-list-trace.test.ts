// TRACE-01 for the support desk's work list: each record the list names gets one row on its
// chain counting its requests, and the list as a whole one row on the security log counting them
// all (readAndTraceListed, src/services/auth-trace.ts).
import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from '@jest/globals';
import { describeEachStore } from '../../support/stores.js';
import { accessWorld, mailbox, SUPPORT } from '../../support/patient-access.js';
import { adultRecord, type World } from '../../support/world.js';

describeEachStore('support desk: the work list traced', (db) => {
  let w: World;
  beforeAll(async () => {
    w = await accessWorld(db());
  });

  it('TRACE-01 / AUTH-04: listing the requests traces each named record once with its count, and the listing with the count of every row', async () => {
    const a = await adultRecord(w);
    const b = await adultRecord(w);
    // each request from an address of its own: the desk limits requests per address
    const file = (identifier: unknown, n: number) =>
      w.services.support.request({ family: 'Durand', identifier, email: mailbox('reply') }, { address: `203.0.113.${n}`, requestId: randomUUID() });
    await file(a.ins, 11);
    await file(a.ins, 12);
    await file(b.ins, 13);
    await file({ system: '1.2.250.1.213.1.4.8', value: '0000000000000' }, 14);

    const requestId = `list-${randomUUID()}`;
    const rows = await w.services.support.list({ ...SUPPORT, requestId }, 'open', 500);
    const traced = await w.db.query<{ chain_key: string; listed: string; outcome: string }>(
      "SELECT chain_key::text, details->>'listed' AS listed, outcome FROM access_trace WHERE request_id = $1 AND action = 'auth.support.list'",
      [requestId],
    );
    const byChain = new Map(traced.rows.map((r) => [r.chain_key, Number(r.listed)]));
    const named = new Set(rows.map((r) => r.patient_key).filter((k) => k !== null));
    // one row per named record and one for the listing, all successes
    expect({ rows: traced.rows.length, outcomes: [...new Set(traced.rows.map((r) => r.outcome))] }).toEqual({ rows: named.size + 1, outcomes: ['success'] });
    expect([byChain.get(a.patientKey), byChain.get(b.patientKey)]).toEqual([2, 1]);
    const listing = traced.rows.filter((r) => !named.has(r.chain_key));
    expect(listing.map((r) => Number(r.listed))).toEqual([rows.length]);
    // the request naming no record is listed, and counted by the listing only
    expect(rows.some((r) => r.patient_key === null)).toBe(true);
  });
});
