// TRACE-03: what the history's marks need from the whole chain, not just from a page.
import type { Queryable } from './db.js';

/**
 * For each of these professionals, the trace id of their earliest successful access to the
 * record: that entry is the one marked "first access".
 */
export async function firstProfessionalAccesses(q: Queryable, patientKey: string, actorIds: string[]): Promise<Map<string, string>> {
  if (!actorIds.length) return new Map();
  const r = await q.query<{ actor_id: string; trace_id: string }>(
    `SELECT DISTINCT ON (actor_id) actor_id, trace_id::text FROM access_trace
     WHERE chain_key = $1 AND actor_kind = 'professional' AND outcome = 'success' AND actor_id = ANY($2::text[])
     ORDER BY actor_id, seq`,
    [patientKey, actorIds],
  );
  return new Map(r.rows.map((row) => [row.actor_id, row.trace_id]));
}
