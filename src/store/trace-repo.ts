// The access trace (TRACE-01/02): rows are only ever appended, each chained by hash to the
// previous row of the same record. The chain head row is locked while appending, so concurrent
// accesses to one record queue up and the chain never forks.
import { randomUUID } from 'node:crypto';
import { chainHash, GENESIS_HASH } from '../domain/trace-chain.js';
import { canonicalJson } from './canonical-json.js';
import { walkChain, type ChainReader } from './chain-walk.js';
import type { Queryable } from './db.js';

/** Chain of the accesses that concern no record (a failed login with an unknown name...). */
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
};

/** The columns a row is written with, in the order of rowValues(). */
const WRITTEN_COLUMNS = [...HASHED_COLUMNS, 'prev_hash', 'hash'];
const N = WRITTEN_COLUMNS.length;

/**
 * The row after a head read under its lock, and the head's move: $1..$N the row (rowValues),
 * then the new seq and hash and the chain key.
 */
const APPEND_AFTER_LOCKED = `WITH appended AS (
    INSERT INTO access_trace (${WRITTEN_COLUMNS.join(', ')}) VALUES (${WRITTEN_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
  )
  UPDATE access_trace_head SET seq = $${N + 1}, hash = $${N + 2} WHERE chain_key = $${N + 3}`;

/**
 * The head's move from an expected head, then the row only if the head moved: $1..$N the row,
 * then the new seq and hash, the chain key, the expected seq and hash. INSERT ... SELECT names
 * each parameter's type (a VALUES row would infer them from the columns, but cannot be made
 * conditional on the head's move). When the head was elsewhere, the same statement locks it and
 * returns it (FOR UPDATE reads its latest committed version), so that the row can follow it in
 * one more statement.
 */
const APPEND_AFTER_EXPECTED = `WITH moved AS (
    UPDATE access_trace_head SET seq = $${N + 1}, hash = $${N + 2}
    WHERE chain_key = $${N + 3} AND seq = $${N + 4} AND hash = $${N + 5} RETURNING 1
  ), appended AS (
    INSERT INTO access_trace (${WRITTEN_COLUMNS.join(', ')})
    SELECT ${WRITTEN_COLUMNS.map((c, i) => `$${i + 1}::${COLUMN_TYPES[c] ?? 'text'}`).join(', ')}
    WHERE EXISTS (SELECT 1 FROM moved) RETURNING 1
  ), locked AS (
    SELECT seq::text AS seq, hash FROM access_trace_head WHERE chain_key = $${N + 3} AND NOT EXISTS (SELECT 1 FROM moved) FOR UPDATE
  )
  SELECT (SELECT count(*) FROM moved)::int AS moved, (SELECT count(*) FROM appended)::int AS appended,
    (SELECT seq FROM locked) AS locked_seq, (SELECT hash FROM locked) AS locked_hash`;

/** The hash of a row: SHA-256 over the previous hash and the row's canonical content. */
export function traceRowHash(row: Omit<TraceRow, 'hash'>): string {
  const content: Record<string, unknown> = {};
  for (const c of HASHED_COLUMNS) {
    const v = row[c];
    content[c] = v instanceof Date ? v.toISOString() : v === undefined ? null : c === 'seq' ? Number(v) : v;
  }
  return chainHash(row.prev_hash, canonicalJson(content));
}

/** A chain's head: the sequence number and hash of its last row. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/**
 * Appends one row to the chain of its record. `expected` is the head as the caller last read it
 * without a lock (the record's load reads it; a transaction's own last append knows it): the row
 * is then written in one statement that first moves the head from `expected` — locking it, as
 * every append does before it writes (so appends never wait on each other in two orders) — and
 * inserts the row only if the head was still there; when the chain has moved since, that
 * statement locks and reads the head, and the row follows it in a second one. Without `expected`
 * the head is locked and read, then the row written: two statements. Either way the head row
 * serialises the appends to one chain, and the chain never forks.
 */
export async function appendTrace(tx: Queryable, entry: TraceEntry, expected?: ChainHead | null): Promise<TraceRow> {
  const chainKey = entry.patientKey ?? NO_RECORD_CHAIN;
  if (expected) {
    const row = traceRow(entry, chainKey, expected);
    const values = rowValues(row);
    const r = await tx.query<{ moved: number; appended: number; locked_seq: string | null; locked_hash: string | null }>(APPEND_AFTER_EXPECTED, [...values, row.seq, row.hash, chainKey, expected.seq, expected.hash]);
    const { moved, appended, locked_seq: lockedSeq, locked_hash: lockedHash } = r.rows[0]!;
    if (moved === 1 && appended === 1) return row;
    // The head moved and no row followed it: refused, and the transaction with it (TRACE-01).
    if (moved !== 0 || appended !== 0) throw new Error(`trace chain ${chainKey}: the head moved to ${row.seq} without its row`);
    // The chain moved since `expected` was read: the row follows the head the statement locked.
    if (lockedSeq !== null && lockedHash !== null) return appendAfterLocked(tx, entry, chainKey, { seq: Number(lockedSeq), hash: lockedHash });
    // No head at all: the locking path below creates it.
  }
  // Create the head if it is the chain's first row, else lock it and read it, in one statement:
  // ON CONFLICT DO UPDATE locks the row (appends to one chain queue here) and returns its latest
  // committed values, as SELECT ... FOR UPDATE would.
  const head = await tx.query<{ seq: string; hash: string }>(
    `INSERT INTO access_trace_head (chain_key, seq, hash) VALUES ($1, 0, $2)
     ON CONFLICT (chain_key) DO UPDATE SET seq = access_trace_head.seq RETURNING seq::text AS seq, hash`,
    [chainKey, GENESIS_HASH],
  );
  const prev = head.rows[0];
  return appendAfterLocked(tx, entry, chainKey, { seq: Number(prev.seq), hash: prev.hash });
}

