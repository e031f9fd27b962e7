// ITI-67 as a restricted professional (a care-team nurse), 8 clients over 8 records of 1,000
// documents, against the thin page service (same page select, same order, one trace row per
// request) — each server in a process of its own, the load from this one. With BENCH_COMPARE set
// to another checkout of the project, that checkout's server runs too, on a schema of its own
// seeded the same way, in the same windows: an A/B in one run.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { measure, ratioLine, windowOptions, type Target } from './measure.js';
import { startChild, type Child } from './procs.js';
import type { ServerArgs, ServerReady } from './server.js';

const HERE_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export async function runIti67Bench(options: { databaseUrl: string; log?: (l: string) => void }): Promise<void> {
  const log = options.log ?? ((l: string) => console.log(l));
  const o = windowOptions();
  const records = o.connections;
  const documents = Number(process.env.BENCH_DOCS ?? 1000);
  const roots: Array<[string, string]> = [['Carnet', HERE_ROOT]];
  if (process.env.BENCH_COMPARE) roots.unshift(['Carnet (compare)', resolve(process.env.BENCH_COMPARE)]);
  const admin = new pg.Client({ connectionString: options.databaseUrl });
  await admin.connect();
  const dir = mkdtempSync(join(tmpdir(), 'carnet-fair-bench-'));
  const schemas: string[] = [];
  const children: Child<unknown>[] = [];
  try {
    log(`ITI-67: ${records} records of ${documents} documents, ${o.connections} connections, warm-up ${o.warmupSeconds} s, window ${o.windowSeconds} s, ${o.repeats} repeats; server logs to a file at its default level`);
    const servers: Array<[string, Child<ServerReady>, string]> = [];
    for (const [name, root] of roots) {
      const schema = `carnet_fair_bench_${randomBytes(4).toString('hex')}`;
      await admin.query(`CREATE SCHEMA ${schema}`);
      schemas.push(schema);
      const started = Date.now();
      const logFd = openSync(join(dir, `${schema}.log`), 'a');
      const args: ServerArgs = { srcRoot: root, databaseUrl: options.databaseUrl, schema, records, documents, dataDir: join(dir, schema) };
      const server = await startChild<ServerReady>('./server.ts', args, logFd);
      children.push(server);
      log(`  ${name}: seeded and ANALYZEd in ${((Date.now() - started) / 1000).toFixed(0)} s (${root === HERE_ROOT ? 'this checkout' : root})`);
      servers.push([name, server, schema]);
    }
    const thin = await startChild<{ base: string }>('./thin-page.ts', { databaseUrl: options.databaseUrl, schema: servers.at(-1)![2], connections: o.connections });
    children.push(thin);
    const targets: Target[] = servers.map(([name, s]) => ({
      name,
      base: s.ready.base,
      pathOf: (i) => `/fhir/DocumentReference?patient=Patient/${s.ready.patients[i % records]}&status=current&_count=20`,
      headers: { authorization: `Bearer ${s.ready.nurseToken}` },
      stats: s.stats,
    }));
    const patients = servers.at(-1)![1].ready.patients;
    targets.push({ name: 'thin page service', base: thin.ready.base, pathOf: (i) => `/page?patient=${patients[i % records]}`, stats: thin.stats });
    const figures = await measure(targets, o, log);
    const floor = figures.get('thin page service')!;
    for (const [name] of servers) {
      log(ratioLine(`ITI-67 restricted professional, first page of 20 + total — ${name}`, figures.get(name)!, floor));
    }
    if (servers.length === 2) {
      const [a, b] = servers.map(([name]) => figures.get(name)!.median);
      log(`A/B: this checkout / compare: throughput ${(b!.perSecond / a!.perSecond).toFixed(2)}x, p50 ${(b!.p50 / a!.p50).toFixed(2)}x, p99 ${(b!.p99 / a!.p99).toFixed(2)}x, CPU/req ${(b!.cpuMsPerRequest / a!.cpuMsPerRequest).toFixed(2)}x`);
    }
  } finally {
    for (const c of children) await c.stop();
    for (const s of schemas) await admin.query(`DROP SCHEMA ${s} CASCADE`).catch(() => {});
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}
