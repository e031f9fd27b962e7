// The server under test, in a process of its own: `carnet serve` as production runs it (its own
// logger at the default level, writing to stdout, which the benchmark points at a file), on a
// PostgreSQL schema of the benchmark. Before it answers ready it seeds the records the load reads
// (through the services, as a client would), and VACUUMs and ANALYZEs the tables: PostgreSQL here
// runs with autovacuum off, and a plan made on empty statistics (or a visibility map never set) is
// not the plan of a running server.
// `srcRoot` lets an A/B run start the same server from another checkout of the project.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { DOCTOR } from './people.js';
import { childArgs, serveParent } from './procs.js';
import { countingDb, type SqlCounts } from './sql-counter.js';
import type { Db, Tx } from '../../src/store/db.js';
import { answerCaptureMessages, captureQueries } from '../scale/query-capture.js';
import { tailQuestions } from './tail-probe.js';
import { bulkCopy } from './bulk-copy.js';

/** A parameter's value as an SQL literal of unknown type (arrays as array text), for EXECUTE's arguments. */
function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  const text = Array.isArray(v)
    ? `{${v.map((x) => (x === null ? 'NULL' : `"${String(x).replace(/["\\]/g, (c) => `\\${c}`)}"`)).join(',')}}`
    : v instanceof Date
      ? v.toISOString()
      : String(v);
  return `'${text.replace(/'/g, "''")}'`;
}

export interface ServerArgs {
  srcRoot: string;
  databaseUrl: string;
  schema: string;
  records: number;
  documents: number;
  dataDir: string;
  /** documents of each record, overriding `records` × `documents` (the scale bench's 20 and 1,000) */
  recordSizes?: number[];
  /** keep the statements of the requests the benchmark asks about (bench/scale/query-capture.ts) */
  captureQueries?: boolean;
  /** the server's pool of connections to PostgreSQL (POOL_SIZE unless said: BENCH_POOL_SIZE, carnet-servers.ts) */
  poolSize?: number;
  /**
   * PostgreSQL settings of the server's sessions (`name=value`; BENCH_COMPARE_PG_SETTINGS,
   * carnet-servers.ts): an experiment on the compared server only, such as synchronous_commit=off
   * to weigh the commit's flush. Never a figure of Carnet as deployed.
   */
  pgSettings?: string[];
}

export interface ServerReady {
  base: string;
  /** the records read by ITI-67, one per client */
  patients: string[];
  /** each record's INS (system and value), in the same order: the XDS door names patients by it */
  identifiers: Array<{ system: string; value: string }>;
  /** a care-team nurse's bearer token (the matrix and masking restrict what she sees) */
  nurseToken: string;
  doctorToken: string;
  /** each record's patient's own bearer token, in the order of `patients` */
  patientTokens: string[];
}

/** What the server answers when asked `sql-counts`: the statements it has sent since it started. */
export type ServerSqlCounts = SqlCounts;

/** One page statement's time on the server alone, as EXPLAIN ANALYZE reports it. */
export interface PageSqlTiming {
  /** median Execution Time (ms) over the runs */
  executionMs: number;
  planningMs: number;
  /**
   * the same statement prepared once on one connection (PREPARE, then EXECUTE as a named
   * statement runs): median execution and planning, the plan cache's choice included (absent if
   * the store refused)
   */
  prepared?: { executionMs: number; planningMs: number };
  /** rows the statement returned, and the plan's top lines (ANALYZE, BUFFERS) of one run */
  rows: number;
  plan: string[];
}

/** A statement kept prepared on the server's connections: its text's start, and its plans summed over them (pg_prepared_statements). */
export interface PreparedPlans {
  statement: string;
  connections: number;
  genericPlans: number;
  customPlans: number;
  /** the names it is prepared under, one per connection (a name is never given twice) */
  names: string[];
}

