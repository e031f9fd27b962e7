// `BENCH_COMPARE=<another checkout> npm run -s bench -- churn`: what a caller making a new statement
// text per request (a FHIR search going through its criteria combinations) does to ITI-67's page,
// the statement every reader's request runs, on each server. Per round and server (the order
// alternated each round): a warm burst of pages, a measured burst (before), the caller's
// BENCH_CHURN_REQUESTS searches (6,000, 8 at a time, each with a combination of 15 criteria no
// request of the run sent before: enough to pass what each of the pool's connections keeps), a
// measured burst right after (after), then what the pool's connections keep: how many statements
// (pg_prepared_statements), the memory PostgreSQL holds for them (pg_backend_memory_contexts, the
// CachedPlan* contexts), and on how many connections the page's statement was prepared again
// (under a new name: parsed again, and planned anew for its first 5 runs). The bursts' CPU per
// page (the server's and PostgreSQL's, as paired.ts reads them) compares after with before on the
// same server. BENCH_REPEATS rounds (3); BENCH_CHURN_HOT pages per measured burst (200);
// BENCH_CHURN_SENDS times each combination is sent in a row by one of the 8 (1). Both
// servers' pools hold 8 connections unless BENCH_POOL_SIZE / BENCH_COMPARE_POOL_SIZE say
// otherwise: as many as the bursts' requests at a time, so that each burst runs on every
// connection and reading the kept statements (which holds every connection at once) opens none
// the page never ran on.
import { readFileSync } from 'node:fs';
import { fmt } from '../stats.js';
import { startFairRun } from './carnet-servers.js';
import { burst, kinds, median, type Burst } from './paired.js';
import { openPgCpuSampler } from './pg-cpu.js';
import type { Child } from './procs.js';
import type { PreparedPlans, ServerReady } from './server.js';

const CONCURRENCY = 8;

/** 15 criteria, each present or not in a search: combination i (1 to 32,767) of them. */
const CRITERIA = [
  'type=11488-4',
  'category=10',
  'format=urn:ihe:iti:xds:2017:mimeTypeSufficient',
  'facility=SA01',
  'setting=AMBULATOIRE',
  'event=E1',
  'security-label=N',
  'creation=ge2020-01-01',
  'creation=le2030-01-01',
  'date=ge2020-01-01',
  'date=le2030-01-01',
  'period=ge2020-01-01',
  'period=le2030-01-01',
  'author.given=a',
  'author.family=a',
];

function combination(i: number): string {
  return CRITERIA.filter((_, bit) => (i & (1 << bit)) !== 0).join('&');
}

/**
 * `n` searches, 8 at a time, combinations `from` to `from + n / sends - 1`, each sent `sends` times
 * in a row by the same worker; throws on any answer but 200.
 */
async function churn(s: ServerReady, from: number, n: number, sends: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next * sends < n) {
        const i = from + next++;
        const path = `/fhir/DocumentReference?patient=Patient/${s.patients[i % s.patients.length]}&status=current&_count=20&${combination(i)}`;
        for (let k = 0; k < sends; k++) {
          const res = await fetch(`${s.base}${path}`, { headers: { authorization: `Bearer ${s.nurseToken}` } });
          const text = await res.text();
          if (res.status !== 200) throw new Error(`churn: ${res.status} for ${path}: ${text.slice(0, 300)}`);
        }
      }
    }),
  );
}

interface Round {
  before: Burst;
  after: Burst;
  /** statements kept over the pool's connections (one per text and connection) */
  kept: number;
  /** the page's statements prepared again since before the searches (new names) */
  preparedAgain: number;
  /** PostgreSQL's memory for the kept statements over the pool's connections, MB */
  keptMb: number;
}

/** The names the page's texts are prepared under (its texts: those the warm-up left prepared, before any search of the caller). */
function pageNames(plans: PreparedPlans[], page: Set<string>): Set<string> {
  return new Set(plans.filter((p) => page.has(p.statement)).flatMap((p) => p.names));
}

