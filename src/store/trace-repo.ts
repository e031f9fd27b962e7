// The access trace (TRACE-01/02): rows are only ever appended, each chained by hash to the
// previous row of the same lane of the same record. A record's trace is kept in TRACE_LANES
// chains ("lanes"), each with its own head row: an access appends to a lane no other transaction
// holds, so concurrent accesses to one record do not queue behind one head, and no lane ever
// forks (its head stays locked by the appending transaction until it commits).
import { randomUUID } from 'node:crypto';
import { boundTraceDetails, boundTraceText, TRACE_MAX_TARGET_LENGTH, TRACE_MAX_TEXT_LENGTH } from '../domain/trace-bounds.js';
import { chainHash, GENESIS_HASH } from '../domain/trace-chain.js';
import { canonicalJson } from './canonical-json.js';
import { groups, precededBy, writeTogether, type Statement } from './combined-writes.js';
import type { Queryable } from './db.js';
import { SqlParams } from './sql-params.js';

/** Chain of the accesses that concern no record (a bound caller naming a patient without a DMP...). */
export const NO_RECORD_CHAIN = '00000000-0000-0000-0000-000000000000';
export { GENESIS_HASH };

export type TraceOutcome = 'success' | 'denied' | 'failure';

export interface TraceActor {
  kind: string;
  id: string;
  name?: string | null;
  profession?: string | null;
  specialty?: string | null;
  structure?: string | null;
}

export interface TraceEntry {
  patientKey: string | null;
  occurredAt: Date;
  actor: TraceActor;
  action: string;
  outcome: TraceOutcome;
  reason?: string | null;
  accessMode?: string | null;
  onPatientRequest?: boolean;
  document?: { logicalId?: string | null; entryUuid?: string | null; uniqueId?: string | null } | null;
  target?: { kind: string; id: string } | null;
  channel: string;
  requestId?: string | null;
  details?: Record<string, unknown>;
}

/** A row as stored, in the column order the hash covers. */
export interface TraceRow {
  chain_key: string;
  seq: number;
  trace_id: string;
  occurred_at: Date;
  actor_kind: string;
  actor_id: string;
  actor_name: string | null;
  actor_profession: string | null;
  actor_specialty: string | null;
  actor_structure: string | null;
  action: string;
  outcome: TraceOutcome;
  reason: string | null;
  access_mode: string | null;
  on_patient_request: boolean;
  document_logical_id: string | null;
  document_entry_uuid: string | null;
  document_unique_id: string | null;
  target_kind: string | null;
  target_id: string | null;
  channel: string;
  request_id: string | null;
  details: Record<string, unknown>;
  /** the lane of the record's chain the row belongs to (its seq and prev_hash are the lane's) */
  lane: number;
  prev_hash: string;
  hash: string;
}

const HASHED_COLUMNS = [
  'chain_key', 'seq', 'trace_id', 'occurred_at', 'actor_kind', 'actor_id', 'actor_name', 'actor_profession',
  'actor_specialty', 'actor_structure', 'action', 'outcome', 'reason', 'access_mode', 'on_patient_request',
  'document_logical_id', 'document_entry_uuid', 'document_unique_id', 'target_kind', 'target_id', 'channel',
  'request_id', 'details',
] as const;

/** The columns' types where they are not text, for statements that name them (appendTrace). */
const COLUMN_TYPES: Readonly<Record<string, string>> = {
  chain_key: 'uuid',
  seq: 'bigint',
  trace_id: 'uuid',
  occurred_at: 'timestamptz',
  on_patient_request: 'boolean',
  document_logical_id: 'uuid',
  document_entry_uuid: 'uuid',
  details: 'jsonb',
  lane: 'smallint',
};

/** The columns a row is written with, in the order of rowValues(). */
const WRITTEN_COLUMNS = [...HASHED_COLUMNS, 'lane', 'prev_hash', 'hash'];
const N = WRITTEN_COLUMNS.length;

/**
 * The lanes of every chain. All of a chain's lane heads are created together (migration 0062 for
 * the chains that existed before lanes), so the verification can tell a lane removed whole.
 */
export const TRACE_LANES = 8;

/**
 * The row after a head this transaction holds locked, and the head's move: $1..$N the row
 * (rowValues), then the new seq and hash, the chain key and the lane.
 */