/** The row after `head`, which this transaction holds locked, and the head's move: one statement. */
async function appendAfterLocked(tx: Queryable, entry: TraceEntry, chainKey: string, head: ChainHead): Promise<TraceRow> {
  const row = traceRow(entry, chainKey, head);
  await tx.query(APPEND_AFTER_LOCKED, [...rowValues(row), row.seq, row.hash, chainKey]);
  return row;
}

/** The row that follows `prev` in the chain, hashed. */
function traceRow(entry: TraceEntry, chainKey: string, prev: ChainHead): TraceRow {
  // Millisecond precision: what a JavaScript Date can read back unchanged.
  const occurredAt = new Date(Math.floor(entry.occurredAt.getTime()));
  const row: Omit<TraceRow, 'hash'> = {
    chain_key: chainKey,
    seq: prev.seq + 1,
    trace_id: randomUUID(),
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
    target_kind: entry.target?.kind ?? null,
    target_id: entry.target?.id ?? null,
    channel: entry.channel,
    request_id: entry.requestId ?? null,
    details: JSON.parse(canonicalJson(entry.details ?? {})) as Record<string, unknown>,
    prev_hash: prev.hash,
  };
  return { ...row, hash: traceRowHash(row) };
}

/** The row's values in the order of HASHED_COLUMNS, then prev_hash and hash. */
function rowValues(row: TraceRow): unknown[] {
  return [...HASHED_COLUMNS.map((c) => (c === 'details' ? JSON.stringify(row.details) : row[c])), row.prev_hash, row.hash];
}

export interface BrokenLink {
  chainKey: string;
  seq: number;
  traceId: string | null;
  problem: string;
}

export interface TraceVerification {
  chains: number;
  rows: number;
  broken: BrokenLink[];
}

const SELECT_ROW = `SELECT chain_key::text, seq::text AS seq, trace_id::text, occurred_at, actor_kind, actor_id, actor_name,
  actor_profession, actor_specialty, actor_structure, action, outcome, reason, access_mode, on_patient_request,
  document_logical_id::text, document_entry_uuid::text, document_unique_id, target_kind, target_id, channel,
  request_id, details, prev_hash, hash FROM access_trace`;

function normaliseRow(r: TraceRow & { seq: string | number }): TraceRow {
  return { ...r, seq: Number(r.seq), occurred_at: new Date(r.occurred_at) };
}

/** Checks every chain; names the first broken row of each broken chain. */
export async function verifyTrace(db: Queryable, batchSize = 2000): Promise<TraceVerification> {
  const heads = await db.query<{ chain_key: string; seq: string; hash: string }>(
    'SELECT chain_key::text, seq::text AS seq, hash FROM access_trace_head ORDER BY chain_key',
  );
  const orphanChains = await db.query<{ chain_key: string }>(
    'SELECT DISTINCT chain_key::text FROM access_trace t WHERE NOT EXISTS (SELECT 1 FROM access_trace_head h WHERE h.chain_key = t.chain_key)',
  );
  const result: TraceVerification = { chains: heads.rows.length, rows: 0, broken: [] };
  for (const o of orphanChains.rows) {
    result.broken.push({ chainKey: o.chain_key, seq: 0, traceId: null, problem: 'rows without a chain head' });
  }
  for (const head of heads.rows) {
    const read: ChainReader = async (fromSeq, limit) => {
      const batch = await db.query<TraceRow & { seq: string }>(
        // Order by the column, not by the text it is read as: '10' sorts before '2'.
        `${SELECT_ROW} WHERE chain_key = $1 AND seq >= $2 ORDER BY access_trace.seq LIMIT $3`,
        [head.chain_key, fromSeq, limit],
      );
      return batch.rows.map((raw) => {
        const row = normaliseRow(raw);
        return { seq: row.seq, id: row.trace_id, prevHash: row.prev_hash, hash: row.hash, recomputed: traceRowHash(row) };
      });
    };
    const walked = await walkChain(read, { seq: Number(head.seq), hash: head.hash }, batchSize);
    result.rows += walked.rows;
    if (walked.broken) {
      result.broken.push({ chainKey: head.chain_key, seq: walked.broken.seq, traceId: walked.broken.id, problem: walked.broken.problem });
    }
  }
  return result;
}
