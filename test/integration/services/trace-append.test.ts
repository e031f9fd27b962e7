// TRACE-01/02 when accesses to one record race: a record's trace is kept in lanes, and an access
// appends to a lane no other transaction holds, so accesses of one record no longer queue behind
// one head. Every access must still leave its row, each lane numbered without gap, unforked, and
// verifying on its own. On PostgreSQL the searches below run on several connections at once; the
// tests that hold a lane open a transaction and leave it open while another access runs.
import { beforeAll, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Statement } from '../../../src/store/combined-writes.js';
import { appendTrace, GENESIS_HASH, TRACE_LANES, type ChainHead, type TraceEntry } from '../../../src/store/trace-repo.js';
import type { Queryable } from '../../../src/store/db.js';
import { inReadOnlySnapshot } from '../../../src/store/snapshot.js';
import { verifyTrace } from '../../../src/store/trace-verify.js';
import { describeEachStore } from '../../support/stores.js';
import { holdTraceLane } from '../../support/trace-hold.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, type World } from '../../support/world.js';

describeEachStore('the trace lanes under concurrent accesses (TRACE-01, TRACE-02)', (db, kind) => {
  let w: World;
  beforeAll(async () => {
    w = await makeWorld(db());
  });

  /** Per lane of the record: its rows, its highest seq, and its head's seq. */
  const lanesOf = async (patientKey: string) =>
    (
      await db().query<{ lane: number; n: number; max: number; head: number }>(
        `SELECT h.lane::int AS lane, count(t.seq)::int AS n, COALESCE(max(t.seq), 0)::int AS max, h.seq::int AS head
         FROM access_trace_head h LEFT JOIN access_trace t ON t.chain_key = h.chain_key AND t.lane = h.lane
         WHERE h.chain_key = $1 GROUP BY h.lane, h.seq ORDER BY h.lane`,
        [patientKey],
      )
    ).rows;
  /** The lane of each traced search of the record, in lane order. */
  const searchLanesOf = async (patientKey: string) =>
    (
      await db().query<{ lane: number }>(
        "SELECT lane::int AS lane FROM access_trace WHERE chain_key = $1 AND action = 'record.read' AND details ? 'search' ORDER BY lane, seq",
        [patientKey],
      )
    ).rows;
  const rowCount = async (patientKey: string) => (await lanesOf(patientKey)).reduce((n, l) => n + l.n, 0);
  const entry = (patientKey: string, action = 'record.read'): TraceEntry => ({
    patientKey, occurredAt: new Date(), actor: { kind: 'support', id: 'agent' }, action, outcome: 'success', channel: 'test',
  });

  /**
   * Resolves when a session waits for a lane head of this schema's trace: it holds the head row's
   * tuple lock and waits, ungranted, for the transaction that holds the row.
   */
  async function someoneWaitsForALane(): Promise<void> {
    for (;;) {
      const { rows } = await db().query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks l WHERE l.locktype = 'tuple' AND l.relation = 'access_trace_head'::regclass
           AND l.pid IN (SELECT pid FROM pg_locks WHERE NOT granted)`,
      );
      if (rows[0].n > 0) return;
      await new Promise((r) => setImmediate(r));
    }
  }

  it('TRACE-01, TRACE-02: 24 searches of one record at once each leave one row; every lane is numbered without gap up to its head, and each verifies', async () => {
    const { patientKey } = await adultRecord(w);
    const before = await rowCount(patientKey);
    await Promise.all(Array.from({ length: 24 }, () => w.services.documents.find(patientCaller(patientKey), { patientKey }, { limit: 5, countTotal: true })));
    expect((await rowCount(patientKey)) - before).toBe(24);
    const lanes = await lanesOf(patientKey);
    expect(lanes.map((l) => l.lane)).toEqual(Array.from({ length: TRACE_LANES }, (_, i) => i));
    for (const l of lanes) expect({ lane: l.lane, max: l.max, head: l.head }).toEqual({ lane: l.lane, max: l.n, head: l.n });
    const verified = await verifyTrace(db(), 2000, patientKey);
    expect(verified).toMatchObject({ chains: 1, lanes: TRACE_LANES, broken: [] });
  });

  /** ITI-67's page: read and traced in one statement when lane 0 is free (src/services/traced-read.ts). */
  const versionedPage = (patientKey: string) =>
    w.services.documents.findVersioned(patientCaller(patientKey), { patientKey }, { limit: 5, countTotal: true }, {}, () => []);
  /** A record holding three documents, read once (its trace begun). */
  const recordWithDocuments = async () => {
    const { patientKey, ins } = await adultRecord(w);
    await w.services.submissions.submit(as(proActor('doctor')), submission(ins, [{}, {}, {}]));
    await w.services.documents.find(patientCaller(patientKey), { patientKey });
    return patientKey;
  };

  it('TRACE-01: a page read in one statement with its trace row leaves that row in lane 0, and the page find() reads', async () => {
    const patientKey = await recordWithDocuments();
    const before = await rowCount(patientKey);
    const page = await versionedPage(patientKey);
    const found = await w.services.documents.find(patientCaller(patientKey), { patientKey }, { limit: 5, countTotal: true });
    expect(page.rows.map((r) => `urn:uuid:${r.entryUuid}`)).toEqual(found.entries.map((e) => e.entryUuid));
    expect(page.total).toBe(3);
    expect(found.total).toBe(3);
    const lanes = await lanesOf(patientKey);
    expect(lanes.filter((l) => l.n > 0).map((l) => l.lane)).toEqual([0]);
    expect((await rowCount(patientKey)) - before).toBe(2);
    expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
  });

  it('TRACE-01, TRACE-02: 24 pages of one record read at once, in one statement each where lane 0 allows, leave one row each, and every lane verifies', async () => {
    const patientKey = await recordWithDocuments();
    const before = await rowCount(patientKey);
    await Promise.all(Array.from({ length: 24 }, () => versionedPage(patientKey)));
    expect((await rowCount(patientKey)) - before).toBe(24);
    for (const l of await lanesOf(patientKey)) expect({ lane: l.lane, max: l.max, head: l.head }).toEqual({ lane: l.lane, max: l.n, head: l.n });
    expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
  });

  it('TRACE-01: one after another, accesses stay in lane 0, in the order they happened', async () => {
    const { patientKey } = await adultRecord(w);
    for (let i = 0; i < 3; i++) await w.services.documents.find(patientCaller(patientKey), { patientKey });
    const lanes = await lanesOf(patientKey);
    expect(lanes.filter((l) => l.n > 0).map((l) => l.lane)).toEqual([0]);
    const history = await w.services.history.read(patientCaller(patientKey), patientKey, { limit: 50, offset: 0 });
    // newest first, the reading itself not yet among them
    expect(history.rows.map((r) => r.seq)).toEqual([...history.rows.map((r) => r.seq)].sort((a, b) => b - a));
  });

  it('TRACE-02: a lane head read before another append is not trusted: the row follows the real head', async () => {
    const { patientKey } = await adultRecord(w);
    await w.services.documents.find(patientCaller(patientKey), { patientKey });
    const stale = (await db().query<ChainHead>('SELECT lane::int AS lane, seq::int AS seq, hash FROM access_trace_head WHERE chain_key = $1 AND lane = 0', [patientKey])).rows[0]!;
    await w.services.documents.find(patientCaller(patientKey), { patientKey });
    const row = await db().transaction((tx) => appendTrace(tx, entry(patientKey), stale));
    expect(row).toMatchObject({ lane: 0, seq: stale.seq + 2 });
    expect(row.prev_hash).not.toBe(stale.hash);
    // and a hash that was never the head's is not taken for it either
    const forged = await db().transaction((tx) => appendTrace(tx, entry(patientKey), { lane: 0, seq: row.seq, hash: stale.hash }));
    expect(forged).toMatchObject({ lane: 0, seq: row.seq + 1, prev_hash: row.hash });
    expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
  });

  /** A write of an access, as a deposit's (a registry row of the record), and whether it is stored. */
  const registryRow = (patientKey: string, type = 'Association'): Statement => ({
    sql: 'INSERT INTO registry_object (entry_uuid, patient_key, object_type) VALUES ($1, $2, $3)',
    params: [randomUUID(), patientKey, type],
  });
  const stored = async (st: Statement) => (await db().query('SELECT 1 FROM registry_object WHERE entry_uuid = $1', [st.params[0]])).rows.length;
  const headOf = async (patientKey: string, lane: number) =>
    (await db().query<ChainHead>('SELECT lane::int AS lane, seq::int AS seq, hash FROM access_trace_head WHERE chain_key = $1 AND lane = $2', [patientKey, lane])).rows[0]!;

  it('TRACE-01: an access\'s writes sent along with its row go in the same one statement, before it, in its transaction', async () => {
    const { patientKey } = await adultRecord(w);
    const writes = [registryRow(patientKey), registryRow(patientKey)];
    const sent: string[] = [];
    const head = await headOf(patientKey, 0);
    const appended = await db().transaction((tx) => appendTrace({ query: (sql, params) => (sent.push(sql), tx.query(sql, params)) }, entry(patientKey, 'document.submit'), head, writes));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^WITH w0 AS \(INSERT INTO registry_object[\s\S]*INSERT INTO access_trace /);
    expect(appended).toMatchObject({ lane: 0, seq: head.seq + 1, prev_hash: head.hash });
    for (const st of writes) expect(await stored(st)).toBe(1);
    expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
  });

  (kind === 'postgres' ? it : it.skip)('TRACE-01: when the lane read is held by another access, the writes are made once and the row follows a free lane', async () => {
    const { patientKey } = await adultRecord(w);
    const head = await headOf(patientKey, 0);
    const held = await holdTraceLane(db(), entry(patientKey));
    expect(held.lane).toBe(0);
    try {
      const write = registryRow(patientKey);
      const row = await db().transaction((tx) => appendTrace(tx, entry(patientKey, 'document.submit'), head, [write]));
      expect(row.lane).not.toBe(0);
      expect(await stored(write)).toBe(1);
    } finally {
      await held.release();
    }
    expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
  });

  it('DOC-03, TRACE-01: a write sent along that fails leaves nothing: neither the other writes nor the row', async () => {
    const { patientKey } = await adultRecord(w);
    const head = await headOf(patientKey, 0);
    const rowsBefore = await rowCount(patientKey);
    const good = registryRow(patientKey);
    await expect(db().transaction((tx) => appendTrace(tx, entry(patientKey, 'document.submit'), head, [good, registryRow(patientKey, 'NotAType')]))).rejects.toBeDefined();
    expect(await stored(good)).toBe(0);
    expect(await rowCount(patientKey)).toBe(rowsBefore);
    expect(await headOf(patientKey, 0)).toEqual(head);
  });

  it('TRACE-01: the rows one transaction writes stay in the lane it holds, in order', async () => {
    const { patientKey } = await adultRecord(w);
    const rows = await db().transaction(async (tx) => {
      // lane 5, still at its start: the append takes it, and the next one follows it there
      const first = await appendTrace(tx, entry(patientKey), { lane: 5, seq: 0, hash: GENESIS_HASH });
      const second = await appendTrace(tx, entry(patientKey), first);
      return [first, second];
    });
    expect(rows.map((r) => [r.lane, r.seq])).toEqual([[5, 1], [5, 2]]);
    expect(rows[1]!.prev_hash).toBe(rows[0]!.hash);
    expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
  });

  it('TRACE-03: the history is one list across the lanes, newest first by the time of each access', async () => {
    const { patientKey } = await adultRecord(w);
    const at = (minute: number) => new Date(Date.UTC(2030, 0, 1, 10, minute));
    const append = (lane: number, prev: ChainHead | null, minute: number) =>
      db().transaction((tx) => appendTrace(tx, { ...entry(patientKey), occurredAt: at(minute), actor: { kind: 'support', id: `agent-${minute}` } }, prev ?? { lane, seq: 0, hash: GENESIS_HASH }));
    // lane 2 and lane 6 written in turns, as concurrent accesses would
    const a = await append(2, null, 1);
    const b = await append(6, null, 2);
    const c = await append(2, a, 3);
    await append(6, b, 4);
    await append(2, c, 4);
    const history = await w.services.history.read(patientCaller(patientKey), patientKey, { from: at(0), limit: 50, offset: 0 });
    // two rows of the same minute: by their position in their lane, then by lane
    expect(history.rows.map((r) => [r.actor_id, r.lane, r.seq])).toEqual([
      ['agent-4', 2, 3], ['agent-4', 6, 2], ['agent-3', 2, 2], ['agent-2', 6, 1], ['agent-1', 2, 1],
    ]);
    expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
  });

  (kind === 'postgres' ? it : it.skip)('TRACE-01: an access whose lane another open transaction holds is not held up by it: it appends to another lane', async () => {
    const { patientKey } = await adultRecord(w);
    await w.services.documents.find(patientCaller(patientKey), { patientKey });
    // This transaction appends (taking lane 0, the first free one) and stays open until released.
    const hold = await holdTraceLane(db(), entry(patientKey, 'record.hold'));
    try {
      expect(hold.lane).toBe(0);
      // Were accesses to one record still serialised, this search would wait for the open
      // transaction, which waits for it: the test would never end.
      await w.services.documents.find(patientCaller(patientKey), { patientKey });
      const searches = await searchLanesOf(patientKey);
      // the first search, alone, in lane 0; the second in the first lane no one held
      expect(searches.map((r) => r.lane)).toEqual([0, 1]);
    } finally {
      await hold.release();
    }
    expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
  });

  (kind === 'postgres' ? it : it.skip)('TRACE-01: a page whose lane 0 another open transaction holds is neither read untraced nor held up: it is read and traced in another lane, once', async () => {
    const patientKey = await recordWithDocuments();
    const hold = await holdTraceLane(db(), entry(patientKey, 'record.hold'));
    try {
      expect(hold.lane).toBe(0);
      const page = await versionedPage(patientKey);
      expect(page.total).toBe(3);
      const searches = await searchLanesOf(patientKey);
      // the first search in lane 0; the page's one row in the first lane no one held
      expect(searches.map((r) => r.lane)).toEqual([0, 1]);
    } finally {
      await hold.release();
    }
    expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
  });

  (kind === 'postgres' ? it : it.skip)('TRACE-01: when every lane is held, an access waits for one and appends to it once it is free', async () => {
    const { patientKey } = await adultRecord(w);
    await w.services.documents.find(patientCaller(patientKey), { patientKey });
    const before = await rowCount(patientKey);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let holding!: () => void;
    const held = new Promise<void>((r) => (holding = r));
    const holder = db().transaction(async (tx) => {
      const locked = await tx.query('SELECT lane FROM access_trace_head WHERE chain_key = $1 FOR UPDATE', [patientKey]);
      expect(locked.rows).toHaveLength(TRACE_LANES);
      holding();
      await released;
    });
    await held;
    const waiting = db().transaction((tx) => appendTrace(tx, entry(patientKey, 'record.wait')));
    try {
      await someoneWaitsForALane();
    } finally {
      release();
    }
    await holder;
    const row = await waiting;
    expect(row.lane).toBe(parseInt(row.trace_id.slice(0, 8), 16) % TRACE_LANES);
    expect(await rowCount(patientKey)).toBe(before + 1);
    expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
  });

  (kind === 'postgres' ? it : it.skip)('TRACE-02: verifying a store that is being written reads one snapshot: an access appended after the heads were read is not reported as a break', async () => {
    const { patientKey } = await adultRecord(w);
    await w.services.documents.find(patientCaller(patientKey), { patientKey });
    /** Reads through `reader`, and lets one access of the record happen, on another connection, right after the heads are read. */
    const appendingAfterHeads = (reader: Queryable): Queryable => {
      let appended = false;
      return {
        async query(sql, params) {
          const result = await reader.query(sql, params);
          if (!appended && /FROM access_trace_head/.test(sql)) {
            appended = true;
            await w.services.documents.find(patientCaller(patientKey), { patientKey });
          }
          return result as never;
        },
      };
    };
    // Read without a snapshot, the lane's rows go past the head read before them: a false break.
    const unprotected = await verifyTrace(appendingAfterHeads(db()), 2000, patientKey);
    expect(unprotected.broken).toHaveLength(1);
    const before = await rowCount(patientKey);
    const inSnapshot = await inReadOnlySnapshot(db(), (snapshot) => verifyTrace(appendingAfterHeads(snapshot), 2000, patientKey));
    expect(inSnapshot).toMatchObject({ chains: 1, lanes: TRACE_LANES, rows: before, broken: [] });
    // the access made during the check did happen, and the store verifies with it
    expect(await rowCount(patientKey)).toBe(before + 1);
    expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
  });
});
