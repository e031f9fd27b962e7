// `npm run bench`: every benchmark of the project, each printing its figures and, where it has
// one, a ratio against a baseline measured in the same run. Runs on PGlite, and on PostgreSQL
// too when DATABASE_URL is set (the door benchmarks need it).
import { existsSync } from 'node:fs';
import { openPglite } from '../src/store/pglite-db.js';
import { openPostgres } from '../src/store/pg-db.js';
import { migrate } from '../src/store/migrations.js';
import { randomBytes } from 'node:crypto';
import { runAttackBench } from './attack.js';
import { benchDecisions, benchRestrictedSearch, printSearch } from './rules.js';

async function withPostgresSchema<T>(url: string, fn: (db: ReturnType<typeof openPostgres>) => Promise<T>): Promise<T> {
  const schema = `carnet_bench_${randomBytes(4).toString('hex')}`;
  const admin = openPostgres({ connectionString: url, maxConnections: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const db = openPostgres({ connectionString: url, maxConnections: 10, schema });
  try {
    await migrate(db);
    return await fn(db);
  } finally {
    await db.close();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.close();
  }
}

async function main(): Promise<void> {
  const only = process.argv[2];
  if (only === 'attack') return attack();
  if (!only || only === 'rules') await rules();
  const url = process.env.DATABASE_URL;
  // The doors' benchmarks (PostgreSQL, concurrent HTTP clients). iti67, deposit, iti18 and memory are the
  // fair instrument: server and baseline in processes of their own (bench/fair/); scale measures
  // the searches as the store grows (bench/scale/).
  for (const [name, file, fn] of [
    ['iti67', './fair/iti67.ts', 'runIti67Bench'],
    ['deposit', './fair/deposit.ts', 'runDepositBench'],
    ['iti18', './fair/iti18.ts', 'runIti18Bench'],
    ['memory', './fair/memory.ts', 'runMemoryBench'],
    ['fhir', './fhir.ts', 'runFhirBench'],
    ['xds', './xds.ts', 'runXdsBench'],
    // only when asked for by name: it fills a store of a million documents
    ['scale', './scale/scale.ts', 'runScaleBench'],
    // only when asked for by name, with BENCH_COMPARE: CPU per request in paired rounds
    ['paired', './fair/paired.ts', 'runPairedBench'],
    // only when asked for by name, with BENCH_COMPARE: ITI-67's page before and after a caller
    // making a new statement text per request
    ['churn', './fair/churn.ts', 'runChurnBench'],
    // only when asked for by name: a history read on a record of 1,000 documents, its steps apart
    ['history', './history.ts', 'runHistoryBench'],
  ] as const) {
    if (!only && (name === 'scale' || name === 'paired' || name === 'churn' || name === 'history')) continue;
    if (only && only !== name) continue;
    if (!existsSync(new URL(file, import.meta.url))) continue;
    if (!url) {
      console.log(`== ${name} == skipped: needs DATABASE_URL`);
      continue;
    }
    console.log(`== ${name} ==`);
    const mod = (await import(file)) as Record<string, (o: { databaseUrl: string }) => Promise<void>>;
    await mod[fn]({ databaseUrl: url });
  }
  if (!only) await attack();
}

/** The rules alone: a pure decision, and the restricted search's SQL on PGlite and PostgreSQL. */
async function rules(): Promise<void> {
  console.log('== rules ==');
  const d = benchDecisions();
  console.log(`pure decision (document.read): ${d.perSecond.toLocaleString('en')} decisions/s`);
  const pglite = await openPglite();
  try {
    await migrate(pglite);
    printSearch('search, 1,000 documents, PGlite', await benchRestrictedSearch(pglite));
  } finally {
    await pglite.close();
  }
  const url = process.env.DATABASE_URL;
  if (url) {
    await withPostgresSchema(url, async (db) => printSearch('search, 1,000 documents, PostgreSQL', await benchRestrictedSearch(db)));
  } else {
    console.log('DATABASE_URL not set: PostgreSQL figures skipped');
  }
}

/** The server under hostile load (PostgreSQL when DATABASE_URL is set, else PGlite). */
async function attack(): Promise<void> {
  console.log('== attack ==');
  // BENCH_WINDOW (s, default 15) and BENCH_REPEATS (default 3) set its windows too.
  const env = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
  await runAttackBench({ databaseUrl: process.env.DATABASE_URL, seconds: env('BENCH_WINDOW'), repeats: env('BENCH_REPEATS') });
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
