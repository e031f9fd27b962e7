// Planner statistics kept by Carnet where the database does not keep them (store/statistics-repo.ts,
// docs/OPERATIONS.md): a table that changed past the analyze threshold is ANALYZEd once, and then
// no more until it changes again; the scheduled jobs report what they analyzed.
import { expect, it } from '@jest/globals';
import { analyzeStaleTables, autovacuumRuns } from '../../../src/store/statistics-repo.js';
import type { Db } from '../../../src/store/db.js';
import { statisticsWarning } from '../../../src/cli/statistics-warning.js';
import { describeEachStore } from '../../support/stores.js';

const ROWS = 400; // past the default threshold of 50 + 10% of a table that was empty

async function fillRateLimits(db: Db, prefix: string): Promise<void> {
  await db.query(
    `INSERT INTO rate_limit (bucket, window_start, hits) SELECT $1 || g, now(), 1 FROM generate_series(1, ${ROWS}) AS g`,
    [prefix],
  );
}

/** The changes PostgreSQL counted for rate_limit since its last ANALYZE (its backends report them within about a second). */
async function countedChanges(db: Db, atLeast: number): Promise<number> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (db.kind === 'pglite') await db.query('SELECT pg_stat_force_next_flush()');
    await db.query('SELECT pg_stat_clear_snapshot()');
    const r = await db.query<{ n: string }>(
      "SELECT n_mod_since_analyze::text AS n FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = 'rate_limit'",
    );
    const n = Number(r.rows[0]?.n ?? 0);
    if (n >= atLeast || Date.now() > deadline) return n;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describeEachStore('planner statistics', (db, kind) => {
  it('counts on the database only when autovacuum and its counters are on, never on the embedded store', async () => {
    if (kind === 'pglite') return expect(await autovacuumRuns(db())).toBe(false);
    const setting = async (name: string) => (await db().query<Record<string, string>>(`SHOW ${name}`)).rows[0]![name];
    expect(await autovacuumRuns(db())).toBe((await setting('autovacuum')) === 'on' && (await setting('track_counts')) === 'on');
  });

  it('ANALYZEs a table that changed past the threshold, once, until it changes again', async () => {
    await analyzeStaleTables(db()); // whatever the migrations left
    await fillRateLimits(db(), 'stats-a-');
    expect(await countedChanges(db(), ROWS)).toBeGreaterThanOrEqual(ROWS);
    const first = await analyzeStaleTables(db());
    expect(first.analyzed.some((name) => name.endsWith('.rate_limit'))).toBe(true);
    const after = await db().query<{ analyzed: boolean }>(
      "SELECT last_analyze IS NOT NULL AS analyzed FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = 'rate_limit'",
    );
    expect(after.rows[0]?.analyzed).toBe(true);
    expect((await analyzeStaleTables(db())).analyzed.some((name) => name.endsWith('.rate_limit'))).toBe(false);
  });

  it('VACUUMs with its ANALYZE a table that took past the vacuum threshold of new rows, so its pages are marked all-visible', async () => {
    await analyzeStaleTables(db());
    // past autovacuum_vacuum_insert_threshold (1,000 by default) + 20% of the rows already there
    const live = await db().query<{ n: string }>('SELECT count(*)::text AS n FROM rate_limit');
    const rows = 1_100 + Math.ceil(Number(live.rows[0]!.n) * 0.25);
    await db().query(
      `INSERT INTO rate_limit (bucket, window_start, hits) SELECT 'stats-v-' || g, now(), 1 FROM generate_series(1, ${rows}) AS g`,
    );
    expect(await countedChanges(db(), rows)).toBeGreaterThanOrEqual(rows);
    const done = await analyzeStaleTables(db());
    expect(done.vacuumed.some((name) => name.endsWith('.rate_limit'))).toBe(true);
    expect(done.analyzed).toEqual(expect.arrayContaining(done.vacuumed));
    const visible = await db().query<{ allvisible: number; pages: number }>(
      "SELECT relallvisible AS allvisible, relpages AS pages FROM pg_class WHERE oid = 'rate_limit'::regclass",
    );
    expect(visible.rows[0]!.pages).toBeGreaterThan(0);
    expect(visible.rows[0]!.allvisible).toBe(visible.rows[0]!.pages);
    // a table analyzed but under the vacuum thresholds is not vacuumed
    await fillRateLimits(db(), 'stats-w-');
    expect(await countedChanges(db(), ROWS)).toBeGreaterThanOrEqual(ROWS);
    const again = await analyzeStaleTables(db());
    expect(again.analyzed.some((name) => name.endsWith('.rate_limit'))).toBe(true);
    expect(again.vacuumed.some((name) => name.endsWith('.rate_limit'))).toBe(false);
  });
});

describeEachStore('carnet serve’s word on statistics at start', (db, kind) => {
  it('warns when nobody refreshes them (jobs off, no autovacuum), and of autovacuum off on PostgreSQL', async () => {
    const autovacuum = await autovacuumRuns(db());
    const withJobs = await statisticsWarning(db(), 60);
    const withoutJobs = await statisticsWarning(db(), 0);
    if (autovacuum) {
      expect([withJobs, withoutJobs]).toEqual([null, null]);
    } else {
      expect(withoutJobs).toMatch(/refreshed by nobody/);
      if (kind === 'pglite') expect(withJobs).toBeNull();
      else expect(withJobs).toMatch(/autovacuum is off/);
    }
  });
});
