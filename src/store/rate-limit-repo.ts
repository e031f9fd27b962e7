// Fixed-window counters in the database, so that every server instance counts the same hits
// (login and code attempts per account and per client address).
import type { Queryable } from './db.js';

/** Adds one hit to the bucket's current window and returns the window's count. */
export async function hitRateLimit(q: Queryable, bucket: string, windowMs: number, now: Date): Promise<{ hits: number; resetsAt: Date }> {
  const start = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const r = await q.query<{ hits: number }>(
    `INSERT INTO rate_limit (bucket, window_start, hits) VALUES ($1, $2, 1)
     ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit.hits + 1
     RETURNING hits`,
    [bucket, start],
  );
  return { hits: r.rows[0].hits, resetsAt: new Date(start.getTime() + windowMs) };
}

export async function pruneRateLimits(q: Queryable, before: Date): Promise<number> {
  const r = await q.query('DELETE FROM rate_limit WHERE window_start < $1', [before]);
  return r.rowCount;
}
