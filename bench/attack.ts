// Issue "no single request can stall the server": while four clients post the worst bodies the
// limits still admit and the largest ones they refuse, how long do /health and an ITI-67 search
// take, as a ratio of the same without the attack, and how much memory does the server take?
// The server runs here; the load (the four attackers and the fifth, measuring, client) runs in a
// separate process (attack-load.ts), so that it never shares the server's event loop.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { createApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { ensureFhirDefinitions } from '../src/fhir/definitions.js';
import type { Db } from '../src/store/db.js';
import { migrate } from '../src/store/migrations.js';
import { openPglite } from '../src/store/pglite-db.js';
import { openPostgres } from '../src/store/pg-db.js';
import { claimsOf } from '../test/support/app.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission } from '../test/support/world.js';
import type { LoadReport } from './attack-load.js';
import { fmt } from './stats.js';

export interface AttackBenchOptions {
  /** PostgreSQL when given, else the embedded PGlite */
  databaseUrl?: string;
  /** seconds of each phase (default 8) */
  seconds?: number;
  log?: (line: string) => void;
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

/** Runs attack-load.ts in its own process and reads its one-line JSON report. */
function runLoad(args: Record<string, string>): Promise<LoadReport> {
  const runner = fileURLToPath(new URL('../bin/run-ts.js', import.meta.url));
  const script = fileURLToPath(new URL('./attack-load.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runner, script, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`the load process exited with ${code}: ${out.slice(-500)}`));
      try {
        resolve(JSON.parse(line) as LoadReport);
      } catch {
        reject(new Error(`the load process printed no report: ${out.slice(-500)}`));
      }
    });
  });
}

export async function runAttackBench(options: AttackBenchOptions = {}): Promise<void> {
  const log = options.log ?? ((l: string) => console.log(l));
  const seconds = options.seconds ?? 8;
  const dataDir = mkdtempSync(join(tmpdir(), 'carnet-attack-bench-'));
  const { db, drop } = await openStore(options.databaseUrl);
  let app: App | undefined;
  try {
    const config = { ...loadConfig({ CARNET_LOG_LEVEL: 'silent', CARNET_DEV_MODE: 'true', CARNET_DATA_DIR: dataDir }), host: '127.0.0.1', port: 0 };
    app = await createApp(config, { db, logger: pino({ level: 'silent' }) });
    const base = await app.http.listen({ host: '127.0.0.1', port: 0 });
    const w = await makeWorld(db);
    const doctor = proActor('doctor');
    const rec = await adultRecord(w);
    await w.services.consent.addGrant(patientCaller(rec.patientKey), rec.patientKey, { subjectKind: 'professional', subjectId: doctor.idNatPs, effect: 'permit' });
    for (let i = 0; i < 5; i++) await w.services.submissions.submit(as(doctor), submission(rec.ins, [{}, {}, {}, {}]));
    const token = await app.verifier.sign(claimsOf(doctor), 3600);
    // As `carnet serve` does: the worker threads are loaded before the first request is measured.
    ensureFhirDefinitions();
    await app.http.fhirWork.warm();

    // The server's memory: resident size sampled every 20 ms, peak over each phase.
    let peak = 0;
    // memoryUsage.rss() only: the full memoryUsage() walks the heap, on the server's own thread
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
    const phase = async (attack: boolean) => {
      global.gc?.();
      const idle = process.memoryUsage().rss;
      peak = idle;
      const before = loadavg()[0]!;
      const report = await runLoad({ base, token, patientKey: rec.patientKey, seconds: String(seconds), attack: String(attack), limits: JSON.stringify(config.limits), documentBodyLimit: String(config.documentBodyLimit) });
      return { report, idle, peak, load: [before, loadavg()[0]!] };
    };
    const quiet = await phase(false);
    const attacked = await phase(true);
    clearInterval(sampler);

    const mb = (b: number) => `${fmt(b / 1024 / 1024, 0)} MB`;
    const store = options.databaseUrl ? 'PostgreSQL' : 'PGlite';
    log(`load average (1 min) before/after: quiet ${fmt(quiet.load[0]!)}/${fmt(quiet.load[1]!)}, attack ${fmt(attacked.load[0]!)}/${fmt(attacked.load[1]!)}; ${store}`);
    for (const probe of ['health', 'search'] as const) {
      const q = quiet.report.probes[probe];
      const a = attacked.report.probes[probe];
      log(
        `${probe === 'health' ? 'GET /health' : 'ITI-67 search'}: quiet p50 ${fmt(q.p50)} ms p99 ${fmt(q.p99)} ms (${q.count}); ` +
          `under attack p50 ${fmt(a.p50)} ms p99 ${fmt(a.p99)} ms (${a.count}, ${a.failed} failed) | p99 ratio ${fmt(a.p99 / q.p99, 1)}x (target <= 3x)`,
      );
    }
    for (const [name, s] of Object.entries(attacked.report.attacks)) {
      log(`  attack ${name}: ${s.count} sent, statuses ${JSON.stringify(s.statuses)}, p50 ${fmt(s.p50)} ms, p99 ${fmt(s.p99)} ms`);
    }
    const inFlight = attacked.report.bytesInFlight;
    log(
      `server RSS: idle ${mb(attacked.idle)}, peak under attack ${mb(attacked.peak)} (quiet phase peak ${mb(quiet.peak)}); ` +
        `growth ${mb(attacked.peak - attacked.idle)} for ${mb(inFlight)} in flight at most (4 clients x largest body) | ` +
        `growth / bytes in flight ${fmt((attacked.peak - attacked.idle) / inFlight, 1)}x, peak / bytes in flight ${fmt(attacked.peak / inFlight, 1)}x (target < 4x)`,
    );
  } finally {
    await app?.close();
    await drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
