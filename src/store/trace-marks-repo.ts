// TRACE-03: what the history's marks need from the whole chain, not just from a page.
import type { HistoryReader } from '../domain/history-visibility.js';
import type { Queryable } from './db.js';
import { SqlParams } from './sql-params.js';
import { historyVisibilitySql } from './visibility-sql.js';

/**
 * For each of these professionals, the trace id of their earliest successful access to the
 * record among the entries the reader is shown (`reader`, TRACE-05): that entry is the one
 * marked "first access".
 */
export async function firstProfessionalAccesses(q: Queryable, patientKey: string, actorIds: string[], reader: HistoryReader): Promise<Map<string, string>> {
  if (!actorIds.length) return new Map();
  const p = new SqlParams();
  const r = await q.query<{ actor_id: string; trace_id: string }>(
    `SELECT DISTINCT ON (t.actor_id) t.actor_id, t.trace_id::text FROM access_trace t
     WHERE t.chain_key = ${p.add(patientKey)} AND t.actor_kind = 'professional' AND t.outcome = 'success' AND t.actor_id = ANY(${p.add(actorIds)}::text[])
       AND ${historyVisibilitySql(reader, p, 't')}
     ORDER BY t.actor_id, t.occurred_at, t.seq, t.lane`,
    p.values,
  );
  return new Map(r.rows.map((row) => [row.actor_id, row.trace_id]));
}
