// The CPU time PostgreSQL spends for a target: the user + system time of the bench database's
// client backends, read from /proc (PostgreSQL on this machine). Taken around a window in which
// only one target is loaded, the difference is that target's database work; backends of another
// target that exit during the window (idle ones, closed by their pool) are left out, backends
// started during it count from zero. The sampler's own backend is excluded.
import { readFileSync } from 'node:fs';
import pg from 'pg';

/** clock ticks per second of /proc's times (USER_HZ: 100 on Linux) */
export const TICKS_PER_SECOND = 100;

export interface PgSample {
  /** per backend pid, its CPU ticks so far */
  ticks: Map<number, number>;
  /** the database's committed transactions so far (pg_stat_database, as last reported by the backends) */
  commits: number;
}

export interface PgCpuSampler {
  /** null when /proc cannot be read (PostgreSQL elsewhere) */
  sample(): Promise<PgSample | null>;
  close(): Promise<void>;
}

/**
 * Per client backend of the connection's database (the connection's own left out), its CPU ticks
 * so far, read from /proc; null when none can be read (PostgreSQL on another machine).
 */
export async function backendCpuTicks(client: pg.ClientBase): Promise<Map<number, number> | null> {
  const r = await client.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
  );
  const ticks = new Map<number, number>();
  for (const { pid } of r.rows) {
    try {
      // the fields after the command's closing parenthesis (the command may hold spaces): utime and stime are the 12th and 13th
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(pid, Number(f[11]) + Number(f[12]));
    } catch {
      // a backend gone since the list was read: not counted; none readable at all: another machine's
    }
  }
  return ticks.size === 0 && r.rows.length > 0 ? null : ticks;
}

export async function openPgCpuSampler(databaseUrl: string): Promise<PgCpuSampler> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  return {
    async sample() {
      const ticks = await backendCpuTicks(client);
      if (!ticks) return null;
      const c = await client.query<{ n: string }>('SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = current_database()');
      return { ticks, commits: Number(c.rows[0]?.n ?? NaN) };
    },
    close: () => client.end(),
  };
}

/** The CPU milliseconds the backends spent between two samples. */
export function pgCpuMsBetween(before: PgSample, after: PgSample): number {
  let ticks = 0;
  for (const [pid, t] of after.ticks) ticks += t - (before.ticks.get(pid) ?? 0);
  return (ticks * 1000) / TICKS_PER_SECOND;
}
