// Sessions ended before their time (POST /auth/logout): kept until they would have expired.
import type { Queryable } from './db.js';

/** Records that the session `sessionId` has ended; clears those whose tokens have expired since. */
export async function endSession(q: Queryable, sessionId: string, expiresAt: Date, now: Date): Promise<void> {
  await q.query(
    `WITH cleared AS (DELETE FROM ended_session WHERE ends_at < $3)
     INSERT INTO ended_session (session_id, ends_at) VALUES ($1, $2) ON CONFLICT (session_id) DO NOTHING`,
    [sessionId, expiresAt, now],
  );
}

export async function sessionEnded(q: Queryable, sessionId: string): Promise<boolean> {
  const r = await q.query<{ one: number }>('SELECT 1 AS one FROM ended_session WHERE session_id = $1', [sessionId]);
  return r.rows.length > 0;
}