const APPEND_AFTER_LOCKED = `WITH appended AS (
    INSERT INTO access_trace (${WRITTEN_COLUMNS.join(', ')}) VALUES (${WRITTEN_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
  )
  UPDATE access_trace_head SET seq = $${N + 1}, hash = $${N + 2} WHERE chain_key = $${N + 3} AND lane = $${N + 4}`;

/**
 * The lane's move from an expected head, then the row only if it moved (CTEs `moved` and
 * `appended`, one row each if so): $1..$N the row, then the new seq and hash, the chain key, the
 * lane, the expected seq and hash. The expected lane is taken only if no other transaction holds
 * it (SKIP LOCKED), it is still where it was expected (FOR UPDATE re-reads a row changed since
 * the statement began: a moved head no longer matches) and `condition`, if given, holds. INSERT
 * ... SELECT names each parameter's type (a VALUES row would infer them from the columns, but
 * cannot be made conditional on the move).
 */
function expectedMove(condition?: string): string {
  return `target AS (
    SELECT chain_key, lane FROM access_trace_head
    WHERE chain_key = $${N + 3} AND lane = $${N + 4} AND seq = $${N + 5} AND hash = $${N + 6}${condition ? ` AND (${condition})` : ''} FOR UPDATE SKIP LOCKED
  ), moved AS (
    UPDATE access_trace_head h SET seq = $${N + 1}, hash = $${N + 2} FROM target t
    WHERE h.chain_key = t.chain_key AND h.lane = t.lane RETURNING 1
  ), appended AS (
    INSERT INTO access_trace (${WRITTEN_COLUMNS.join(', ')})
    SELECT ${WRITTEN_COLUMNS.map((c, i) => `$${i + 1}::${COLUMN_TYPES[c] ?? 'text'}`).join(', ')}
    WHERE EXISTS (SELECT 1 FROM moved) RETURNING 1
  )`;
}
const EXPECTED_MOVE = expectedMove();
/**
 * EXPECTED_MOVE, and when the lane was busy or had moved, the first lane no one holds locked and
 * its head returned, so that the row can follow it in one more statement.
 */
const APPEND_AFTER_EXPECTED = `WITH ${EXPECTED_MOVE}, locked AS (
    SELECT lane, seq::text AS seq, hash FROM access_trace_head
    WHERE chain_key = $${N + 3} AND NOT EXISTS (SELECT 1 FROM moved) ORDER BY lane LIMIT 1 FOR UPDATE SKIP LOCKED
  )
  SELECT (SELECT count(*) FROM moved)::int AS moved, (SELECT count(*) FROM appended)::int AS appended,
    (SELECT lane FROM locked)::int AS locked_lane, (SELECT seq FROM locked) AS locked_seq, (SELECT hash FROM locked) AS locked_hash`;

/** The first lane of the chain that no other transaction holds, locked, with its head. */
const LOCK_FREE_LANE =
  'SELECT lane::int AS lane, seq::text AS seq, hash FROM access_trace_head WHERE chain_key = $1 ORDER BY lane LIMIT 1 FOR UPDATE SKIP LOCKED';

/** The chain's lanes that do not exist yet, created at the genesis hash: $1 chain key, $2 genesis, $3 lanes. */
const CREATE_LANES = `INSERT INTO access_trace_head (chain_key, lane, seq, hash)
  SELECT $1, g, 0, $2 FROM generate_series(0, $3::int - 1) AS g ON CONFLICT DO NOTHING
  RETURNING lane::int AS lane, seq::text AS seq, hash`;

/** One lane's head, waited for until its holder commits. */
const WAIT_FOR_LANE = 'SELECT lane::int AS lane, seq::text AS seq, hash FROM access_trace_head WHERE chain_key = $1 AND lane = $2 FOR UPDATE';

/**
 * The hash of a row: SHA-256 over the previous hash and the row's canonical content. The lane is
 * part of the content, except lane 0's: its rows hash as the rows of the single chain each record
 * had before lanes, which became its lane 0 (migration 0062) and must still verify.
 */
export function traceRowHash(row: Omit<TraceRow, 'hash'>): string {
  return chainHash(row.prev_hash, canonicalContent(row));
}

