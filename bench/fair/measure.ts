// Windows of load against HTTP targets, from the benchmark's own process: for each repeat, each
// target in turn gets a warm-up then a measured window (so drifts of the shared machine's load
// fall on every target alike); figures per target are the median of the repeats with their
// spread (min–max), and the target process's own CPU time and peak memory.
import { loadavg } from 'node:os';
import { autocannon } from '../load.js';
import { fmt, median } from '../stats.js';
import type { ProcessStats } from './procs.js';
import { wrkWindow } from './wrk-load.js';
import { openPgCpuSampler, pgCpuMsBetween, type PgCpuSampler } from './pg-cpu.js';

export interface WindowOptions {
  warmupSeconds: number;
  windowSeconds: number;
  repeats: number;
  connections: number;
}

/** From the environment: BENCH_WINDOW (s, default 15), BENCH_WARMUP (s, 5), BENCH_REPEATS (3), BENCH_CONNECTIONS (8). */
export function windowOptions(env = process.env): WindowOptions {
  const num = (name: string, d: number) => (env[name] ? Number(env[name]) : d);
  return { windowSeconds: num('BENCH_WINDOW', 15), warmupSeconds: num('BENCH_WARMUP', 5), repeats: num('BENCH_REPEATS', 3), connections: num('BENCH_CONNECTIONS', 8) };
}

export interface Target {
  name: string;
  base: string;
  /** the path client `i` requests (each client may read its own record) */
  pathOf: (client: number) => string;
  headers?: Record<string, string>;
  /** headers of client `i`'s requests besides `headers` (each client its own credentials) */
  headersOf?: (client: number) => Record<string, string>;
  /** for a target that is POSTed to: the next request's headers and body for client `i` (a new one after each answer) */
  post?: (client: number) => { headers: Record<string, string>; body: string | Buffer };
  stats: () => Promise<ProcessStats>;
  /** the load generator of its windows: autocannon unless said (BENCH_LOAD, below) */
  generator?: 'autocannon' | 'wrk';
  /** called before each measured window; what it returns is called after it with the window's requests, and gives the window's note */
  observe?: () => Promise<(requests: number, connections: number) => Promise<string>>;
}

type CannonClient = {
  setRequests: (r: Array<Record<string, unknown>>) => void;
  setHeadersAndBody: (h: Record<string, string>, b: string | Buffer) => void;
  on: (e: string, f: () => void) => void;
};

export interface WindowFigures {
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  /** the slowest request of the window (ms) */
  max: number;
  /** the load generator's (this process's) CPU milliseconds per request */
  loadCpuMsPerRequest: number;
  /** the target process's CPU milliseconds per request */
  cpuMsPerRequest: number;
  /** the bench database's PostgreSQL backends' CPU milliseconds per request (NaN when not read) */
  pgCpuMsPerRequest: number;
  /** the bench database's commits per request (NaN when not read) */
  commitsPerRequest: number;
  maxRss: number;
  failed: number;
  failures?: string;
  /** what the target's observer saw during the window (Target.observe) */
  note?: string;
}

export interface TargetFigures {
  windows: WindowFigures[];
  median: WindowFigures;
}

async function window(t: Target, seconds: number, connections: number, pgCpu?: PgCpuSampler): Promise<WindowFigures> {
  let client = 0;
  const observed = await t.observe?.();
  const pgBefore = await pgCpu?.sample();
  const before = await t.stats();
  const loadBefore = process.cpuUsage();
  const post = t.post;
  // BENCH_LOAD=wrk: the GET windows from wrk (wrk-load.ts), its CPU counted as the generator's
  const wrk =
    !post && (t.generator ?? process.env.BENCH_LOAD) === 'wrk'
      ? await wrkWindow(t.base, Array.from({ length: connections }, (_, i) => ({ path: t.pathOf(i), headers: { ...(t.headers ?? {}), ...(t.headersOf?.(i) ?? {}) } })), connections, seconds)
      : undefined;
  const r = wrk?.result ?? await autocannon(
    post
      ? {
          // Deposits: every request a new body (fresh uniqueIds), each client on its own record.
          url: `${t.base}${t.pathOf(0)}`,
          method: 'POST',
          connections,
          duration: seconds,
          setupClient: (c: CannonClient) => {
            const mine = client++ % connections;
            const next = () => {
              const req = post(mine);
              c.setHeadersAndBody({ ...(t.headers ?? {}), ...req.headers }, req.body);
            };
            next();
            c.on('response', next);
          },
        }
      : {
          url: t.base,
          connections,
          duration: seconds,
          setupClient: (c: CannonClient) => {
            const mine = client++ % connections;
            c.setRequests([{ method: 'GET', path: t.pathOf(mine), headers: { ...(t.headers ?? {}), ...(t.headersOf?.(mine) ?? {}) } }]);
          },
        },
  );
  const load = process.cpuUsage(loadBefore);
  const after = await t.stats();
  const pgAfter = await pgCpu?.sample();
  const note = await observed?.(r.requests.total, connections);
  return {
    ...(note !== undefined ? { note } : {}),
    perSecond: r.requests.average,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    loadCpuMsPerRequest: ((load.user + load.system) / 1000 + (wrk?.cpuMs ?? 0)) / Math.max(1, r.requests.total),
    cpuMsPerRequest: (after.cpuMicros - before.cpuMicros) / 1000 / Math.max(1, r.requests.total),
    pgCpuMsPerRequest: pgBefore && pgAfter ? pgCpuMsBetween(pgBefore, pgAfter) / Math.max(1, r.requests.total) : NaN,
    commitsPerRequest: pgBefore && pgAfter ? (pgAfter.commits - pgBefore.commits) / Math.max(1, r.requests.total) : NaN,
    maxRss: after.maxRss,
    failed: r.non2xx + r.errors,
    failures: `${r.non2xx} non-2xx, ${r.errors} errors (${r.timeouts} timeouts), statuses ${JSON.stringify(r.statusCodeStats)}`,
  };
}

