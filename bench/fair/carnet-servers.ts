// What every fair benchmark starts: Carnet's server in a process of its own on a PostgreSQL schema
// of the run, seeded, VACUUMed and ANALYZEd (server.ts) — and, with BENCH_COMPARE set to another checkout
// of the project, that checkout's server too, seeded the same way, for an A/B in one run — then
// its baselines, each in a process of its own. close() stops them all and drops the schemas, also
// after a start that failed half-way.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { issueVihf, securityHeader } from '../../src/auth/vihf-issuer.js';
import { testSigner } from '../../test/support/vihf-keys.js';
import { startChild, type Child } from './procs.js';
import { DOCTOR } from './people.js';
import type { ServerArgs, ServerReady } from './server.js';

const HERE_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface FairRun {
  /** the compared checkout's server first when there is one, this checkout's last */
  servers: Array<[name: string, server: Child<ServerReady>, schema: string]>;
  /** starts a baseline child (a script of this folder) on this checkout's schema */
  baseline<R>(script: string, args: Record<string, unknown>): Promise<Child<R>>;
  close(): Promise<void>;
}

export async function startFairRun(o: {
  databaseUrl: string;
  records: number;
  documents: number;
  compare?: boolean;
  /** more of the servers' arguments (the scale bench's record sizes and query capture) */
  server?: Pick<ServerArgs, 'recordSizes' | 'captureQueries'>;
  log: (l: string) => void;
}): Promise<FairRun> {
  // [name, checkout, whether it is the compared one]
  const roots: Array<[string, string, boolean]> = [['Carnet', HERE_ROOT, false]];
  if (o.compare !== false && process.env.BENCH_COMPARE) roots.unshift(['Carnet (compare)', resolve(process.env.BENCH_COMPARE), true]);
  const admin = new pg.Client({ connectionString: o.databaseUrl });
  await admin.connect();
  const dir = mkdtempSync(join(tmpdir(), 'carnet-fair-bench-'));
  const schemas: string[] = [];
  const children: Child<unknown>[] = [];
  const servers: FairRun['servers'] = [];
  const close = async () => {
    for (const c of children) await c.stop();
    for (const s of schemas) await admin.query(`DROP SCHEMA ${s} CASCADE`).catch(() => {});
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const [name, root, compared] of roots) {
      const schema = `carnet_fair_bench_${randomBytes(4).toString('hex')}`;
      await admin.query(`CREATE SCHEMA ${schema}`);
      schemas.push(schema);
      const started = Date.now();
      const poolSize = Number(process.env[compared ? 'BENCH_COMPARE_POOL_SIZE' : 'BENCH_POOL_SIZE']) || undefined;
      // BENCH_COMPARE_PG_SETTINGS (e.g. `synchronous_commit=off`): the compared server's sessions only, an experiment
      const pgSettings = compared ? (process.env.BENCH_COMPARE_PG_SETTINGS ?? '').split(/\s+/).filter((s) => /^[a-z_]+=[\w.]+$/.test(s)) : [];
      const args: ServerArgs = { srcRoot: root, databaseUrl: o.databaseUrl, schema, records: o.records, documents: o.documents, dataDir: join(dir, schema), ...o.server, ...(poolSize ? { poolSize } : {}), ...(pgSettings.length ? { pgSettings } : {}) };
      const server = await startChild<ServerReady>('./server.ts', args, openSync(join(dir, `${schema}.log`), 'a'), serverFlags(compared));
      children.push(server);
      const flags = serverFlags(compared);
      o.log(`  ${name}: seeded, VACUUMed and ANALYZEd in ${((Date.now() - started) / 1000).toFixed(0)} s (${root === HERE_ROOT ? 'this checkout' : root})${flags.length ? `, node ${flags.join(' ')}` : ''}${poolSize ? `, pool of ${poolSize}` : ''}${pgSettings.length ? `, PostgreSQL sessions with ${pgSettings.join(' ')}` : ''}`);
      servers.push([name, server, schema]);
    }
  } catch (e) {
    await close();
    throw e;
  }
  return {
    servers,
    baseline: async <R>(script: string, args: Record<string, unknown>) => {
      const child = await startChild<R>(script, { ...args, databaseUrl: o.databaseUrl, schema: servers.at(-1)![2] });
      children.push(child);
      return child;
    },
    close,
  };
}

/**
 * BENCH_POOL_SIZE / BENCH_COMPARE_POOL_SIZE (above): the pool of this checkout's / the compared
 * server (the server's default, 10, unless said); the baselines keep theirs.
 *
 * Node's options for a Carnet server of the run: BENCH_SERVER_FLAGS (space-separated, e.g.
 * `--max-semi-space-size=32`) for this checkout's server, BENCH_COMPARE_FLAGS for the compared
 * one's (BENCH_COMPARE may name this checkout: the same code with and without a flag); none by
 * default. Baselines never get them.
 */
function serverFlags(compared: boolean): string[] {
  const flags = process.env[compared ? 'BENCH_COMPARE_FLAGS' : 'BENCH_SERVER_FLAGS'] ?? '';
  return flags.split(/\s+/).filter(Boolean);
}

/** The SOAP Header's wsse:Security of server.ts's depositing doctor, signed by the TEST-ONLY signer the servers trust in development mode. */
export function doctorSecurity(): string {
  return securityHeader(
    issueVihf(
      { idNatPs: DOCTOR.idNatPs, profession: { code: DOCTOR.profession, codeSystem: '1.2.250.1.71.1.2.7' }, structureId: DOCTOR.structureId, subjectName: `${DOCTOR.given} ${DOCTOR.family}`, mode: 'normal' },
      { ...testSigner('trusted'), validitySeconds: 3600 },
    ),
  );
}
