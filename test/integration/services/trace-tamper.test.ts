// TRACE-02: a change made behind the server's back, inside one lane of a record's trace, is found
// by the verification — an altered row, a removed one, one inserted, two swapped, a lane's tail
// cut, a row moved to another lane, a lane removed whole. Each test spoils a record of its own and
// verifies that record's chain, so the others' stay intact. The database refuses such changes
// (append-only triggers): the tests switch them off, as someone with the database's keys could.
import { beforeAll, expect, it } from '@jest/globals';
import type { Tx } from '../../../src/store/db.js';
import { appendTrace, GENESIS_HASH, traceRowHash, type TraceEntry, type TraceRow } from '../../../src/store/trace-repo.js';
import { verifyTrace } from '../../../src/store/trace-verify.js';
import { describeEachStore } from '../../support/stores.js';
import { adultRecord, makeWorld, patientCaller, type World } from '../../support/world.js';

const LANE = 3;

describeEachStore('tampering inside a trace lane (TRACE-02)', (db) => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld(db());
  });

  const entry = (patientKey: string, n: number): TraceEntry => ({
    patientKey, occurredAt: new Date(), actor: { kind: 'support', id: `agent-${n}` }, action: 'record.read', outcome: 'success', channel: 'test',
  });

  /** A record with rows in lane 0 (its own accesses) and four in lane LANE, each verifying. */
  async function recordWithTwoLanes(): Promise<{ patientKey: string; lane: TraceRow[] }> {
    const { patientKey } = await adultRecord(w);
    await w.services.documents.find(patientCaller(patientKey), { patientKey });
    const lane: TraceRow[] = [];
    for (let n = 1; n <= 4; n++) {
      const prev = lane.at(-1) ?? { lane: LANE, seq: 0, hash: GENESIS_HASH };
      lane.push(await db().transaction((tx) => appendTrace(tx, entry(patientKey, n), prev)));
    }
    expect(lane.map((r) => [r.lane, r.seq])).toEqual([[LANE, 1], [LANE, 2], [LANE, 3], [LANE, 4]]);
    const verified = await verifyTrace(db(), 2000, patientKey);
    expect(verified.broken).toEqual([]);
    expect(verified.rows).toBeGreaterThanOrEqual(6);
    return { patientKey, lane };
  }

  /** Runs `fn` with the append-only triggers of the trace off. */
  async function behindTheServersBack(fn: (tx: Tx) => Promise<unknown>): Promise<void> {
    await db().transaction(async (tx) => {
      await tx.query('ALTER TABLE access_trace DISABLE TRIGGER USER');
      await fn(tx);
      await tx.query('ALTER TABLE access_trace ENABLE TRIGGER USER');
    });
  }

  const brokenOf = async (patientKey: string) => (await verifyTrace(db(), 2000, patientKey)).broken;

  it('TRACE-02: an altered row inside a lane is found, and named by its lane and seq', async () => {
    const { patientKey, lane } = await recordWithTwoLanes();
    await behindTheServersBack((tx) => tx.query("UPDATE access_trace SET actor_id = 'someone-else' WHERE chain_key = $1 AND lane = $2 AND seq = 2", [patientKey, LANE]));
    expect(await brokenOf(patientKey)).toEqual([{ chainKey: patientKey, lane: LANE, seq: 2, traceId: lane[1]!.trace_id, problem: expect.stringMatching(/altered/) }]);
  });

  it('TRACE-02: a row deleted from the middle of a lane is found', async () => {
    const { patientKey } = await recordWithTwoLanes();
    await behindTheServersBack((tx) => tx.query('DELETE FROM access_trace WHERE chain_key = $1 AND lane = $2 AND seq = 2', [patientKey, LANE]));
    expect(await brokenOf(patientKey)).toEqual([expect.objectContaining({ chainKey: patientKey, lane: LANE, seq: 3, problem: 'row 2 is missing' })]);
  });

  it('TRACE-02: a row inserted into a lane, hashed and linked as the server would, is found', async () => {
    const { patientKey, lane } = await recordWithTwoLanes();
    const last = lane.at(-1)!;
    const forged: Omit<TraceRow, 'hash'> = { ...last, seq: last.seq + 1, trace_id: '11111111-2222-4333-8444-555555555555', actor_id: 'intruder', prev_hash: last.hash };
    const row = { ...forged, hash: traceRowHash(forged) };
    await db().query(
      `INSERT INTO access_trace (chain_key, lane, seq, trace_id, occurred_at, actor_kind, actor_id, action, outcome, channel, details, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [row.chain_key, row.lane, row.seq, row.trace_id, row.occurred_at, row.actor_kind, row.actor_id, row.action, row.outcome, row.channel, JSON.stringify(row.details), row.prev_hash, row.hash],
    );
    expect(await brokenOf(patientKey)).toEqual([expect.objectContaining({ chainKey: patientKey, lane: LANE, problem: expect.stringMatching(/chain ends at 5 but its head says 4/) })]);
  });

  it('TRACE-02: two rows of a lane swapped is found', async () => {
    const { patientKey } = await recordWithTwoLanes();
    await behindTheServersBack(async (tx) => {
      await tx.query('UPDATE access_trace SET seq = 99 WHERE chain_key = $1 AND lane = $2 AND seq = 2', [patientKey, LANE]);
      await tx.query('UPDATE access_trace SET seq = 2 WHERE chain_key = $1 AND lane = $2 AND seq = 3', [patientKey, LANE]);
      await tx.query('UPDATE access_trace SET seq = 3 WHERE chain_key = $1 AND lane = $2 AND seq = 99', [patientKey, LANE]);
    });
    expect(await brokenOf(patientKey)).toEqual([expect.objectContaining({ chainKey: patientKey, lane: LANE, seq: 2 })]);
  });

  it("TRACE-02: a lane's tail cut off (its last rows deleted) is found through the lane's head", async () => {
    const { patientKey } = await recordWithTwoLanes();
    await behindTheServersBack((tx) => tx.query('DELETE FROM access_trace WHERE chain_key = $1 AND lane = $2 AND seq >= 3', [patientKey, LANE]));
    expect(await brokenOf(patientKey)).toEqual([expect.objectContaining({ chainKey: patientKey, lane: LANE, problem: expect.stringMatching(/chain ends at 2 but its head says 4/) })]);
  });

  it('TRACE-02: a row moved to another lane is found in both', async () => {
    const { patientKey } = await recordWithTwoLanes();
    await behindTheServersBack((tx) => tx.query('UPDATE access_trace SET lane = 6, seq = 1 WHERE chain_key = $1 AND lane = $2 AND seq = 4', [patientKey, LANE]));
    const broken = await brokenOf(patientKey);
    expect(broken.map((b) => b.lane).sort()).toEqual([LANE, 6]);
  });

  it('TRACE-02: a lane removed whole, its rows and its head, is found', async () => {
    const { patientKey } = await recordWithTwoLanes();
    await behindTheServersBack(async (tx) => {
      await tx.query('DELETE FROM access_trace WHERE chain_key = $1 AND lane = $2', [patientKey, LANE]);
      await tx.query('DELETE FROM access_trace_head WHERE chain_key = $1 AND lane = $2', [patientKey, LANE]);
    });
    expect(await brokenOf(patientKey)).toEqual([expect.objectContaining({ chainKey: patientKey, lane: LANE, problem: `lane ${LANE} has no head (removed)` })]);
  });
});
