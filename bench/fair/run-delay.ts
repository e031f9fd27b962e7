// How long a process waited for a CPU: the kernel's run-queue delay of a thread (/proc's
// schedstat: time on a CPU, time runnable but waiting for one, both in ns). For the tail probe
// (BENCH_TAIL): on 2 shared cores, the time a request's server thread, its PostgreSQL backend and
// the load generator spend ready to run but not running. Linux only; NaN elsewhere.
import { readFileSync } from 'node:fs';
import type pg from 'pg';

export interface Sched {
  /** time on a CPU, ms */
  cpuMs: number;
  /** time runnable, waiting for a CPU, ms */
  waitMs: number;
}

/** The thread `tid` of process `pid` (its main thread when tid is left out). */
export function schedOf(pid: number | 'self', tid?: number): Sched {
  try {
    const path = tid === undefined ? `/proc/${pid}/schedstat` : `/proc/${pid}/task/${tid}/schedstat`;
    const [cpu, wait] = readFileSync(path, 'utf8').split(' ').map(Number);
    return { cpuMs: cpu! / 1e6, waitMs: wait! / 1e6 };
  } catch {
    return { cpuMs: NaN, waitMs: NaN };
  }
}

export const schedBetween = (a: Sched, b: Sched): Sched => ({ cpuMs: b.cpuMs - a.cpuMs, waitMs: b.waitMs - a.waitMs });

/** Every client backend of the connection's database but its own: pid -> schedstat. */
export async function backendsSched(client: pg.ClientBase): Promise<Map<number, Sched>> {
  const r = await client.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
  );
  return new Map(r.rows.map(({ pid }) => [pid, schedOf(pid)] as const).filter(([, s]) => Number.isFinite(s.cpuMs)));
}

/** The backends' CPU and run-queue wait between two readings (backends present in both). */
export function backendsBetween(before: Map<number, Sched>, after: Map<number, Sched>): Sched {
  let cpuMs = 0;
  let waitMs = 0;
  for (const [pid, s] of after) {
    const b = before.get(pid);
    if (!b) continue;
    cpuMs += s.cpuMs - b.cpuMs;
    waitMs += s.waitMs - b.waitMs;
  }
  return { cpuMs, waitMs };
}