/** The content's keys as canonicalJson sorts them, and their JSON: the same for every row. */
const SORTED_KEYS = ([...HASHED_COLUMNS] as string[]).sort();
const SORTED_KEYS_WITH_LANE = [...HASHED_COLUMNS, 'lane'].sort();
const KEY_JSON = new Map([...SORTED_KEYS_WITH_LANE].map((k) => [k, `${JSON.stringify(k)}:`]));

/**
 * `canonicalJson` of the row's content, written key by key in the order it sorts them (constant:
 * the columns, and the lane unless 0) rather than by building the content object and sorting it
 * for every row: the same text, tested against it (trace-row-hash.test.ts). `detailsJson`, when
 * the caller has it, is canonicalJson(row.details).
 */
function canonicalContent(row: Omit<TraceRow, 'hash'>, detailsJson?: string): string {
  const lane = Number(row.lane ?? 0);
  let out = '{';
  for (const c of lane !== 0 ? SORTED_KEYS_WITH_LANE : SORTED_KEYS) {
    if (out.length > 1) out += ',';
    out += KEY_JSON.get(c)!;
    if (c === 'lane') out += JSON.stringify(lane);
    else if (c === 'details' && detailsJson !== undefined) out += detailsJson;
    else {
      const v = row[c as (typeof HASHED_COLUMNS)[number]];
      out += canonicalJson(v instanceof Date ? v.toISOString() : v === undefined ? null : c === 'seq' ? Number(v) : v);
    }
  }
  return `${out}}`;
}

/** A lane's head: the lane, and the sequence number and hash of its last row. */
export interface ChainHead {
  lane: number;
  seq: number;
  hash: string;
}

type HeadText = { lane: number; seq: string; hash: string };
const headOf = (h: HeadText): ChainHead => ({ lane: Number(h.lane), seq: Number(h.seq), hash: h.hash });

/**
 * Appends one row to a lane of its record's chain, in the caller's transaction (TRACE-01: if the
 * row cannot be written, the transaction fails with it). `along` are writes of the access the row
 * traces (combined-writes.ts: none reads another's rows or the trace's), written before the row
 * in the same transaction: in the same statement as its first attempt, one round trip fewer. `expected` is a lane's head as the
 * caller last read it without a lock (the record's load reads lane 0's; a transaction's own last
 * append knows the lane it holds): the row is then written in one statement that takes that lane
 * if no other transaction holds it and it has not moved. Otherwise, or without `expected`, the
 * first lane no other transaction holds is locked and read, and the row follows it in a second
 * statement. Rows of one transaction thus stay in one lane, in order, and sequential accesses
 * stay in lane 0; only concurrent ones spread. A chain's first append creates its lanes; when
 * every lane is held, the append waits for one (chosen from the row's id, so that waiters spread).
 */
