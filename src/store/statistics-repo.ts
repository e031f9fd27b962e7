// The query planner's statistics. Carnet's searches lean on them (which index serves a record's
// page, how many rows a visibility filter keeps): stale ones make the planner guess, and a guess
// on a table that grew from empty to a million rows is a whole-table sort. PostgreSQL refreshes
// them through autovacuum; the embedded store (PGlite) has no autovacuum at all, and a server may
// run with it turned off. Then the scheduled jobs ANALYZE the tables that changed enough, with the
// server's own thresholds (autovacuum_analyze_threshold + autovacuum_analyze_scale_factor × rows).
// A table that also took enough new or dead rows (autovacuum's vacuum thresholds) is VACUUMed with
// its ANALYZE: only a vacuum marks pages all-visible, and without that the date index, which
// carries every column the visibility filter reads (migration 0091), cannot answer a record's ids
// or its page alone — each document costs a visit to its table page.
import type { Db } from './db.js';

/** Whether the database refreshes statistics by itself (PostgreSQL with autovacuum and its counters on). */
export async function autovacuumRuns(db: Db): Promise<boolean> {
  if (db.kind === 'pglite') return false;
  const r = await db.query<{ on: boolean }>(
    "SELECT current_setting('autovacuum') = 'on' AND current_setting('track_counts') = 'on' AS on",
  );
  return r.rows[0]?.on === true;
}

/** What one run of analyzeStaleTables did, by table name. */
export interface StaleTablesDone {
  analyzed: string[];
  /** those of `analyzed` VACUUMed as well */
  vacuumed: string[];
}

/**
 * ANALYZEs this schema's tables whose rows changed by more than the server's analyze threshold
 * since their last ANALYZE, VACUUMing those that also passed a vacuum threshold (rows inserted,
 * or dead rows, since their last VACUUM). Never-analyzed tables count every row as changed.
 */
export async function analyzeStaleTables(db: Db): Promise<StaleTablesDone> {
  // The embedded store's single backend reports its counters lazily: have them written first.
  if (db.kind === 'pglite') {
    await db.query('SELECT pg_stat_force_next_flush()');
    await db.query('SELECT 1');
  }
  const stale = await db.query<{ name: string; vacuum: boolean }>(
    `SELECT format('%I.%I', schemaname, relname) AS name,
            -- an insert threshold of -1 turns vacuums for new rows off, as it does autovacuum's
            ((current_setting('autovacuum_vacuum_insert_threshold')::float8 >= 0
              AND n_ins_since_vacuum > current_setting('autovacuum_vacuum_insert_threshold')::float8
                + current_setting('autovacuum_vacuum_insert_scale_factor')::float8 * n_live_tup)
             OR n_dead_tup > current_setting('autovacuum_vacuum_threshold')::float8
               + current_setting('autovacuum_vacuum_scale_factor')::float8 * n_live_tup) AS vacuum
       FROM pg_stat_user_tables
      WHERE schemaname = current_schema()
        AND n_mod_since_analyze > current_setting('autovacuum_analyze_threshold')::float8
          + current_setting('autovacuum_analyze_scale_factor')::float8 * n_live_tup
      ORDER BY relname`,
  );
  const done: StaleTablesDone = { analyzed: [], vacuumed: [] };
  // One table at a time: each ANALYZE samples a bounded number of rows (default 30,000), and a
  // VACUUM (never in a transaction) reads only the pages not yet marked all-visible.
  for (const { name, vacuum } of stale.rows) {
    await db.query(vacuum ? `VACUUM (ANALYZE) ${name}` : `ANALYZE ${name}`);
    done.analyzed.push(name);
    if (vacuum) done.vacuumed.push(name);
  }
  return done;
}
