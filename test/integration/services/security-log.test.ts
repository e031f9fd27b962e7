// TRACE-05: the security log's limit holds for several servers on one database, and what it
// leaves out is counted in the chain.
import { expect, it } from '@jest/globals';
import { loadPolicy } from '../../../src/profiles/load.js';
import { createServices } from '../../../src/services/index.js';
import { verifySecurityLog } from '../../../src/store/security-log-repo.js';
import { TestClock } from '../../support/clock.js';
import { describeEachStore } from '../../support/stores.js';

describeEachStore('TRACE-05: the security log limit across servers', (db) => {
  it('TRACE-05: two servers share one per-minute limit; the refusals left out are carried by the next row, and the chain verifies', async () => {
    const clock = new TestClock(Date.parse('2032-05-01T10:00:05Z'));
    const server = () =>
      createServices({
        db: db(),
        policy: loadPolicy(),
        clock,
        limits: { defaultPageSize: 20, maxPageSize: 100, maxQueryResults: 5000, securityLogPerMinute: 3 },
        repositoryUniqueId: '1.2.250.1.999.1.1.1',
      }).accessRefusals;
    const [first, second] = [server(), server()];
    const refuse = (s: typeof first, n: number) => s.logUnauthenticated({ channel: 'fhir', reason: 'missing', operation: 'GET /fhir/Patient', requestId: `r${n}` });

    const written: boolean[] = [];
    for (let i = 0; i < 2; i++) written.push(await refuse(first, i));
    for (let i = 2; i < 5; i++) written.push(await refuse(second, i));
    // the database's limit: the second server's second and third refusals are only counted
    expect(written).toEqual([true, true, true, false, false]);
    // the first server has not reached the limit alone; the database refuses it a row too
    expect(await refuse(first, 5)).toBe(false);
    for (let i = 6; i < 9; i++) expect(await refuse(first, i)).toBe(false);

    clock.advance(60_000);
    expect(await refuse(second, 9)).toBe(true);
    const rows = await db().query<{ request_id: string; suppressed_before: string }>('SELECT request_id, suppressed_before::text AS suppressed_before FROM security_log ORDER BY seq');
    expect(rows.rows.map((r) => [r.request_id, Number(r.suppressed_before)])).toEqual([['r0', 0], ['r1', 0], ['r2', 0], ['r9', 3]]);
    // the first server's own count (r6, r7, r8: past its own limit, never sent) is carried by its next row
    expect(await refuse(first, 10)).toBe(true);
    const all = await db().query<{ suppressed_before: string }>('SELECT suppressed_before::text AS suppressed_before FROM security_log ORDER BY seq');
    expect(Number(all.rows[4]!.suppressed_before)).toBe(3);
    // every one of the 11 refusals is in the chain: as a row, or counted by one
    expect(all.rows.length + all.rows.reduce((n, r) => n + Number(r.suppressed_before), 0)).toBe(11);
    expect(await verifySecurityLog(db())).toEqual({ rows: 5, pendingSuppressed: 0 });
  });

  it("TRACE-05: a refusal whose caller's claim has a two-unit character where the claim is cut keeps its row (the cut keeps the character whole or leaves it out)", async () => {
    const clock = new TestClock(Date.parse('2032-06-01T10:00:05Z'));
    const refusals = createServices({
      db: db(),
      policy: loadPolicy(),
      clock,
      limits: { defaultPageSize: 20, maxPageSize: 100, maxQueryResults: 5000, securityLogPerMinute: 100 },
      repositoryUniqueId: '1.2.250.1.999.1.1.1',
    }).accessRefusals;
    // the 64th unit is the first half of an emoji: a cut at 64 units would keep half of it, which the store's JSON refuses
    const claim = `${'a'.repeat(63)}\u{1F600}tail`;
    expect(await refusals.logUnauthenticated({ channel: 'fhir', reason: 'invalid_token', requestId: 'emoji-claim', claims: { sub: claim } })).toBe(true);
    const row = await db().query<{ claims: Record<string, string> }>("SELECT claims FROM security_log WHERE request_id = 'emoji-claim'");
    expect(row.rows).toHaveLength(1);
    expect(row.rows[0]!.claims.sub).toBe('a'.repeat(63));
  });
});