export async function appendTrace(tx: Queryable, entry: TraceEntry, expected?: ChainHead | null, along: Statement[] = []): Promise<TraceRow> {
  const chainKey = entry.patientKey ?? NO_RECORD_CHAIN;
  const traceId = randomUUID();
  if (expected) {
    const row = traceRow(entry, chainKey, expected, traceId);
    const values = rowValues(row);
    // `along`: the access's own writes, sent in the same statement as its row where they fit
    const batches = groups(along);
    for (const batch of batches.slice(0, -1)) await writeTogether(tx, batch);
    const st = precededBy(batches.at(-1) ?? [], {
      sql: APPEND_AFTER_EXPECTED,
      params: [...values, row.seq, row.hash, chainKey, expected.lane, expected.seq, expected.hash],
    });
    const r = await tx.query<{ moved: number; appended: number; locked_lane: number | null; locked_seq: string | null; locked_hash: string | null }>(st.sql, st.params);
    const { moved, appended, locked_lane: lockedLane, locked_seq: lockedSeq, locked_hash: lockedHash } = r.rows[0]!;
    if (moved === 1 && appended === 1) return row;
    // The head moved and no row followed it: refused, and the transaction with it (TRACE-01).
    if (moved !== 0 || appended !== 0) throw new Error(`trace chain ${chainKey} lane ${expected.lane}: the head moved to ${row.seq} without its row`);
    // The lane was busy or had moved: the row follows the head of the lane the statement locked.
    if (lockedLane !== null && lockedSeq !== null && lockedHash !== null) {
      return appendAfterLocked(tx, entry, chainKey, headOf({ lane: lockedLane, seq: lockedSeq, hash: lockedHash }), traceId);
    }
    // No lane free, or none yet: below.
  } else {
    await writeTogether(tx, along);
    const free = await tx.query<HeadText>(LOCK_FREE_LANE, [chainKey]);
    if (free.rows[0]) return appendAfterLocked(tx, entry, chainKey, headOf(free.rows[0]), traceId);
  }
  // The chain's first row: its lanes are created (a concurrent first append waits for this
  // transaction, then finds them), and this transaction takes the first it created.
  const created = await tx.query<HeadText>(CREATE_LANES, [chainKey, GENESIS_HASH, TRACE_LANES]);
  if (created.rows.length) {
    const first = created.rows.reduce((a, b) => (Number(b.lane) < Number(a.lane) ? b : a));
    return appendAfterLocked(tx, entry, chainKey, headOf(first), traceId);
  }
  // Every lane is held by another transaction: wait for one. A transaction holding a lane never
  // gets here for its own chain (its own lock is no obstacle to SKIP LOCKED).
  const lane = parseInt(traceId.slice(0, 8), 16) % TRACE_LANES;
  const waited = await tx.query<HeadText>(WAIT_FOR_LANE, [chainKey, lane]);
  if (!waited.rows[0]) throw new Error(`trace chain ${chainKey}: lane ${lane} has no head`);
  return appendAfterLocked(tx, entry, chainKey, headOf(waited.rows[0]), traceId);
}

/**
 * What must hold before a read's trace row is appended, and so before the read: `with`, CTEs
 * (named, comma-separated) that the statement runs first, on the statement's snapshot, and
 * `condition`, an SQL boolean over them. The rows of a read found too many to answer, say: the
 * access is then neither traced nor read here, and its caller answers it in a transaction of its
 * own, which refuses it and traces the refusal.
 */
export interface ReadPrecondition {
  with: string;
  condition: string;
}

/**
 * One statement that appends the access's row after `expected` (a lane's head as last read,
 * without a lock) and reads what the access reads, both or neither: PostgreSQL runs a statement
 * outside a transaction block as a transaction of its own, so the read and its trace row commit
 * together (TRACE-01) in one round trip, without BEGIN and COMMIT. `read` writes a SELECT whose
 * WHERE includes `gate`, on parameters added to `p` (which already holds the row's): its rows come
 * only if the row was appended. When the lane was held by another transaction or had moved,
 * nothing is written and nothing read (`appended: false`): the caller then takes the way of a
 * transaction (guarded()), which can wait for and lock a lane. So too when `precondition` (added
 * to `p` before the read) does not hold, and the answer says so (`declined`). The read's rows keep
 * its order: the statement joins them, ON true (no hash or merge join can), to the one row that
 * says whether the trace was appended.
 */
export async function appendTraceWithRead<R extends object>(
  q: Queryable,
  entry: TraceEntry,
  expected: ChainHead,
  read: (p: SqlParams, gate: string) => string,
  precondition?: (p: SqlParams) => ReadPrecondition,
): Promise<{ appended: false; declined: boolean } | { appended: true; row: TraceRow; rows: R[] }> {
  const chainKey = entry.patientKey ?? NO_RECORD_CHAIN;
  const row = traceRow(entry, chainKey, expected, randomUUID());
  const p = new SqlParams();
  for (const v of [...rowValues(row), row.seq, row.hash, chainKey, expected.lane, expected.seq, expected.hash]) p.add(v);
  const pre = precondition?.(p);
  const select = read(p, 'EXISTS (SELECT 1 FROM appended)');
  const r = await q.query<R & { trace_appended: number; read_allowed: boolean }>(
    `WITH ${pre ? `${pre.with}, ${expectedMove(pre.condition)}` : EXPECTED_MOVE}
    SELECT t.trace_appended, t.read_allowed, r.* FROM (SELECT count(*)::int AS trace_appended, ${pre ? `(${pre.condition})` : 'true'} AS read_allowed FROM appended) t
    LEFT JOIN LATERAL (${select}) r ON true`,
    p.values,
  );
  const first = r.rows[0];
  if (!first || first.trace_appended !== 1) return { appended: false, declined: first?.read_allowed === false };
  // a read of no rows is the one row of the join, its read columns null
  const rows =
    r.rows.length === 1 && Object.entries(first).every(([k, v]) => k === 'trace_appended' || k === 'read_allowed' || v === null) ? [] : r.rows;
  return { appended: true, row, rows };
}

