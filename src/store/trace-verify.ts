// `carnet trace verify`'s check of the access trace (TRACE-02): every lane of every record's chain
// is walked on its own, from its first row to the head that names its last (chain-walk.ts), so an
// altered, inserted, removed or reordered row, and a lane whose tail was cut, are found. A chain
// has all its lanes' heads (trace-repo.ts creates them together): a lane removed whole, rows and
// head, is found by its missing head; rows of a lane without a head, by their lane.
import { walkChain, type ChainReader } from './chain-walk.js';
import type { Queryable } from './db.js';
import { TRACE_LANES, traceRowHash, type TraceRow } from './trace-repo.js';

export interface BrokenLink {
  chainKey: string;
  lane: number;
  seq: number;
  traceId: string | null;
  problem: string;
}

export interface TraceVerification {
  /** records' chains (the chain of the accesses that concern no record included) */
  chains: number;
  /** lanes walked, over all chains */
  lanes: number;
  rows: number;
  broken: BrokenLink[];
}

const SELECT_ROW = `SELECT chain_key::text, lane::int AS lane, seq::text AS seq, trace_id::text, occurred_at, actor_kind, actor_id, actor_name,
  actor_profession, actor_specialty, actor_structure, action, outcome, reason, access_mode, on_patient_request,
  document_logical_id::text, document_entry_uuid::text, document_unique_id, target_kind, target_id, channel,
  request_id, details, prev_hash, hash FROM access_trace`;

function normaliseRow(r: TraceRow & { seq: string | number }): TraceRow {
  return { ...r, seq: Number(r.seq), lane: Number(r.lane), occurred_at: new Date(r.occurred_at) };
}

/**
 * Checks every lane of every chain, or of one record's chain (`chainKey`); names the first broken
 * row of each broken lane. Reads what `db` shows: on a store being written, give it a snapshot
 * (snapshot.ts), or a row appended between a lane's head and its rows reads as a break.
 */
export async function verifyTrace(db: Queryable, batchSize = 2000, chainKey?: string): Promise<TraceVerification> {
  const only = chainKey === undefined ? '' : 'WHERE chain_key = $1';
  const params = chainKey === undefined ? [] : [chainKey];
  const heads = await db.query<{ chain_key: string; lane: number; seq: string; hash: string }>(
    `SELECT chain_key::text, lane::int AS lane, seq::text AS seq, hash FROM access_trace_head ${only} ORDER BY chain_key, lane`,
    params,
  );
  const headless = await db.query<{ chain_key: string; lane: number }>(
    `SELECT DISTINCT chain_key::text, lane::int AS lane FROM access_trace t ${only ? `${only} AND` : 'WHERE'}
     NOT EXISTS (SELECT 1 FROM access_trace_head h WHERE h.chain_key = t.chain_key AND h.lane = t.lane) ORDER BY 1, 2`,
    params,
  );
  const lanesOf = new Map<string, Set<number>>();
  for (const h of heads.rows) {
    if (!lanesOf.has(h.chain_key)) lanesOf.set(h.chain_key, new Set());
    lanesOf.get(h.chain_key)!.add(Number(h.lane));
  }
  const result: TraceVerification = { chains: lanesOf.size, lanes: heads.rows.length, rows: 0, broken: [] };
  for (const o of headless.rows) {
    result.broken.push({ chainKey: o.chain_key, lane: Number(o.lane), seq: 0, traceId: null, problem: 'rows without a lane head' });
  }
  for (const [key, lanes] of lanesOf) {
    for (let lane = 0; lane < TRACE_LANES; lane++) {
      if (!lanes.has(lane)) result.broken.push({ chainKey: key, lane, seq: 0, traceId: null, problem: `lane ${lane} has no head (removed)` });
    }
  }
  for (const head of heads.rows) {
    const lane = Number(head.lane);
    const read: ChainReader = async (fromSeq, limit) => {
      const batch = await db.query<TraceRow & { seq: string }>(
        // Order by the column, not by the text it is read as: '10' sorts before '2'.
        `${SELECT_ROW} WHERE chain_key = $1 AND lane = $2 AND seq >= $3 ORDER BY access_trace.seq LIMIT $4`,
        [head.chain_key, lane, fromSeq, limit],
      );
      return batch.rows.map((raw) => {
        const row = normaliseRow(raw);
        return { seq: row.seq, id: row.trace_id, prevHash: row.prev_hash, hash: row.hash, recomputed: traceRowHash(row) };
      });
    };
    const walked = await walkChain(read, { seq: Number(head.seq), hash: head.hash }, batchSize);
    result.rows += walked.rows;
    if (walked.broken) {
      result.broken.push({ chainKey: head.chain_key, lane, seq: walked.broken.seq, traceId: walked.broken.id, problem: walked.broken.problem });
    }
  }
  return result;
}
