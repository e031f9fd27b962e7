// What the database and the machine did during a measured window, to tell a slow window's cause
// by counts rather than by its timing: buffers the store's tables read from the cache and from
// the disk, dead row versions and ANALYZEs of the store's schema (the bench's and any job's),
// and — for the whole PostgreSQL cluster and the whole machine, which other work shares — WAL
// written and synced, checkpoints, buffers the backends had to write themselves, and the share
// of the machine's CPU that was busy. PostgreSQL's counters reach its statistics within about a
// second of each transaction: a window of several seconds sees nearly all of its own.
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { backendCpuTicks, TICKS_PER_SECOND } from '../fair/pg-cpu.js';
import { fmt } from '../stats.js';

export type Counters = Record<string, number>;

const QUERY = `
  SELECT
    (SELECT coalesce(sum(heap_blks_hit + coalesce(idx_blks_hit, 0)), 0) FROM pg_statio_user_tables WHERE schemaname = $1) AS hit,
    (SELECT coalesce(sum(heap_blks_read + coalesce(idx_blks_read, 0)), 0) FROM pg_statio_user_tables WHERE schemaname = $1) AS read,
    (SELECT coalesce(sum(n_dead_tup), 0) FROM pg_stat_user_tables WHERE schemaname = $1) AS dead,
    (SELECT coalesce(sum(analyze_count + autoanalyze_count + vacuum_count + autovacuum_count), 0) FROM pg_stat_user_tables WHERE schemaname = $1) AS maintenance,
    (SELECT wal_bytes FROM pg_stat_wal) AS wal_bytes,
    (SELECT wal_fpi FROM pg_stat_wal) AS wal_fpi,
    (SELECT wal_sync FROM pg_stat_wal) AS wal_sync,
    (SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter) AS checkpoints,
    (SELECT buffers_backend FROM pg_stat_bgwriter) AS backend_writes`;

/** The machine's busy and total CPU time since boot (clock ticks), from /proc/stat; zeros where there is none. */
function machineCpu(): { busy: number; total: number } {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = cpu.reduce((a, b) => a + b, 0);
    const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

// Each table's buffers (heap, indexes, TOAST), so that a count that grows says where it grows.
const PER_TABLE = `
  SELECT relname, heap_blks_hit + coalesce(idx_blks_hit, 0) + coalesce(toast_blks_hit, 0) + coalesce(tidx_blks_hit, 0) AS hit,
         heap_blks_read + coalesce(idx_blks_read, 0) + coalesce(toast_blks_read, 0) + coalesce(tidx_blks_read, 0) AS read
  FROM pg_statio_user_tables WHERE schemaname = $1`;

export async function readCounters(c: pg.ClientBase, schema: string): Promise<Counters> {
  const r = await c.query<Record<string, string>>(QUERY, [schema]);
  const out: Counters = {};
  for (const [k, v] of Object.entries(r.rows[0]!)) out[k] = Number(v);
  for (const t of (await c.query<{ relname: string; hit: string; read: string }>(PER_TABLE, [schema])).rows) {
    out[`hit:${t.relname}`] = Number(t.hit);
    out[`read:${t.relname}`] = Number(t.read);
  }
  // per backend of the database but this connection's own (zero where /proc cannot be read): one
  // that ends (or starts) within the window is left out of the window's sum
  for (const [pid, t] of (await backendCpuTicks(c)) ?? []) out[`pg_cpu:${pid}`] = t;
  const cpu = machineCpu();
  out.cpu_busy = cpu.busy;
  out.cpu_total = cpu.total;
  return out;
}

/** The tables whose buffers grew most in the window, per request: `name hit(+read)`. */
function busiestTables(before: Counters, after: Counters, requests: number, n = 5): string {
  const per = (k: string) => ((after[k] ?? 0) - (before[k] ?? 0)) / Math.max(1, requests);
  return Object.keys(after)
    .filter((k) => k.startsWith('hit:'))
    .map((k) => ({ name: k.slice(4), hit: per(k), read: per(`read:${k.slice(4)}`) }))
    .filter((t) => t.hit + t.read > 0)
    .sort((a, b) => b.hit + b.read - (a.hit + a.read))
    .slice(0, n)
    .map((t) => `${t.name} ${fmt(t.hit, 1)}${t.read > 0 ? `(+${fmt(t.read, 1)} read)` : ''}`)
    .join(', ');
}

/** One line: what changed between `before` and `after`, over `requests` requests. */
export function windowLine(before: Counters, after: Counters, requests: number): string {
  const d = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
  const per = (k: string) => fmt(d(k) / Math.max(1, requests), 1);
  const pgTicks = Object.keys(after)
    .filter((k) => k.startsWith('pg_cpu:') && k in before)
    .reduce((n, k) => n + after[k]! - before[k]!, 0);
  const busy = d('cpu_total') > 0 ? `${fmt((100 * d('cpu_busy')) / d('cpu_total'), 0)}%` : 'n/a';
  return (
    `store: ${per('hit')} buffers hit and ${per('read')} read per request (${busiestTables(before, after, requests)}), dead row versions ${after.dead}, ANALYZE/VACUUM +${d('maintenance')}; ` +
    `PostgreSQL backends ${fmt(((1000 / TICKS_PER_SECOND) * pgTicks) / Math.max(1, requests), 2)} ms CPU/req; ` +
    `cluster: WAL ${fmt(d('wal_bytes') / 2 ** 20, 1)} MB (${d('wal_fpi')} full pages, ${d('wal_sync')} syncs), checkpoints +${d('checkpoints')}, backend writes +${d('backend_writes')}; machine CPU busy ${busy}`
  );
}