/** One order of the page: whether its plan sorts (no index read in that order), and its time. */
export interface PageOrderPlan {
  sort: string;
  sorted: boolean;
  executionMs: number;
  plan: string[];
}

/**
 * The last document-page statement the server ran (documents.find's select with its total), for
 * the SQL-alone comparison: the benchmark has the server answer one page as the nurse and one as
 * the patient, takes each statement as sent, and runs both again under EXPLAIN ANALYZE.
 */
// the page's statement, as read whole (findDocuments) or by row version (findDocumentRows)
const PAGE_SELECT = /^SELECT d\.(patient_key|entry_uuid)::text[\s\S]*AS page_total[\s\S]* FROM document_entry d\s+(WHERE|LEFT JOIN LATERAL) [\s\S]*ORDER BY/;
/** Where appendTraceWithRead's statement has the page's SELECT. */
const PAGE_IN_TRACE = 'LEFT JOIN LATERAL (SELECT d.';
/**
 * The page's statement, alone or inside the statement that also appends its trace row (tested on
 * every statement the server sends: a prefix test first, the pattern only on the page's text).
 */
const PAGE_STATEMENT = {
  test: (sql: string) => {
    // each text tested once: the pattern backtracks through a page's text (11 K characters with
    // its lists as constants), and ran on every statement, it was charged to the server measured
    let page = pageTexts.get(sql);
    if (page === undefined) {
      page = PAGE_SELECT.test(sql.startsWith('WITH target AS ') ? sql.slice(sql.indexOf(PAGE_IN_TRACE) + PAGE_IN_TRACE.length - 'SELECT d.'.length) : sql);
      if (pageTexts.size >= 10_000) pageTexts.clear();
      pageTexts.set(sql, page);
    }
    return page;
  },
};
const pageTexts = new Map<string, boolean>();

/** The gate appendTraceWithRead adds to the read's WHERE. */
const TRACE_GATE = ' AND EXISTS (SELECT 1 FROM appended)';

/**
 * The page's SELECT alone, on its own parameters: taken out of a statement that appends the trace
 * row too (without its gate, its parameters renumbered from $1), so that the page's time and plan
 * are those of the same statement in either form.
 */