export async function runChurnBench(options: { databaseUrl: string; log?: (l: string) => void }): Promise<void> {
  const log = options.log ?? ((l: string) => console.log(l));
  if (!process.env.BENCH_COMPARE) throw new Error('churn: BENCH_COMPARE must name the checkout to compare with');
  const rounds = Number(process.env.BENCH_REPEATS ?? 3);
  const churnN = Number(process.env.BENCH_CHURN_REQUESTS ?? 6000);
  const hotN = Number(process.env.BENCH_CHURN_HOT ?? 200);
  // each combination sent this many times in a row (a text is kept from its second run)
  const sends = Number(process.env.BENCH_CHURN_SENDS ?? 1);
  if ((rounds * churnN) / sends >= 1 << CRITERIA.length) throw new Error(`churn: ${rounds} rounds of ${churnN} searches need more than the ${(1 << CRITERIA.length) - 1} combinations`);
  const page = kinds().find((k) => k.name === 'ITI-67');
  if (!page) throw new Error('churn: ITI-67 left out by BENCH_PAIRED');
  process.env.BENCH_POOL_SIZE ??= String(CONCURRENCY);
  process.env.BENCH_COMPARE_POOL_SIZE ??= String(CONCURRENCY);
  const run = await startFairRun({ databaseUrl: options.databaseUrl, records: CONCURRENCY, documents: 1000, log });
  const pgCpu = await openPgCpuSampler(options.databaseUrl);
  try {
    const servers = run.servers.map(([name, child]) => ({ name, child: child as Child<ServerReady>, rounds: [] as Round[], page: new Set<string>() }));
    for (let r = 0; r < rounds; r++) {
      for (const s of r % 2 === 0 ? servers : [...servers].reverse()) {
        // warm: every connection has run the page past its 5 custom plans (the pool closes a
        // connection idle for 10 s, as the other server's turn lasts)
        await burst(pgCpu, s.child, page, 100);
        if (r === 0) {
          for (const p of await s.child.ask<PreparedPlans[]>('prepared-plans')) if (p.statement.startsWith('WITH target AS')) s.page.add(p.statement);
        }
        const namesBefore = pageNames(await s.child.ask<PreparedPlans[]>('prepared-plans'), s.page);
        const before = await burst(pgCpu, s.child, page, hotN);
        await churn(s.child.ready, 1 + Math.ceil((r * churnN) / sends), churnN, sends);
        const after = await burst(pgCpu, s.child, page, hotN);
        const plans = await s.child.ask<PreparedPlans[]>('prepared-plans');
        const preparedAgain = [...pageNames(plans, s.page)].filter((n) => !namesBefore.has(n)).length;
        const keptMb = (await s.child.ask<number[]>('kept-memory')).reduce((n, b) => n + b, 0) / 1024 / 1024;
        s.rounds.push({ before, after, kept: plans.reduce((n, p) => n + p.connections, 0), preparedAgain, keptMb });
      }
    }
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    log(`ITI-67 pages of ${hotN} before and after ${churnN} searches of new criteria combinations (each sent ${sends} times in a row), ${rounds} rounds [load ${load}]:`);
    for (const s of servers) {
      const m = (f: (x: Round) => number) => median(s.rounds.map(f));
      const cpu = (b: Burst) => b.serverMs + b.pgMs;
      log(
        `  ${s.name}: before ${fmt(m((x) => x.before.serverMs), 2)} + ${fmt(m((x) => x.before.pgMs), 2)} ms CPU per page, ${fmt(m((x) => x.before.perSecond), 1)} req/s; ` +
          `after ${fmt(m((x) => x.after.serverMs), 2)} + ${fmt(m((x) => x.after.pgMs), 2)} ms, ${fmt(m((x) => x.after.perSecond), 1)} req/s; ` +
          `after / before, median of the rounds: CPU ${fmt(m((x) => cpu(x.after) / cpu(x.before)), 3)} (${s.rounds.map((x) => fmt(cpu(x.after) / cpu(x.before), 2)).join(', ')}), req/s ${fmt(m((x) => x.after.perSecond / x.before.perSecond), 3)}`,
      );
      log(`    statements kept over the pool after the searches: ${s.rounds.map((x) => x.kept).join(', ')} (PostgreSQL's memory for them: ${s.rounds.map((x) => fmt(x.keptMb, 1)).join(', ')} MB); the page prepared again on ${s.rounds.map((x) => x.preparedAgain).join(', ')} of the connections`);
    }
  } finally {
    await pgCpu.close();
    await run.close();
  }
}
