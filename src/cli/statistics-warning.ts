// What `carnet serve` says at start about the planner's statistics (docs/OPERATIONS.md, "Planner
// statistics"): nothing when PostgreSQL's autovacuum keeps them; a warning when autovacuum is
// off (the scheduled jobs keep them then), or when nobody does (the jobs are off too). The
// embedded store has no autovacuum by design: with the jobs on, that is expected, not warned of.
import type { Db } from '../store/db.js';
import { autovacuumRuns } from '../store/statistics-repo.js';

export async function statisticsWarning(db: Db, jobsIntervalSeconds: number): Promise<string | null> {
  try {
    if (await autovacuumRuns(db)) return null;
  } catch {
    return null; // a store that does not answer says so on the first request
  }
  if (jobsIntervalSeconds <= 0) {
    return 'planner statistics are refreshed by nobody: the database does not (autovacuum off, or the embedded store) and the scheduled jobs are off (CARNET_JOBS_INTERVAL_SECONDS=0); run ANALYZE after large imports';
  }
  if (db.kind === 'postgres') return 'autovacuum is off: the scheduled jobs ANALYZE the tables that changed (docs/OPERATIONS.md, "Planner statistics")';
  return null;
}
