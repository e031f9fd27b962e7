// What a target's server, PostgreSQL and the machine did during each measured window, as the
// window's note (Target.observe). Bench only; each part is off unless asked, since each costs a
// little CPU of its own:
// - BENCH_TAIL=1: the server's tail probe (tail-probe.ts), the backends' and the generator's
//   run-queue waits (run-delay.ts);
// - BENCH_PG_LOG=<file>: PostgreSQL's own time per statement (pg-log.ts);
// - BENCH_WAITS=<ms>: the machine's busy cores (/proc/stat), the statements and transactions the
//   server sent per request under the window's load (its `sql-counts`, when it answers them), the
//   cluster's WAL per request (pg_stat_wal: the whole cluster's, so read it in a quiet window), and,
//   unless <ms> is 0, what the bench database's backends were doing, sampled every <ms> from
//   pg_stat_activity (state, wait event, and which statement) through a connection to another
//   database, so that the sampler's own backend is not one of those counted (its CPU is the
//   machine's and the bench process's, not the backends').
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { fmt } from '../stats.js';
import { pgLogWindow } from './pg-log.js';
import { backendsBetween, backendsSched, schedBetween, schedOf } from './run-delay.js';
import type { SqlCounts } from './sql-counter.js';
import { tailLine, type TailReport } from './tail-probe.js';
import type { Target } from './measure.js';

interface Asking {
  ask<T>(what: string): Promise<T>;
}

/**
 * Installs the window's observer on `target` (nothing when no part is asked). `sqlCounts`: the
 * server answers `sql-counts` (Carnet's bench server does; a baseline would never answer).
 */
export function observeWindow(target: Target, server: Asking, o: { sqlCounts?: boolean } = {}, env = process.env): void {
  const logFile = env.BENCH_PG_LOG;
  const waits = env.BENCH_WAITS !== undefined && env.BENCH_WAITS !== '';
  const everyMs = Number(env.BENCH_WAITS);
  if (!env.BENCH_TAIL && !logFile && !waits) return;
  const database = new URL(env.DATABASE_URL!).pathname.slice(1);
  target.observe = async () => {
    if (env.BENCH_TAIL) await server.ask('tail-reset');
    const pgLog = logFile ? pgLogWindow(logFile, database) : undefined;
    const pgBefore = env.BENCH_TAIL ? await backendsSched(await schedClient()) : undefined;
    const genBefore = schedOf('self');
    const sqlBefore = waits && o.sqlCounts ? await server.ask<SqlCounts>('sql-counts') : undefined;
    const cpuBefore = waits ? machineCpu() : undefined;
    const walBefore = waits ? await walStats() : undefined;
    const sampling = waits && everyMs > 0 ? await sampleWaits(database, everyMs) : undefined;
    const started = performance.now();
    return async (requests: number, connections: number) => {
      const n = Math.max(1, requests);
      const per = (x: number) => fmt(x / n, 2);
      const lines: string[] = [];
      const seconds = (performance.now() - started) / 1000;
      const seen = await sampling?.stop();
      if (walBefore) {
        const wal = walBetween(walBefore, await walStats());
        const cpu = machineCpu();
        const busy = (cpu.busy - cpuBefore!.busy) / Math.max(1, cpu.total - cpuBefore!.total);
        const sqlAfter = sqlBefore ? await server.ask<SqlCounts>('sql-counts') : undefined;
        const sql = sqlBefore && sqlAfter
          ? `; under load per request: ${per(sqlAfter.statements - sqlBefore.statements)} statements, ${per(sqlAfter.transactions - sqlBefore.transactions)} transactions, ${per(sqlAfter.outside - sqlBefore.outside)} outside one`
          : '';
        lines.push(`machine ${fmt(busy * cpu.cores, 2)} of ${cpu.cores} cores busy${sql}`);
        lines.push(`WAL per request (the cluster's): ${per(wal.records)} records, ${per(wal.fpi)} full pages, ${fmt(wal.bytes / n, 0)} bytes, ${per(wal.writes)} writes, ${per(wal.syncs)} syncs${wal.syncMs > 0 ? ` (${per(wal.syncMs)} ms syncing)` : ''}; ${fmt(wal.syncs / Math.max(1, wal.seconds), 0)} syncs/s`);
        if (seen) lines.push(seen.line);
      }
      const tail = env.BENCH_TAIL ? await server.ask<TailReport>('tail-report') : undefined;
      if (tail) lines.push(tailLine(tail));
      if (tail && seen) lines.push(inFlight(n / seconds, tail, seen.at, connections));
      if (pgBefore) {
        const backends = backendsBetween(pgBefore, await backendsSched(await schedClient()));
        const gen = schedBetween(genBefore, schedOf('self'));
        lines.push(`per request, PostgreSQL's backends ${per(backends.cpuMs)} ms on a CPU, ${per(backends.waitMs)} ms waiting for one; the bench's process (autocannon's, when it drives the window) ${per(gen.cpuMs)} ms on a CPU, ${per(gen.waitMs)} ms waiting`);
      }
      if (pgLog) lines.push(pgLog.end());
      return lines.filter(Boolean).join('\n    ');
    };
  };
}

/**
 * Where the requests in flight were on average (Little's law: the number in a state is the
 * throughput times the time a request spends in it): in PostgreSQL (sampled: running, on the WAL,
 * other waits), out to PostgreSQL but not seen there (the statement or its answer in a socket, a
 * backend or the server's loop waiting to run), in the server's own work, and outside the server
 * (before its loop reads the request, or in the generator).
 */
