// BENCH_TAIL=1: where a server's slowest requests spend their time. Bench only, off by default
// (it wraps `pg`'s pool and client, watches the event loop at 1 ms and keeps an async context per
// request: each costs a little CPU, so the headline figures come from runs without it).
//
// For every request, from the HTTP server's 'request' event (the head parsed) to the answer's
// 'finish' (its last byte handed to the kernel):
// - pool: the time it waited for a `pg` connection (pool.connect() until the client is handed over);
// - db: the time its statements were out (client.query() until its promise settles: PostgreSQL's
//   work, the round trip, and the wait for this loop to take the answer);
// - gc: the garbage collection pauses that fell inside it;
// - the rest: this process's own work for it, and the time it waited for the loop (other requests).
// Beside them, for the whole window: the loop's delay (monitorEventLoopDelay, 1 ms resolution),
// its utilisation, and every GC pause (count, longest, total).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Server } from 'node:http';
import { monitorEventLoopDelay, performance, PerformanceObserver, type EventLoopUtilization } from 'node:perf_hooks';
import { schedBetween, schedOf, type Sched } from './run-delay.js';

interface Request {
  start: number;
  end: number;
  pool: number;
  db: number;
  statements: number;
}

export interface TailPart {
  requests: number;
  totalMs: number;
  poolMs: number;
  dbMs: number;
  gcMs: number;
  /** total - pool - db - gc: this process's work for the request and its wait for the loop */
  restMs: number;
  statements: number;
}

export interface TailReport {
  requests: number;
  /** server-side time per request, ms */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** mean of each part over all requests, over the slowest 1%, and over the slowest 1% of those by the same measure */
  all: TailPart;
  slowest1: TailPart;
  /** the event loop's delay over the window (ms): p50, p99, max */
  loopDelay: { p50: number; p99: number; max: number };
  /** share of the window the loop was busy (0..1) */
  loopUtilisation: number;
  /** the main thread's time on a CPU and waiting for one over the window (ms; run-delay.ts) */
  mainThread: Sched;
  gc: { count: number; longestMs: number; totalMs: number; major: number; longestMajorMs: number };
  /** the slowest requests' start, relative to the window's start (s): do they bunch? */
  slowestStarts: number[];
}

type PgModule = { Pool: { prototype: { connect: (...a: unknown[]) => unknown } }; Client: { prototype: { query: (...a: unknown[]) => unknown } } };

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]! : NaN);