/** The row after `head`, whose lane this transaction holds locked, and the lane's move: one statement. */
async function appendAfterLocked(tx: Queryable, entry: TraceEntry, chainKey: string, head: ChainHead, traceId: string): Promise<TraceRow> {
  const row = traceRow(entry, chainKey, head, traceId);
  await tx.query(APPEND_AFTER_LOCKED, [...rowValues(row), row.seq, row.hash, chainKey, row.lane]);
  return row;
}

/** The row that follows `prev` in the chain, hashed. */
function traceRow(entry: TraceEntry, chainKey: string, prev: ChainHead, traceId: string): TraceRow {
  // Millisecond precision: what a JavaScript Date can read back unchanged.
  const occurredAt = new Date(Math.floor(entry.occurredAt.getTime()));
  // canonical once: stored parsed back (what a read of the row gives), hashed as this text
  const detailsJson = boundedDetailsJson(entry.details ?? {});
  const target = (t: string | null | undefined) => (t == null ? null : boundTraceText(t, TRACE_MAX_TARGET_LENGTH));
  const row: Omit<TraceRow, 'hash'> = {
    chain_key: chainKey,
    seq: prev.seq + 1,
    trace_id: traceId,
    occurred_at: occurredAt,
    actor_kind: entry.actor.kind,
    actor_id: entry.actor.id,
    actor_name: entry.actor.name ?? null,
    actor_profession: entry.actor.profession ?? null,
    actor_specialty: entry.actor.specialty ?? null,
    actor_structure: entry.actor.structure ?? null,
    action: entry.action,
    outcome: entry.outcome,
    reason: entry.reason ?? null,
    access_mode: entry.accessMode ?? null,
    on_patient_request: entry.onPatientRequest ?? false,
    document_logical_id: entry.document?.logicalId ?? null,
    document_entry_uuid: entry.document?.entryUuid ?? null,
    document_unique_id: entry.document?.uniqueId ?? null,
    target_kind: target(entry.target?.kind),
    target_id: target(entry.target?.id),
    channel: entry.channel,
    request_id: entry.requestId ?? null,
    details: JSON.parse(detailsJson) as Record<string, unknown>,
    lane: prev.lane,
    prev_hash: prev.hash,
  };
  return { ...row, hash: chainHash(row.prev_hash, canonicalContent(row, detailsJson)) };
}

/**
 * The details' canonical JSON, bounded (trace-bounds.ts) before the row is hashed, so that the
 * chain holds what is stored. Details whose whole text is within the limit of one text hold no
 * text past it and are far within the limit of all: most rows, taken as they are.
 */
function boundedDetailsJson(details: Record<string, unknown>): string {
  const json = canonicalJson(details);
  if (json.length <= TRACE_MAX_TEXT_LENGTH) return json;
  return canonicalJson(boundTraceDetails(JSON.parse(json) as Record<string, unknown>));
}

/** The row's values in the order of WRITTEN_COLUMNS: HASHED_COLUMNS, then lane, prev_hash and hash. */
function rowValues(row: TraceRow): unknown[] {
  return [...HASHED_COLUMNS.map((c) => (c === 'details' ? JSON.stringify(row.details) : row[c])), row.lane, row.prev_hash, row.hash];
}

/**
 * Each lane's last committed row of a chain, as this statement sees it: a bound for reading the
 * chain later as it stood then (rows of transactions still in flight come after these heads).
 */
export async function laneHeads(q: Queryable, chainKey: string): Promise<Array<{ lane: number; seq: number }>> {
  const r = await q.query<{ lane: number; seq: string }>('SELECT lane::int AS lane, seq::text AS seq FROM access_trace_head WHERE chain_key = $1 ORDER BY lane', [chainKey]);
  return r.rows.map((h) => ({ lane: Number(h.lane), seq: Number(h.seq) }));
}