function inFlight(perSecond: number, tail: TailReport, at: AtPostgres, connections: number): string {
  const x = perSecond / 1000; // per ms
  const db = x * tail.all.dbMs;
  const pgSeen = at.running + at.wal + at.other;
  const server = x * tail.all.totalMs;
  const ms = (k: number) => fmt(k / x, 1);
  return (
    `in flight on average (${fmt(perSecond, 0)} req/s; requests, and ms per request): PostgreSQL running ${fmt(at.running, 2)} (${ms(at.running)}), on the WAL ${fmt(at.wal, 2)} (${ms(at.wal)}), ` +
    `other waits ${fmt(at.other, 2)} (${ms(at.other)}); out to PostgreSQL but not seen there ${fmt(db - pgSeen, 2)} (${ms(db - pgSeen)}); ` +
    `in the server's own work ${fmt(server - db, 2)} (${ms(server - db)}); before the server or in the generator ${fmt(connections - server, 2)} (${ms(connections - server)})`
  );
}

interface Wal {
  at: number;
  records: number;
  fpi: number;
  bytes: number;
  writes: number;
  syncs: number;
  syncMs: number;
}

/** The cluster's WAL statistics so far (pg_stat_wal; the sync time only with track_wal_io_timing). */
async function walStats(): Promise<Wal> {
  const c = await schedClient();
  const r = await c.query<Record<string, string>>(
    'SELECT wal_records::text AS records, wal_fpi::text AS fpi, wal_bytes::text AS bytes, wal_write::text AS writes, wal_sync::text AS syncs, wal_sync_time::text AS sync_ms FROM pg_stat_wal',
  );
  const w = r.rows[0]!;
  return { at: performance.now(), records: Number(w.records), fpi: Number(w.fpi), bytes: Number(w.bytes), writes: Number(w.writes), syncs: Number(w.syncs), syncMs: Number(w.sync_ms) };
}

function walBetween(a: Wal, b: Wal): Omit<Wal, 'at'> & { seconds: number } {
  return { seconds: (b.at - a.at) / 1000, records: b.records - a.records, fpi: b.fpi - a.fpi, bytes: b.bytes - a.bytes, writes: b.writes - a.writes, syncs: b.syncs - a.syncs, syncMs: b.syncMs - a.syncMs };
}

/** The machine's CPU time so far, all cores (/proc/stat's first line, in ticks): busy and total. */
function machineCpu(): { busy: number; total: number; cores: number } {
  const stat = readFileSync('/proc/stat', 'utf8');
  const f = stat.split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest times are inside user and nice)
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = f[3]! + f[4]!;
  const cores = stat.split('\n').filter((l) => /^cpu\d/.test(l)).length;
  return { busy: total - idle, total, cores };
}

/** The kind of a backend's current statement, from its text's start. */
function statementKind(query: string): string {
  const q = query.replace(/\s+/g, ' ').trimStart();
  if (q.startsWith('WITH target AS')) return 'read + trace row';
  if (q.startsWith('BEGIN')) return 'BEGIN';
  if (q.startsWith('COMMIT')) return 'COMMIT';
  return q.slice(0, 28);
}

/**
 * Samples the backends of `database` every `everyMs` until stopped; then, per sample on average,
 * how many were in each state: running a statement (on a CPU or runnable: no wait event), waiting
 * on an event (its type and name), idle in a transaction, by statement kind; idle ones left out.
 */
/** Backends per sample by what they were doing: on a CPU or runnable, waiting on the WAL, waiting on anything else. */
interface AtPostgres {
  running: number;
  wal: number;
  other: number;
}

async function sampleWaits(database: string, everyMs: number): Promise<{ stop(): Promise<{ line: string; at: AtPostgres }> }> {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.href });
  await client.connect();
  const counts = new Map<string, number>();
  const at: AtPostgres = { running: 0, wal: 0, other: 0 };
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const r = await client.query<{ state: string | null; wtype: string | null; wevent: string | null; query: string }>(
        "SELECT state, wait_event_type AS wtype, wait_event AS wevent, left(query, 40) AS query FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'",
        [database],
      );
      samples++;
      for (const b of r.rows) {
        if (b.state === 'idle') continue;
        const what = b.state === 'active' ? (b.wtype ? `waiting ${b.wtype}:${b.wevent}` : 'running') : (b.state ?? '?');
        const key = `${what} [${statementKind(b.query)}]`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        if (b.state !== 'active') at.other++;
        else if (!b.wtype) at.running++;
        else if (/^WAL/.test(b.wevent ?? '')) at.wal++;
        else at.other++;
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await client.end();
      const n = Math.max(1, samples);
      const rows = [...counts].sort((a, b) => b[1] - a[1]).map(([k, c]) => `${k} ${fmt(c / n, 2)}`);
      return {
        line: `backends per sample (${samples} samples; idle ones left out): ${rows.join(', ') || 'none'}`,
        at: { running: at.running / n, wal: at.wal / n, other: at.other / n },
      };
    },
  };
}

/** One connection of the bench's own, for reading the backends' run-queue waits (BENCH_TAIL). */
let sched: Promise<pg.Client> | undefined;
const schedClient = () =>
  (sched ??= (async () => {
    const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await c.connect();
    return c;
  })());

/** Ends the observers' own connection (after the last window). */
export async function closeObserverClients(): Promise<void> {
  await (await sched)?.end();
  sched = undefined;
}
