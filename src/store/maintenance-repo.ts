// Maintenance windows (DMP-06).
import type { Queryable } from './db.js';

export interface MaintenanceRow {
  window_id: string;
  function: string;
  starts_at: Date;
  ends_at: Date;
  message: string;
  created_by: string;
  created_at: Date;
}

export async function insertWindow(q: Queryable, w: MaintenanceRow): Promise<void> {
  await q.query(
    'INSERT INTO maintenance_window (window_id, function, starts_at, ends_at, message, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [w.window_id, w.function, w.starts_at, w.ends_at, w.message, w.created_by, w.created_at],
  );
}

/** Windows not yet over at `now` (current and announced), cancelled ones left out. */
export async function listWindows(q: Queryable, now: Date): Promise<MaintenanceRow[]> {
  const r = await q.query<MaintenanceRow>(
    'SELECT window_id::text, function, starts_at, ends_at, message, created_by, created_at FROM maintenance_window WHERE ends_at > $1 AND cancelled_at IS NULL ORDER BY starts_at, window_id',
    [now],
  );
  return r.rows;
}

/** Cancels a window that is not over; false when there is none such (unknown, over, or already cancelled). */
export async function cancelWindow(q: Queryable, windowId: string, by: string, now: Date): Promise<MaintenanceRow | null> {
  const r = await q.query<MaintenanceRow>(
    `UPDATE maintenance_window SET cancelled_at = $3, cancelled_by = $2
      WHERE window_id::text = $1 AND cancelled_at IS NULL AND ends_at > $3
      RETURNING window_id::text, function, starts_at, ends_at, message, created_by, created_at`,
    [windowId, by, now],
  );
  return r.rows[0] ?? null;
}
