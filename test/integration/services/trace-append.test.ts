// TRACE-01/02 when appends race: each access first tries the chain head its record's load read
// (one statement), and falls back to locking the head when another access moved it in between.
// On PostgreSQL the searches below run on several connections at once, so many of them read a
// head that has moved by the time they append; every access must still leave its row, in one
// unforked chain that verifies.
import { beforeAll, expect, it } from '@jest/globals';
import { appendTrace, verifyTrace } from '../../../src/store/trace-repo.js';
import { describeEachStore } from '../../support/stores.js';
import { adultRecord, makeWorld, patientCaller, type World } from '../../support/world.js';

describeEachStore('the trace chain under concurrent accesses (TRACE-01, TRACE-02)', (db) => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld(db());
  });

  const rowsOf = async (patientKey: string) =>
    (await db().query<{ n: number; max: number }>('SELECT count(*)::int AS n, max(seq)::int AS max FROM access_trace WHERE chain_key = $1', [patientKey])).rows[0]!;

  it('TRACE-02: 24 searches of one record at once each leave one row, numbered without gap, and the chain verifies', async () => {
    const { patientKey } = await adultRecord(w);
    const before = await rowsOf(patientKey);
    await Promise.all(Array.from({ length: 24 }, () => w.services.documents.find(patientCaller(patientKey), { patientKey }, { limit: 5, countTotal: true })));
    const after = await rowsOf(patientKey);
    expect(after.n - before.n).toBe(24);
    expect(after.max).toBe(after.n);
    const head = (await db().query<{ seq: number }>('SELECT seq::int AS seq FROM access_trace_head WHERE chain_key = $1', [patientKey])).rows[0]!;
    expect(head.seq).toBe(after.n);
    expect((await verifyTrace(db())).broken).toEqual([]);
  });

  it('TRACE-02: a head read before another append is not trusted: the row follows the real head', async () => {
    const { patientKey } = await adultRecord(w);
    await w.services.documents.find(patientCaller(patientKey), { patientKey });
    const stale = (await db().query<{ seq: number; hash: string }>('SELECT seq::int AS seq, hash FROM access_trace_head WHERE chain_key = $1', [patientKey])).rows[0]!;
    await w.services.documents.find(patientCaller(patientKey), { patientKey });
    const entry = { patientKey, occurredAt: new Date(), actor: { kind: 'support', id: 'agent' }, action: 'record.read', outcome: 'success' as const, channel: 'test' };
    const row = await db().transaction((tx) => appendTrace(tx, entry, stale));
    expect(row.seq).toBe(stale.seq + 2);
    expect(row.prev_hash).not.toBe(stale.hash);
    // and a hash that was never the head's is not taken for it either
    const forged = await db().transaction((tx) => appendTrace(tx, entry, { seq: row.seq, hash: stale.hash }));
    expect(forged.seq).toBe(row.seq + 1);
    expect(forged.prev_hash).toBe(row.hash);
    expect((await verifyTrace(db())).broken).toEqual([]);
  });
});

