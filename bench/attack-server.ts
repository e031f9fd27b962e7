// The server under attack, in a process of its own (bench/attack.ts starts it): `createApp` as
// `carnet serve` runs it, on a PostgreSQL schema of the benchmark (or a PGlite store), with one
// record of twenty documents a doctor may read. Besides the fair benchmark's `stats` and `stop`
// it answers `phase-start` (its resident size now; resets the peak) and `phase-end` (the peak
// resident size since, sampled every 20 ms on its own thread, with the event loop's delay and the
// garbage collector's pauses over the window: what a request waiting behind them would wait).
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { loadConfig, type InputLimits } from '../src/config/config.js';
import { ensureFhirDefinitions } from '../src/fhir/definitions.js';
import type { Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrations.js';
import { openPglite } from '../src/store/pglite-db.js';
import { openPostgres } from '../src/store/pg-db.js';
import { claimsOf } from '../test/support/app.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission } from '../test/support/world.js';
import { childArgs, serveParent } from './fair/procs.js';

export interface AttackServerArgs {
  /** PostgreSQL when given, else the embedded PGlite */
  databaseUrl?: string;
  dataDir: string;
}

export interface AttackServerReady {
  base: string;
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

async function openStore(url: string | undefined): Promise<{ db: Db; drop: () => Promise<void> }> {
  if (!url) {
    const db = await openPglite();
    await migrate(db);
    return { db, drop: () => db.close() };
  }
  const schema = `carnet_attack_bench_${randomBytes(4).toString('hex')}`;
  const admin = openPostgres({ connectionString: url, maxConnections: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const db = openPostgres({ connectionString: url, maxConnections: 10, schema });
  await migrate(db);
  return {
    db,
    drop: async () => {
      await db.close();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.close();
    },
  };
}

async function main(): Promise<void> {
  const a = childArgs<AttackServerArgs>();
  const { db, drop } = await openStore(a.databaseUrl);
  const config = { ...loadConfig({ CARNET_LOG_LEVEL: 'silent', CARNET_DEV_MODE: 'true', CARNET_DATA_DIR: a.dataDir }), host: '127.0.0.1', port: 0 };
  const app = await createApp(config, { db, logger: pino({ level: 'silent' }) });
  const w = await makeWorld(db);
  const doctor = proActor('doctor');
  const rec = await adultRecord(w);
  await w.services.consent.addGrant(patientCaller(rec.patientKey), rec.patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
  for (let i = 0; i < 5; i++) await w.services.submissions.submit(as(doctor), submission(rec.ins, [{}, {}, {}, {}]));
  const base = await app.http.listen({ host: '127.0.0.1', port: 0 });
  // As `carnet serve` does: definitions indexed and worker threads loaded before the first request.
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
    token: await app.verifier.sign(claimsOf(doctor), 3600),
    patientKey: rec.patientKey,
    limits: config.limits,
    documentBodyLimit: config.documentBodyLimit,
  };
  serveParent(ready, async () => {
    await app.close();
    await drop();
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