/** Runs every target `repeats` times, interleaved; prints the load average before each repeat. */
export async function measure(targets: Target[], o: WindowOptions, log: (l: string) => void): Promise<Map<string, TargetFigures>> {
  const all = new Map<string, WindowFigures[]>(targets.map((t) => [t.name, []]));
  // PostgreSQL's CPU per request, when the bench's database is on this machine (DATABASE_URL)
  const pgCpu = process.env.DATABASE_URL ? await openPgCpuSampler(process.env.DATABASE_URL).catch(() => undefined) : undefined;
  try {
  for (let r = 0; r < o.repeats; r++) {
    log(`  repeat ${r + 1}/${o.repeats}: load average ${loadavg().map((l) => fmt(l)).join(' ')}`);
    for (const t of targets) {
      if (o.warmupSeconds > 0) await window(t, o.warmupSeconds, o.connections);
      const w = await window(t, o.windowSeconds, o.connections, pgCpu);
      if (w.failed) {
        // Failed requests measure nothing: say what one of them answers.
        const req = t.post?.(0);
        const headers = { ...(t.headers ?? {}), ...(t.headersOf?.(0) ?? {}) };
        const probe = await fetch(`${t.base}${t.pathOf(0)}`, req ? { method: 'POST', headers: { ...headers, ...req.headers }, body: req.body as unknown as RequestInit['body'] } : { headers });
        log(`  ${t.name}: ${w.failures} in the window; one now answers ${probe.status} ${(await probe.text()).slice(0, 200)}`);
      }
      all.get(t.name)!.push(w);
    }
  }
  } finally {
    await pgCpu?.close();
  }
  const out = new Map<string, TargetFigures>();
  for (const [name, windows] of all) {
    const m = (k: 'perSecond' | 'p50' | 'p90' | 'p99' | 'max' | 'loadCpuMsPerRequest' | 'cpuMsPerRequest' | 'pgCpuMsPerRequest' | 'commitsPerRequest') => median(windows.map((w) => w[k]));
    out.set(name, { windows, median: { perSecond: m('perSecond'), p50: m('p50'), p90: m('p90'), p99: m('p99'), max: m('max'), loadCpuMsPerRequest: m('loadCpuMsPerRequest'), cpuMsPerRequest: m('cpuMsPerRequest'), pgCpuMsPerRequest: m('pgCpuMsPerRequest'), commitsPerRequest: m('commitsPerRequest'), maxRss: Math.max(...windows.map((w) => w.maxRss)), failed: windows.reduce((n, w) => n + w.failed, 0) } });
  }
  return out;
}

const spread = (f: TargetFigures, k: 'perSecond' | 'p50' | 'p99', d: number) => {
  const v = f.windows.map((w) => w[k]);
  return `${fmt(Math.min(...v), d)}–${fmt(Math.max(...v), d)}`;
};

/** The PostgreSQL backends' CPU per request beside the server's, when read. */
const pgPart = (w: WindowFigures) =>
  Number.isNaN(w.pgCpuMsPerRequest) ? '' : ` + PostgreSQL ${fmt(w.pgCpuMsPerRequest, 2)} = ${fmt(w.cpuMsPerRequest + w.pgCpuMsPerRequest, 2)} ms (${fmt(w.commitsPerRequest, 2)} commits/req)`;

/** One line: the target's medians (and spread), the baseline's, and the ratios. */
export function ratioLine(name: string, ours: TargetFigures, floor: TargetFigures): string {
  const o = ours.median;
  const b = floor.median;
  return (
    `${name}: ${fmt(o.perSecond, 1)} req/s (${spread(ours, 'perSecond', 0)}), p50 ${fmt(o.p50, 1)} ms, p99 ${fmt(o.p99, 1)} ms (${spread(ours, 'p99', 0)}), ` +
    `${fmt(o.cpuMsPerRequest, 2)} ms CPU/req${pgPart(o)}, peak RSS ${fmt(o.maxRss / 2 ** 20, 0)} MB | baseline ${fmt(b.perSecond, 1)} req/s (${spread(floor, 'perSecond', 0)}), ` +
    `p50 ${fmt(b.p50, 1)} ms, p99 ${fmt(b.p99, 1)} ms, ${fmt(b.cpuMsPerRequest, 2)} ms CPU/req${pgPart(b)} | ` +
    `ratio: throughput ${fmt(o.perSecond / b.perSecond)}x, p50 ${fmt(o.p50 / b.p50, 1)}x, p99 ${fmt(o.p99 / b.p99, 1)}x, CPU ${fmt(o.cpuMsPerRequest / b.cpuMsPerRequest, 1)}x`
  );
}

/** An A/B line's ratio of CPU per request in the server and PostgreSQL together (empty when PostgreSQL's was not read). */
export function allCpuRatio(after: WindowFigures, before: WindowFigures): string {
  const all = (w: WindowFigures) => w.cpuMsPerRequest + w.pgCpuMsPerRequest;
  return Number.isNaN(all(after)) || Number.isNaN(all(before)) ? '' : `, server + PostgreSQL CPU/req ${(all(after) / all(before)).toFixed(2)}x`;
}