function pageAlone(s: { sql: string; params: unknown[] }): { sql: string; params: unknown[] } {
  if (!s.sql.startsWith('WITH target AS ')) return s;
  const from = s.sql.indexOf(PAGE_IN_TRACE) + 'LEFT JOIN LATERAL ('.length;
  const to = s.sql.lastIndexOf(') r ON true');
  const select = s.sql.slice(from, to).replace(TRACE_GATE, '');
  const first = Math.min(...[...select.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
  return { sql: select.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) - first + 1}`), params: s.params.slice(first - 1) };
}

/** The server's pool of connections to PostgreSQL: the server's own default (CARNET_DB_POOL_SIZE). */
const POOL_SIZE = 10;

const NURSE = { idNatPs: '810000000004', profession: '60', structureId: '1750000001', given: 'Damien', family: 'Roux' };
const TYPES = ['11488-4', '11490-0', '11502-2', '34112-3'];
const TEMPLATES = 20;

async function main(): Promise<void> {
  const a = childArgs<ServerArgs>();
  const load = (path: string) => import(pathToFileURL(join(a.srcRoot, path)).href);
  const { createApp } = await load('src/app.ts');
  const { loadConfig } = await load('src/config/config.ts');
  const { openPostgres } = await load('src/store/pg-db.ts');
  const { migrate } = await load('src/store/migrations.ts');
  const { ensureFhirDefinitions } = await load('src/fhir/definitions.ts');
  const { provideBundleToSubmission } = await load('src/fhir/mhd/provide-bundle.ts');
  const { provideBundle } = await load('test/support/mhd-bundle.ts');
  const { claimsOf } = await load('test/support/app.ts');

  // Counted (statements per request, the page statement kept for the SQL-alone comparison).
  // CARNET_ENTRY_CACHE_BYTES=0 in the bench's environment measures the server without held
  // entries (a checkout that has none ignores it)
  const poolSize = a.poolSize ?? POOL_SIZE;
  // the settings ride on the schema's `-c search_path=…` of the connection's options (pg-db.ts)
  const schema = [a.schema, ...(a.pgSettings ?? []).map((s) => `-c ${s}`)].join(' ');
  const pool = countingDb(openPostgres({ connectionString: a.databaseUrl, maxConnections: poolSize, schema }), PAGE_STATEMENT);
  await migrate(pool);
  const capture = a.captureQueries ? captureQueries(pool) : undefined;
  const db = capture?.db ?? pool;
  const cacheBytes = process.env.CARNET_ENTRY_CACHE_BYTES;
  const config = { ...loadConfig({ CARNET_DEV_MODE: 'true', CARNET_DATA_DIR: a.dataDir, ...(cacheBytes ? { CARNET_ENTRY_CACHE_BYTES: cacheBytes } : {}) }), host: '127.0.0.1', port: 0 };
  const app = await createApp(config, { db });
  const s = app.services;
  const support = { actor: { kind: 'support', agentId: 'bench' }, channel: 'cli' };
  const doctor = { actor: { kind: 'professional', mode: 'normal', ...DOCTOR }, channel: 'cli' };
  await s.directory.putStructure({ structure_id: DOCTOR.structureId, name: 'CH bench', activity_sector: 'SA01', address: null });
  for (const p of [DOCTOR, NURSE]) {
    await s.directory.putProfessional({ id_nat_ps: p.idNatPs, given: p.given, family: p.family, profession: p.profession, specialty: null, structure_id: p.structureId, telecom: null });
  }
  const patients: string[] = [];
  const identifiers: ServerReady['identifiers'] = [];
  const sizes = a.recordSizes ?? Array.from({ length: a.records }, () => a.documents);
  for (const [r, documents] of sizes.entries()) {
    const ins = { system: '1.2.250.1.213.1.4.8', value: `2${String(Date.now() % 1e8).padStart(8, '0')}${String(r).padStart(4, '0')}` };
    const { patientKey } = await s.records.create(support, { identifiers: [ins], given: 'Jeanne', family: 'Durand', birthDate: '1980-05-17', consent: { givenBy: 'patient' } });
    for (const p of [DOCTOR, NURSE]) {
      await s.consent.addGrant({ actor: { kind: 'patient', patientKey }, channel: 'cli' }, patientKey, { subjectKind: 'professional', subjectId: p.idNatPs, effect: 'permit' });
    }
    // The first documents go through the services as a client's deposit would (one in ten masked
    // from professionals, MASQUE_PS: the nurse's page is restricted); the rest are copies of them.
    const docs = Array.from({ length: Math.min(TEMPLATES, documents) }, (_, j) => ({ typeCode: TYPES[j % TYPES.length], confidentiality: j % 10 === 0 ? ['N', 'MASQUE_PS'] : ['N'] }));
    const request = await provideBundleToSubmission(provideBundle({ patient: `Patient/${patientKey}`, docs }), { resolvePatient: () => ins });
    await s.submissions.submit(doctor, request);
    await bulkCopy(db, patientKey, Math.ceil(documents / docs.length) - 1);
    patients.push(patientKey);
    identifiers.push(ins);
  }
  // VACUUM as well as ANALYZE: under autovacuum (PostgreSQL's default) a store's settled rows are
  // marked all-visible by the runs that follow inserts, and index-only scans rely on that mark; a
  // store loaded and never vacuumed has none. (With autovacuum off, Carnet's scheduled jobs only
  // ANALYZE: such a store reads the heap for every row, as before the covering index of 0091.)
  await db.query('VACUUM (ANALYZE)');
  // The seeding's writes flushed now rather than by a checkpoint inside the measured windows (the
  // servers are seeded one after the other, so the last one's CHECKPOINT covers all of them);
  // refused without a superuser or pg_checkpoint, and then the windows may carry it.
  await db.query('CHECKPOINT').catch(() => undefined);
  const base = await app.http.listen({ host: '127.0.0.1', port: 0 });
  // Definitions indexed and the worker thread loaded before the windows: `carnet serve` leaves them
  // to the first request that needs them, a one-time cost the measured windows should not carry.
  ensureFhirDefinitions();
  await app.http.fhirWork.warm();
  const token = (p: typeof DOCTOR) => app.verifier.sign(claimsOf({ kind: 'professional', mode: 'normal', ...p }), 3600);
  const patientTokens = await Promise.all(patients.map((patientKey) => app.verifier.sign(claimsOf({ kind: 'patient', patientKey }), 3600)));
  const ready: ServerReady = { base, patients, identifiers, nurseToken: await token(NURSE), doctorToken: await token(DOCTOR), patientTokens };
  if (capture) answerCaptureMessages(capture);
  serveParent(ready, () => app.close(), {
    // BENCH_TAIL: on this server's HTTP server and the `pg` its store was loaded with
    ...tailQuestions(app.http.server, () => createRequire(join(a.srcRoot, 'package.json'))('pg')),
    'sql-counts': async () => pool.counts(),
    'prepared-plans': async () => preparedPlans(pool, poolSize),
    'kept-memory': async () => keptMemory(pool, poolSize),
    'page-sql': async () => {
      // One page as each reader, through the server as a client asks it; then their statements.
      const statementOf = async (bearer: string, more = '') => {
        const r = await fetch(`${base}/fhir/DocumentReference?patient=Patient/${patients[0]}&status=current&_count=20${more}`, { headers: { authorization: `Bearer ${bearer}` } });
        if (!r.ok) throw new Error(`page-sql: the page answered ${r.status}`);
        await r.arrayBuffer();
        return pageAlone(pool.kept()!);
      };
      const nurse = await statementOf(ready.nurseToken);
      const patient = await statementOf(patientTokens[0]!);
      const timings = { nurse: await pageSqlTiming(pool, nurse), patient: await pageSqlTiming(pool, patient) };
      // Every order a page can be asked in: is it read from an index (no Sort node in its plan)?
      const orders: PageOrderPlan[] = [];
      for (const sort of ['-date', 'date', 'author', '-_lastUpdated']) {
        const s = await statementOf(ready.nurseToken, `&_sort=${sort}`);
        const t = await pageSqlTiming(pool, s, 11);
        orders.push({ sort, sorted: t.plan.some((l) => /^\s*(->\s*)?(Incremental )?Sort\b/.test(l)), executionMs: t.executionMs, plan: t.plan });
      }
      return { ...timings, orders };
    },
  });
}

/**
 * `fn` on every connection of the pool at once (a transaction each, held until all have answered:
 * a prepared statement belongs to one connection), and their answers. Ask right after load: the
 * pool closes a connection idle for 10 s, and its statements with it.
 */
async function onEveryConnection<T>(db: Db, size: number, fn: (tx: Tx) => Promise<T>): Promise<T[]> {
  let arrived = 0;
  let all!: () => void;
  const together = new Promise<void>((resolve) => (all = resolve));
  return Promise.all(
    Array.from({ length: size }, () =>
      db.transaction(async (tx) => {
        const answer = await fn(tx);
        if (++arrived === size) all();
        // every connection held until each has been read (a short wait if the pool cannot give them all)
        await Promise.race([together, new Promise((resolve) => setTimeout(resolve, 2000))]);
        return answer;
      }),
    ),
  );
}

/**
 * What PostgreSQL made of each statement kept prepared on the pool's connections: generic plans
 * (planned once, kept) against custom ones (planned on every run), summed per text.
 */
async function preparedPlans(db: Db, size: number): Promise<PreparedPlans[]> {
  const byText = new Map<string, PreparedPlans>();
  const each = await onEveryConnection(db, size, (tx) =>
    tx.query<{ name: string; statement: string; generic_plans: string; custom_plans: string }>(
      "SELECT name, statement, generic_plans::text, custom_plans::text FROM pg_prepared_statements WHERE name LIKE 'carnet%'",
    ),
  );
  for (const r of each) {
    for (const row of r.rows) {
      const whole = row.statement.replace(/\s+/g, ' ');
      const text = `${whole.slice(0, 120)}… [${whole.length} chars, ${createHash('sha256').update(whole).digest('hex').slice(0, 8)}]`;
      const p = byText.get(text) ?? { statement: text, connections: 0, genericPlans: 0, customPlans: 0, names: [] };
      p.connections++;
      p.names.push(row.name);
      p.genericPlans += Number(row.generic_plans);
      p.customPlans += Number(row.custom_plans);
      byText.set(text, p);
    }
  }
  return [...byText.values()].sort((x, y) => y.genericPlans + y.customPlans - (x.genericPlans + x.customPlans));
}

/** The memory PostgreSQL holds for the kept statements (their parse and plans), in bytes, on each of the pool's connections. */
async function keptMemory(db: Db, size: number): Promise<number[]> {
  return onEveryConnection(db, size, async (tx) =>
    Number(
      (
        await tx.query<{ bytes: string }>(
          "SELECT COALESCE(sum(total_bytes), 0)::text AS bytes FROM pg_backend_memory_contexts WHERE name IN ('CachedPlan', 'CachedPlanSource', 'CachedPlanQuery')",
        )
      ).rows[0]!.bytes,
    ),
  );
}

/** The statement's server-side time: the median of `times` EXPLAIN ANALYZE runs (after 5 unmeasured), and one run's plan with its buffers. */
async function pageSqlTiming(db: Db, s: { sql: string; params: unknown[] }, times = 41): Promise<PageSqlTiming> {
  const run = async () => {
    const r = await db.query<{ 'QUERY PLAN': Array<{ 'Execution Time': number; 'Planning Time': number; Plan: { 'Actual Rows': number } }> }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${s.sql}`, s.params);
    return r.rows[0]!['QUERY PLAN'][0]!;
  };
  for (let i = 0; i < 5; i++) await run();
  const runs = [];
  for (let i = 0; i < times; i++) runs.push(await run());
  const med = (v: number[]) => v.sort((x, y) => x - y)[v.length >> 1]!;
  const plan = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${s.sql}`, s.params);
  // Prepared: on one connection (a transaction holds it), 5 unmeasured runs then `times`, as above.
  const prepared = await db
    .transaction(async (tx) => {
      await tx.query(`PREPARE bench_page AS ${s.sql}`);
      // EXPLAIN EXECUTE takes no bound parameters: the values as literals, as pg would send them
      const args = s.params.map(literal).join(', ');
      const runPrepared = async () => {
        const r = await tx.query<{ 'QUERY PLAN': Array<{ 'Execution Time': number; 'Planning Time': number }> }>(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE bench_page(${args})`);
        return r.rows[0]!['QUERY PLAN'][0]!;
      };
      for (let i = 0; i < 5; i++) await runPrepared();
      const p = [];
      for (let i = 0; i < times; i++) p.push(await runPrepared());
      await tx.query('DEALLOCATE bench_page');
      return { executionMs: med(p.map((r) => r['Execution Time'])), planningMs: med(p.map((r) => r['Planning Time'])) };
    })
    .catch(() => undefined);
  return {
    ...(prepared ? { prepared } : {}),
    executionMs: med(runs.map((r) => r['Execution Time'])),
    planningMs: med(runs.map((r) => r['Planning Time'])),
    rows: runs[0]!.Plan['Actual Rows'],
    plan: plan.rows.map((r) => r['QUERY PLAN']),
  };
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
