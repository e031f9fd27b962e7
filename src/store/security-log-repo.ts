// The server's security log (TRACE-05): one append-only chain of the refusals of requests whose
// caller could not be established. Built like the access trace (hash over the previous hash and
// the row's canonical content), and rate-limited so that a flood of anonymous requests cannot
// fill the disk: past the window's limit a refusal is only counted, and the next row written
// carries that count (`suppressed_before`), so the chain still says how many there were.
import { randomUUID } from 'node:crypto';
import { chainHash } from '../domain/trace-chain.js';
import { canonicalJson } from './canonical-json.js';
import { walkChain, type ChainBreak, type ChainReader } from './chain-walk.js';
import type { Queryable } from './db.js';

export interface SecurityEvent {
  occurredAt: Date;
  channel: string;
  operation?: string | null;
  reason: string;
  clientAddress?: string | null;
  requestId?: string | null;
  /** what the request claimed (identity, patient), unverified */
  claims?: Record<string, string>;
}

/** At most `perWindow` rows per window of `windowMs`; the rest are counted, not written. */
export interface SecurityLogLimit {
  perWindow: number;
  windowMs: number;
}

export interface SecurityLogRow {
  seq: number;
  entry_id: string;
  occurred_at: Date;
  channel: string;
  operation: string | null;
  reason: string;
  client_address: string | null;
  request_id: string | null;
  claims: Record<string, string>;
  suppressed_before: number;
  prev_hash: string;
  hash: string;
}

const HASHED_COLUMNS = [
  'seq', 'entry_id', 'occurred_at', 'channel', 'operation', 'reason', 'client_address', 'request_id', 'claims', 'suppressed_before',
] as const;

export function securityRowHash(row: Omit<SecurityLogRow, 'hash'>): string {
  const content: Record<string, unknown> = {};
  for (const c of HASHED_COLUMNS) {
    const v = row[c];
    content[c] = v instanceof Date ? v.toISOString() : v === undefined ? null : c === 'seq' || c === 'suppressed_before' ? Number(v) : v;
  }
  return chainHash(row.prev_hash, canonicalJson(content));
}

interface Head {
  seq: string;
  hash: string;
  window_start: Date | null;
  window_count: number;
  suppressed: string;
}

/**
 * Appends one refusal, or only counts it when the current window is full. `suppressedElsewhere`
 * adds refusals a server counted without coming here (see access-refusals.ts). Runs in the
 * caller's transaction; the head row lock makes concurrent appends queue (one chain, no fork).
 */
export async function appendSecurityEvent(
  tx: Queryable,
  e: SecurityEvent,
  limit: SecurityLogLimit,
  suppressedElsewhere = 0,
): Promise<{ written: boolean; seq?: number }> {
  const head = (await tx.query<Head>('SELECT seq::text AS seq, hash, window_start, window_count, suppressed::text AS suppressed FROM security_log_head FOR UPDATE')).rows[0]!;
  const suppressed = Number(head.suppressed) + suppressedElsewhere;
  const occurredAt = new Date(Math.floor(e.occurredAt.getTime()));
  const windowStart = new Date(Math.floor(occurredAt.getTime() / limit.windowMs) * limit.windowMs);
  const sameWindow = head.window_start !== null && new Date(head.window_start).getTime() === windowStart.getTime();
  const count = (sameWindow ? head.window_count : 0) + 1;
  if (count > limit.perWindow) {
    await tx.query('UPDATE security_log_head SET window_start = $1, window_count = $2, suppressed = $3', [windowStart, count, suppressed + 1]);
    return { written: false };
  }
  const row: Omit<SecurityLogRow, 'hash'> = {
    seq: Number(head.seq) + 1,
    entry_id: randomUUID(),
    occurred_at: occurredAt,
    channel: e.channel,
    operation: e.operation ?? null,
    reason: e.reason,
    client_address: e.clientAddress ?? null,
    request_id: e.requestId ?? null,
    claims: JSON.parse(canonicalJson(e.claims ?? {})) as Record<string, string>,
    suppressed_before: suppressed,
    prev_hash: head.hash,
  };
  const hash = securityRowHash(row);
  const values = [...HASHED_COLUMNS.map((c) => (c === 'claims' ? JSON.stringify(row.claims) : row[c])), row.prev_hash, hash];
  await tx.query(
    `INSERT INTO security_log (${HASHED_COLUMNS.join(', ')}, prev_hash, hash) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')})`,
    values,
  );
  await tx.query('UPDATE security_log_head SET seq = $1, hash = $2, window_start = $3, window_count = $4, suppressed = 0', [row.seq, hash, windowStart, count]);
  return { written: true, seq: row.seq };
}

export interface SecurityLogVerification {
  rows: number;
  /** the first row that breaks the chain, if any */
  broken?: ChainBreak;
  /** refusals counted since the last row, not yet carried by one */
  pendingSuppressed: number;
}

const SELECT_ROW = `SELECT seq::text AS seq, entry_id::text, occurred_at, channel, operation, reason, client_address, request_id,
  claims, suppressed_before::text AS suppressed_before, prev_hash, hash FROM security_log`;

/** Walks the whole log in order; names the first row that was altered, inserted or removed. */
export async function verifySecurityLog(db: Queryable, batchSize = 2000): Promise<SecurityLogVerification> {
  const head = (await db.query<{ seq: string; hash: string; suppressed: string }>(
    'SELECT seq::text AS seq, hash, suppressed::text AS suppressed FROM security_log_head',
  )).rows[0];
  if (!head) return { rows: 0, broken: { seq: 0, id: null, problem: 'the head row is missing' }, pendingSuppressed: 0 };
  const read: ChainReader = async (fromSeq, limit) => {
    const batch = await db.query<SecurityLogRow & { seq: string; suppressed_before: string }>(
      `${SELECT_ROW} WHERE seq >= $1 ORDER BY security_log.seq LIMIT $2`,
      [fromSeq, limit],
    );
    return batch.rows.map((raw) => {
      const row: SecurityLogRow = { ...raw, seq: Number(raw.seq), suppressed_before: Number(raw.suppressed_before), occurred_at: new Date(raw.occurred_at) };
      return { seq: row.seq, id: row.entry_id, prevHash: row.prev_hash, hash: row.hash, recomputed: securityRowHash(row) };
    });
  };
  const walked = await walkChain(read, { seq: Number(head.seq), hash: head.hash }, batchSize);
  return { ...walked, pendingSuppressed: Number(head.suppressed) };
}