/** Installs the probe on `server` and the `pg` module the process's pool comes from; reset() starts a window, report() ends it. */
export function installTailProbe(server: Server, pg: PgModule): { reset(): void; report(): TailReport } {
  const context = new AsyncLocalStorage<Request>();
  let requests: Request[] = [];
  let gcs: Array<{ start: number; duration: number; major: boolean }> = [];
  // first: the request's context must be set before the server's own listener starts its work
  server.prependListener('request', (_req, res) => {
    const r: Request = { start: performance.now(), end: 0, pool: 0, db: 0, statements: 0 };
    context.enterWith(r);
    res.once('finish', () => {
      r.end = performance.now();
      requests.push(r);
    });
  });
  const connect = pg.Pool.prototype.connect;
  pg.Pool.prototype.connect = function (this: unknown, ...args: unknown[]) {
    const r = context.getStore();
    const t = performance.now();
    const out = connect.apply(this, args);
    if (r && args.length === 0 && out instanceof Promise) void out.then(() => (r.pool += performance.now() - t), () => {});
    return out;
  };
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
    const r = context.getStore();
    const t = performance.now();
    const out = query.apply(this, args);
    if (r && out instanceof Promise) {
      r.statements++;
      const done = () => (r.db += performance.now() - t);
      void out.then(done, done);
    }
    return out;
  };
  new PerformanceObserver((list) => {
    // NODE_PERFORMANCE_GC_MAJOR (2): a mark-compact of the old generation; the rest are scavenges and the like
    for (const e of list.getEntries()) gcs.push({ start: e.startTime, duration: e.duration, major: ((e as { detail?: { kind?: number } }).detail?.kind ?? 0) === 2 });
  }).observe({ entryTypes: ['gc'] });
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let windowStart = performance.now();
  let elu: EventLoopUtilization = performance.eventLoopUtilization();
  let sched = schedOf('self');

  const gcInside = (r: Request) => gcs.reduce((ms, g) => ms + Math.max(0, Math.min(r.end, g.start + g.duration) - Math.max(r.start, g.start)), 0);
  const part = (rs: Request[]): TailPart => {
    const n = Math.max(1, rs.length);
    const sum = (f: (r: Request) => number) => rs.reduce((s, r) => s + f(r), 0) / n;
    const gc = sum(gcInside);
    const total = sum((r) => r.end - r.start);
    const pool = sum((r) => r.pool);
    const db = sum((r) => r.db);
    return { requests: rs.length, totalMs: total, poolMs: pool, dbMs: db, gcMs: gc, restMs: total - pool - db - gc, statements: sum((r) => r.statements) };
  };
  return {
    reset() {
      requests = [];
      gcs = [];
      delay.reset();
      windowStart = performance.now();
      elu = performance.eventLoopUtilization();
      sched = schedOf('self');
    },
    report() {
      const rs = [...requests].sort((a, b) => a.end - a.start - (b.end - b.start));
      const times = rs.map((r) => r.end - r.start);
      const slowest = rs.slice(Math.floor(rs.length * 0.99));
      const ms = (ns: number) => ns / 1e6;
      return {
        requests: rs.length,
        p50: quantile(times, 0.5),
        p90: quantile(times, 0.9),
        p99: quantile(times, 0.99),
        max: times.at(-1) ?? NaN,
        all: part(rs),
        slowest1: part(slowest),
        loopDelay: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
        loopUtilisation: performance.eventLoopUtilization(elu).utilization,
        mainThread: schedBetween(sched, schedOf('self')),
        gc: {
          count: gcs.length,
          longestMs: Math.max(0, ...gcs.map((g) => g.duration)),
          totalMs: gcs.reduce((s, g) => s + g.duration, 0),
          major: gcs.filter((g) => g.major).length,
          longestMajorMs: Math.max(0, ...gcs.filter((g) => g.major).map((g) => g.duration)),
        },
        slowestStarts: slowest.map((r) => Math.round((r.start - windowStart) / 100) / 10).sort((a, b) => a - b),
      };
    },
  };
}

/** One line of a report: server-side time, the slowest 1%'s parts against all requests', the loop and GC. */
export function tailLine(t: TailReport): string {
  const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
  const parts = (p: TailPart) => `${f(p.totalMs)} ms = pool ${f(p.poolMs)} + db ${f(p.dbMs)} (${f(p.statements)} statements) + gc ${f(p.gcMs)} + rest ${f(p.restMs)}`;
  return (
    `server-side ${t.requests} requests: p50 ${f(t.p50)} / p90 ${f(t.p90)} / p99 ${f(t.p99)} / max ${f(t.max)} ms; ` +
    `mean ${parts(t.all)}; slowest 1% ${parts(t.slowest1)}; ` +
    `loop delay p50 ${f(t.loopDelay.p50)} / p99 ${f(t.loopDelay.p99)} / max ${f(t.loopDelay.max)} ms, loop busy ${f(t.loopUtilisation * 100, 0)}%; ` +
    `main thread per request: ${f(t.mainThread.cpuMs / Math.max(1, t.requests), 2)} ms on a CPU, ${f(t.mainThread.waitMs / Math.max(1, t.requests), 2)} ms waiting for one; ` +
    `GC ${t.gc.count} pauses, longest ${f(t.gc.longestMs)} ms, ${f(t.gc.totalMs, 0)} ms in all, ${t.gc.major} of the old generation (longest ${f(t.gc.longestMajorMs)} ms); ` +
    `the slowest 1% started at (s into the window) ${t.slowestStarts.join(' ')}`
  );
}

/**
 * The questions a bench child answers about its tail (`tail-reset`, `tail-report`) when
 * BENCH_TAIL is set; none otherwise, and nothing installed. `pg`: the module its pool was made from.
 */
export function tailQuestions(server: Server, pg: () => unknown, env = process.env): Record<string, () => Promise<unknown>> {
  if (!env.BENCH_TAIL) return {};
  const probe = installTailProbe(server, pg() as PgModule);
  return {
    'tail-reset': async () => {
      probe.reset();
      return {};
    },
    'tail-report': async () => probe.report(),
  };
}
