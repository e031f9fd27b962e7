// The server under attack, in a process of its own (bench/attack.ts starts it): `createApp` as
// `carnet serve` runs it, from the compiled dist/ when it is current (bench/server-modules.ts), on
// the store the benchmark seeded beforehand (bench/attack-seed.ts): this process holds the server
// and nothing else, so that its memory is the server's. Besides the fair benchmark's `stats` and
// `stop` it answers `phase-start` (its resident size now; resets the peak) and `phase-end` (the
// peak resident size since, sampled every 20 ms on its own thread, with the event loop's delay and
// the garbage collector's pauses over the window: what a request waiting behind them would wait).
import { monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import pino from 'pino';
import type * as AppModule from '../src/app.js';
import type { CarnetClaims } from '../src/auth/claims.js';
import type * as ConfigModule from '../src/config/config.js';
import type { InputLimits } from '../src/config/config.js';
import type * as DefinitionsModule from '../src/fhir/definitions.js';
import type * as PgliteModule from '../src/store/pglite-db.js';
import type * as PgModule from '../src/store/pg-db.js';
import type { AttackStore } from './attack-seed.js';
import { childArgs, serveParent } from './fair/procs.js';
import { serverCodeKind, serverModule } from './server-modules.js';

export interface AttackServerArgs {
  store: AttackStore;
  dataDir: string;
  patientKey: string;
  doctorClaims: CarnetClaims;
}

export interface AttackServerReady {
  base: string;
  /** the server's code: compiled (dist/, as `carnet serve` runs) or its sources */
  code: 'compiled' | 'sources';
  token: string;
  patientKey: string;
  limits: InputLimits;
  documentBodyLimit: number;
}

/** What `phase-end` answers: the window's peak resident size and its main-thread stalls (ms). */
export interface AttackServerWindow {
  rss: number;
  loopDelay: { p50: number; p99: number; max: number };
  gc: { count: number; p99: number; max: number; totalMs: number };
}

async function main(): Promise<void> {
  const a = childArgs<AttackServerArgs>();
  const { createApp } = await serverModule<typeof AppModule>('app');
  const { loadConfig } = await serverModule<typeof ConfigModule>('config/config');
  const { ensureFhirDefinitions } = await serverModule<typeof DefinitionsModule>('fhir/definitions');
  const db =
    a.store.kind === 'postgres'
      ? (await serverModule<typeof PgModule>('store/pg-db')).openPostgres({ connectionString: a.store.databaseUrl, maxConnections: 10, schema: a.store.schema })
      : await (await serverModule<typeof PgliteModule>('store/pglite-db')).openPglite({ dataDir: a.store.dir });
  const config = { ...loadConfig({ CARNET_LOG_LEVEL: 'silent', CARNET_DEV_MODE: 'true', CARNET_DATA_DIR: a.dataDir }), host: '127.0.0.1', port: 0 };
  const app = await createApp(config, { db, logger: pino({ level: 'silent' }) });
  const base = await app.http.listen({ host: '127.0.0.1', port: 0 });
  // Definitions indexed and the worker thread loaded before the windows: `carnet serve` leaves them
  // to the first request that needs them, a one-time cost the measured windows should not carry.
  ensureFhirDefinitions();
  await app.http.fhirWork.warm();

  // memoryUsage.rss() only: the full memoryUsage() walks the heap, on the server's own thread.
  let peak = process.memoryUsage.rss();
  setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20).unref();
  // The event loop's delay, sampled every 10 ms, and every garbage collection's pause.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let pauses: number[] = [];
  new PerformanceObserver((list) => pauses.push(...list.getEntries().map((e: PerformanceEntry) => e.duration))).observe({ entryTypes: ['gc'] });
  process.on('message', (m) => {
    if (m === 'phase-start') {
      peak = process.memoryUsage.rss();
      loop.reset();
      pauses = [];
      process.send!({ rss: peak });
    } else if (m === 'phase-end') {
      const ms = (ns: number) => ns / 1e6;
      const sorted = [...pauses].sort((a, b) => a - b);
      const figures: AttackServerWindow = {
        rss: Math.max(peak, process.memoryUsage.rss()),
        loopDelay: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) },
        gc: { count: sorted.length, p99: sorted[Math.max(0, Math.ceil(sorted.length * 0.99) - 1)] ?? 0, max: sorted.at(-1) ?? 0, totalMs: sorted.reduce((a, b) => a + b, 0) },
      };
      process.send!(figures);
    }
  });
  const ready: AttackServerReady = {
    base,
    code: serverCodeKind,
    token: await app.verifier.sign(a.doctorClaims, 3600),
    patientKey: a.patientKey,
    limits: config.limits,
    documentBodyLimit: config.documentBodyLimit,
  };
  serveParent(ready, async () => {
    await app.close();
    await db.close();
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
