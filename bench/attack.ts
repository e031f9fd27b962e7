// Issue "no single request can stall the server": while four clients post the worst bodies the
// limits still admit and the largest ones they refuse, how long do /health and an ITI-67 search
// take, as a ratio of the same without the attack, and how much memory does the server take?
// Three processes besides this one: the server (attack-server.ts), the four attackers and the
// measuring client (attack-load.ts, one role each), so that none shares another's event loop or
// clock. Quiet and attacked windows alternate, `repeats` times; figures are medians with spread.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AttackReport, ProbeReport, ProbeStats } from './attack-load.js';
import type { AttackServerArgs, AttackServerReady, AttackServerWindow } from './attack-server.js';
import { seedAttackStore } from './attack-seed.js';
import { startChild } from './fair/procs.js';
import { fmt, median } from './stats.js';

export interface AttackBenchOptions {
  /** PostgreSQL when given, else the embedded PGlite */
  databaseUrl?: string;
  /** seconds of each window (default 15) */
  seconds?: number;
  /** quiet/attacked pairs of windows (default 3) */
  repeats?: number;
  log?: (line: string) => void;
}

/** Runs attack-load.ts with `args` in its own process and reads its one-line JSON report. */
function runLoad<T>(args: Record<string, string>): Promise<T> {
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
        resolve(JSON.parse(line) as T);
      } catch {
        reject(new Error(`the load process printed no report: ${out.slice(-500)}`));
      }
    });
  });
}

interface Window {
  probe: ProbeReport;
  attack?: AttackReport;
  idle: number;
  peak: number;
  server: AttackServerWindow;
  load: [number, number];
}

const spread = (values: number[]) => `${fmt(Math.min(...values), 0)}–${fmt(Math.max(...values), 0)}`;

export async function runAttackBench(options: AttackBenchOptions = {}): Promise<void> {
  const log = options.log ?? ((l: string) => console.log(l));
  const seconds = options.seconds ?? 15;
  const repeats = options.repeats ?? 3;
  const dataDir = mkdtempSync(join(tmpdir(), 'carnet-attack-bench-'));
  const seeded = await seedAttackStore(options.databaseUrl, dataDir);
  const args: AttackServerArgs = { store: seeded.store, dataDir, patientKey: seeded.patientKey, doctorClaims: seeded.doctorClaims };
  const server = await startChild<AttackServerReady>('../attack-server.ts', args);
  try {
    const r = server.ready;
    const common = { base: r.base, token: r.token, patientKey: r.patientKey, limits: JSON.stringify(r.limits), documentBodyLimit: String(r.documentBodyLimit) };
    const window = async (attacked: boolean): Promise<Window> => {
      const before = loadavg()[0]!;
      const { rss: idle } = await server.ask<{ rss: number }>('phase-start');
      // The attackers build their bodies first (up to a few seconds for the largest); the probe
      // starts a second after them, once the attack is under way, and both stop together.
      const start = Date.now() + (attacked ? 5000 : 500);
      const end = start + 1000 + seconds * 1000;
      const probeArgs = { ...common, role: 'probe', start: String(start + 1000), end: String(end) };
      const [probe, attack] = await Promise.all([
        runLoad<ProbeReport>(probeArgs),
        attacked ? runLoad<AttackReport>({ ...common, role: 'attack', start: String(start), end: String(end) }) : Promise.resolve(undefined),
      ]);
      const figures = await server.ask<AttackServerWindow>('phase-end');
      return { probe, attack, idle, peak: figures.rss, server: figures, load: [before, loadavg()[0]!] };
    };
    const quiet: Window[] = [];
    const attacked: Window[] = [];
    for (let i = 0; i < repeats; i++) {
      quiet.push(await window(false));
      attacked.push(await window(true));
    }

    const mb = (b: number) => `${fmt(b / 1024 / 1024, 0)} MB`;
    const store = options.databaseUrl ? 'PostgreSQL' : 'PGlite';
    const loads = (ws: Window[]) => ws.map((w) => `${fmt(w.load[0])}/${fmt(w.load[1])}`).join(', ');
    log(`${store}, the server from its ${r.code === 'compiled' ? 'compiled code (dist/, as carnet serve runs)' : 'sources (dist/ missing or older than src/: npm run build)'}; ${repeats} quiet/attacked pairs of ${seconds} s windows; load average (1 min) before/after each window: quiet ${loads(quiet)}; attacked ${loads(attacked)}`);
    for (const probe of ['health', 'search'] as const) {
      const q = quiet.map((w) => w.probe[probe]);
      const a = attacked.map((w) => w.probe[probe]);
      const med = (s: ProbeStats[], k: 'p50' | 'p99') => median(s.map((x) => x[k]));
      const count = (s: ProbeStats[]) => s.reduce((n, x) => n + x.count, 0);
      const failed = (s: ProbeStats[]) => s.reduce((n, x) => n + x.failed, 0);
      log(
        `${probe === 'health' ? 'GET /health' : 'ITI-67 search'}: quiet p50 ${fmt(med(q, 'p50'))} ms p99 ${fmt(med(q, 'p99'))} ms (${spread(q.map((x) => x.p99))}; ${count(q)} requests); ` +
          `under attack p50 ${fmt(med(a, 'p50'))} ms p99 ${fmt(med(a, 'p99'))} ms (${spread(a.map((x) => x.p99))}; ${count(a)}, ${failed(a)} failed) | ` +
          `p99 ratio ${fmt(med(a, 'p99') / med(q, 'p99'), 1)}x (per pair ${a.map((x, i) => fmt(x.p99 / q[i]!.p99, 1)).join(', ')}; target <= 3x)`,
      );
    }
    // The server's own view: how long its event loop was late (sampled every 10 ms) and how long
    // the garbage collector stopped it, per window.
    const stalls = (ws: Window[]) =>
      ws
        .map((w) => `loop delay p99 ${fmt(w.server.loopDelay.p99, 0)} max ${fmt(w.server.loopDelay.max, 0)} ms, GC ${w.server.gc.count} pauses p99 ${fmt(w.server.gc.p99, 0)} max ${fmt(w.server.gc.max, 0)} total ${fmt(w.server.gc.totalMs, 0)} ms`)
        .join('; ');
    log(`server main thread, quiet: ${stalls(quiet)}`);
    log(`server main thread, attacked: ${stalls(attacked)}`);
    const last = attacked.at(-1)!.attack!;
    for (const [name, s] of Object.entries(last.attacks)) {
      log(`  attack ${name} (last window): ${s.count} sent, statuses ${JSON.stringify(s.statuses)}, p50 ${fmt(s.p50)} ms, p99 ${fmt(s.p99)} ms`);
    }
    const inFlight = last.bytesInFlight;
    const worst = attacked.reduce((m, w) => (w.peak - w.idle > m.peak - m.idle ? w : m));
    log(
      `server RSS (its own process): idle ${mb(worst.idle)}, peak under attack ${mb(worst.peak)} (quiet windows' peak ${mb(Math.max(...quiet.map((w) => w.peak)))}); ` +
        `growth ${mb(worst.peak - worst.idle)} for ${mb(inFlight)} in flight at most (4 clients x largest body) | ` +
        `growth / bytes in flight ${fmt((worst.peak - worst.idle) / inFlight, 1)}x, peak / bytes in flight ${fmt(worst.peak / inFlight, 1)}x (target < 4x)`,
    );
  } finally {
    await server.stop();
    await seeded.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
