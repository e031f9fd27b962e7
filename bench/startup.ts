// `npm run bench:startup`: what a user waits for, measured as a user runs it — `carnet seed`,
// `carnet serve` on an existing embedded store until its first answers, `carnet token`, and the
// server's memory at rest. Each command is a fresh process of `bin/carnet.js`, so the figures
// include loading the code. Prints the machine's load average with the figures, and the CPU time
// each took (user + system): on a busy machine the wall time mostly measures the others.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openPostgres } from '../src/store/pg-db.js';
import { fmt, median } from './stats.js';

const CARNET = resolve('bin/carnet.js');
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 5);

function load(): string {
  return loadavg().map((l) => l.toFixed(2)).join(' ');
}

const TIME = '/usr/bin/time';
const CLOCK_TICK_MS = 10; // USER_HZ = 100 on Linux

/** Runs `carnet <args>`: wall time, and CPU time (user + system) when /usr/bin/time is there. */
function runCommand(args: string[], env: NodeJS.ProcessEnv): { ms: number; cpuMs?: number; stdout: string } {
  const timed = existsSync(TIME);
  const t = process.hrtime.bigint();
  const r = timed
    ? spawnSync(TIME, ['-f', 'cpu %U %S', process.execPath, CARNET, ...args], { env, encoding: 'utf8' })
    : spawnSync(process.execPath, [CARNET, ...args], { env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`carnet ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  return { ms, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : undefined, stdout: r.stdout };
}

/** CPU time (user + system, all threads) a running process has used so far. */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
}

async function until(predicate: () => Promise<boolean>, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    if (await predicate().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'carnet-bench-startup-'));
  const port = 20000 + Math.floor(Math.random() * 40000);
  const env: NodeJS.ProcessEnv = { ...process.env, CARNET_DATA_DIR: join(dir, 'data'), CARNET_DEV_MODE: 'true', CARNET_PORT: String(port), CARNET_LOG_LEVEL: 'warn', CARNET_JOBS_INTERVAL_SECONDS: '0' };
  delete env.DATABASE_URL; // the embedded store, as `npm start` uses it
  const base = `http://127.0.0.1:${port}`;
  const children: ChildProcess[] = [];
  try {
    console.log(`load average before: ${load()}`);
    const seed = runCommand(['seed'], env);
    console.log(`carnet seed (new ./data): ${fmt(seed.ms / 1000)} s`);

    const tokenMs: number[] = [];
    const tokenCpu: number[] = [];
    let token = '';
    for (let i = 0; i < RUNS; i++) {
      const r = runCommand(['token', 'professional', '--id', '810000000002', '--profession', '10', '--specialty', 'SM26', '--structure', '1690000002'], env);
      tokenMs.push(r.ms);
      if (r.cpuMs !== undefined) tokenCpu.push(r.cpuMs);
      token = r.stdout.trim();
    }
    console.log(`carnet token: median ${fmt(median(tokenMs), 0)} ms of ${RUNS} (${tokenMs.map((m) => fmt(m, 0)).join(', ')})` +
      (tokenCpu.length ? `; CPU ${fmt(median(tokenCpu), 0)} ms` : ''));

    const healthMs: number[] = [];
    const healthCpu: number[] = [];
    const searchMs: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = process.hrtime.bigint();
      const child = spawn(process.execPath, [CARNET, 'serve'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
      children.push(child);
      await until(async () => (await fetch(`${base}/health`)).ok, child);
      healthMs.push(Number(process.hrtime.bigint() - t) / 1e6);
      healthCpu.push(cpuMsOf(child.pid!));
      const search = await fetch(`${base}/fhir/DocumentReference?patient.identifier=${encodeURIComponent('urn:oid:1.2.250.1.213.1.4.8|2800575123456')}`, { headers: { authorization: `Bearer ${token}` } });
      if (!search.ok) throw new Error(`search answered ${search.status}`);
      await search.arrayBuffer();
      searchMs.push(Number(process.hrtime.bigint() - t) / 1e6);
      // At rest: a few seconds after start, nothing asked.
      await new Promise((r) => setTimeout(r, 3000));
      rss.push(rssMb(child.pid!));
      await stop(child);
    }
    console.log(`carnet serve, existing ./data, to first /health answer: median ${fmt(median(healthMs), 0)} ms (${healthMs.map((m) => fmt(m, 0)).join(', ')}); CPU ${fmt(median(healthCpu), 0)} ms`);
    console.log(`  ... to first ITI-67 search answer: median ${fmt(median(searchMs))} ms (${searchMs.map((m) => fmt(m, 0)).join(', ')})`);
    console.log(`  memory at rest (RSS, 3 s after the first search): median ${fmt(median(rss), 0)} MB (${rss.map((m) => fmt(m, 0)).join(', ')})`);
    // The same start on PostgreSQL (DATABASE_URL, a schema of its own): no embedded database to open.
    const url = process.env.DATABASE_URL;
    if (url) {
      const schema = `carnet_bench_start_${process.pid}`;
      const admin = openPostgres({ connectionString: url, maxConnections: 1 });
      await admin.query(`CREATE SCHEMA ${schema}`);
      try {
        const pgUrl = new URL(url);
        pgUrl.searchParams.set('options', `-c search_path=${schema}`);
        const pgEnv: NodeJS.ProcessEnv = { ...env, DATABASE_URL: pgUrl.href };
        const pgHealth: number[] = [];
        const pgCpu: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const t = process.hrtime.bigint();
          const child = spawn(process.execPath, [CARNET, 'serve'], { env: pgEnv, stdio: ['ignore', 'ignore', 'inherit'] });
          children.push(child);
          await until(async () => (await fetch(`${base}/health`)).ok, child);
          pgHealth.push(Number(process.hrtime.bigint() - t) / 1e6);
          pgCpu.push(cpuMsOf(child.pid!));
          await stop(child);
        }
        console.log(`carnet serve on PostgreSQL, to first /health answer: median ${fmt(median(pgHealth), 0)} ms (${pgHealth.map((m) => fmt(m, 0)).join(', ')}); CPU ${fmt(median(pgCpu), 0)} ms`);
      } finally {
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.close();
      }
    }
    console.log(`load average after: ${load()}`);
  } finally {
    for (const c of children) await stop(c);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
