// `npm run bench -- scale`: whether the searches stay as fast when the store grows. One server in
// a process of its own (bench/fair/server.ts) holds two measured records, of 20 and of 1,000
// documents; the bench's bulk loader (bulk-load.ts) then grows the store with filler records to
// each size in turn (BENCH_SCALE_SIZES, default 10,000, 100,000 and 1,000,000 document entries
// in all), ANALYZEs, and at each size measures ITI-67 (a care-team nurse's first page of 20 with
// its total) and ITI-18 FindDocuments (the doctor, ObjectRef and LeafClass) on both records, and
// prints the plans of every read each search makes (plans.ts). Target: p50 and p99 grow at most
// 1.3x from the smallest size to the largest. Windows: BENCH_WINDOW (s, default 8),
// BENCH_WARMUP (2), BENCH_REPEATS (2), BENCH_CONNECTIONS (4); BENCH_SCALE_SEARCHES (names, comma-
// separated, e.g. `ITI-67 1000`: only those searches, to look at one closely).
// BENCH_SCALE_SIDE_BY_SIDE=1: one server and store per size instead of one store grown in turn,
// and every size's windows interleaved in each repeat (side-by-side.ts): on a shared machine, a
// drift of its load between the sizes then falls on all of them alike instead of on the growth.
import pg from 'pg';
import { fmt } from '../stats.js';
import { doctorSecurity, startFairRun } from '../fair/carnet-servers.js';
import { check, findDocuments } from '../fair/iti18.js';
import { measure, windowOptions, type Target, type WindowFigures } from '../fair/measure.js';
import type { Child } from '../fair/procs.js';
import type { ServerReady } from '../fair/server.js';
import { growStore } from './bulk-load.js';
import { plansOf } from './plans.js';
import { readCounters, windowLine } from './db-window.js';
import { runSideBySide } from './side-by-side.js';

/** the measured records; the store's filler copies a third record, of 20 documents, that no request reads */
const RECORD_SIZES = [20, 1000];
const TEMPLATE_SIZE = 20;
const SOAP = { 'content-type': 'application/soap+xml; charset=UTF-8' };
const GROWTH_TARGET = 1.3;

export interface Search {
  name: string;
  target: Target;
  /** one request, checked to answer what the search should */
  once(): Promise<void>;
}

function searchesOf(server: Child<ServerReady>): Search[] {
  const { base, patients, identifiers, nurseToken } = server.ready;
  const security = doctorSecurity();
  const out: Search[] = [];
  for (const [r, documents] of RECORD_SIZES.entries()) {
    const path = `/fhir/DocumentReference?patient=Patient/${patients[r]}&status=current&_count=20`;
    const headers = { authorization: `Bearer ${nurseToken}` };
    out.push({
      name: `ITI-67 ${documents}`,
      target: { name: `ITI-67 ${documents}`, base, pathOf: () => path, headers, stats: server.stats },
      once: async () => {
        const res = await fetch(`${base}${path}`, { headers });
        const body = (await res.json()) as { total?: number };
        if (res.status !== 200 || !body.total) throw new Error(`ITI-67 ${documents}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      },
    });
    for (const returnType of ['ObjectRef', 'LeafClass'] as const) {
      const name = `ITI-18 ${returnType} ${documents}`;
      const body = findDocuments(identifiers[r]!, returnType, security);
      const tag = returnType === 'ObjectRef' ? '<rim:ObjectRef ' : '<rim:ExtrinsicObject ';
      out.push({
        name,
        target: { name, base, pathOf: () => '/xds/registry', headers: SOAP, post: () => ({ headers: SOAP, body }), stats: server.stats },
        once: () => check(name, base, body, tag, documents),
      });
    }
  }
  return out;
}

function sizesOf(env = process.env.BENCH_SCALE_SIZES): number[] {
  const sizes = (env ?? '10000,100000,1000000').split(',').map((s) => Number(s.trim()));
  if (sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new Error(`BENCH_SCALE_SIZES: whole numbers of documents, comma-separated (not ${env})`);
  return sizes.sort((a, b) => a - b);
}

/** the searches BENCH_SCALE_SEARCHES names (all by default) */
export function chosenSearches(server: Child<ServerReady>): Search[] {
  const only = process.env.BENCH_SCALE_SEARCHES?.split(',').map((n) => n.trim());
  const searches = searchesOf(server).filter((s) => !only || only.includes(s.name));
  if (searches.length === 0) throw new Error(`BENCH_SCALE_SEARCHES: none of ${searchesOf(server).map((s) => s.name).join(', ')}`);
  return searches;
}

/** Prints the plans of every read `s` makes, once answered outside the capture (see below). */
export async function printPlans(s: Search, server: Child<ServerReady>, c: pg.ClientBase, size: number, log: (l: string) => void): Promise<void> {
  // once outside the capture: the plans are those of a server answering again, as under
  // load (a LeafClass answer then holds the record's XML, and its cursor is told so)
  await s.once();
  const plans = await plansOf(server, c, s.once);
  log(`-- plans: ${s.name}, ${size.toLocaleString('en')} documents in the store`);
  for (const [i, p] of plans.entries()) {
    log(`  [${i + 1}] ${p.name}  ${p.write ? '(a write: planned, not run)' : `(${fmt(p.executionMs ?? NaN)} ms)`}`);
    // a parameter's value can be long (a known-versions list of 1,000 entries): its head says enough
    for (const line of p.plan) log(`      ${line.length > 600 ? `${line.slice(0, 600)}… (${line.length} characters)` : line}`);
    const k = p.prepared;
    if (k) {
      const unit = k.estimated ? 'estimated cost' : 'ms';
      log(`      kept prepared: custom plan ${fmt(k.custom)} ${unit}, generic plan ${fmt(k.generic)} ${unit} (${k.sameShape ? 'same nodes' : 'other nodes'})${k.roundTrip ? `; run from the client: custom ${fmt(k.roundTrip.custom)} ms, generic ${fmt(k.roundTrip.generic)} ms` : ''}; PostgreSQL's default runs the ${k.autoChoice} plan from the 6th run`);
      if (!k.sameShape) for (const line of k.genericPlan) log(`        generic: ${line.length > 300 ? `${line.slice(0, 300)}…` : line}`);
    }
  }
}

export const scaleRun = { RECORD_SIZES, TEMPLATE_SIZE, GROWTH_TARGET };

export async function runScaleBench(options: { databaseUrl: string; log?: (l: string) => void }): Promise<void> {
  const log = options.log ?? ((l: string) => console.log(l));
  const sizes = sizesOf();
  if (process.env.BENCH_SCALE_SIDE_BY_SIDE) return runSideBySide({ ...options, log, sizes });
  const o = windowOptions({ BENCH_WINDOW: '8', BENCH_WARMUP: '2', BENCH_REPEATS: '2', BENCH_CONNECTIONS: '4', ...process.env });
  log(`scale: records of ${RECORD_SIZES.join(' and ')} documents in stores of ${sizes.map((s) => s.toLocaleString('en')).join(', ')} documents; ${o.connections} connections, warm-up ${o.warmupSeconds} s, window ${o.windowSeconds} s, ${o.repeats} repeats`);
  const run = await startFairRun({ databaseUrl: options.databaseUrl, records: RECORD_SIZES.length, documents: 0, compare: false, server: { recordSizes: [...RECORD_SIZES, TEMPLATE_SIZE], captureQueries: true }, log });
  const [, server, schema] = run.servers.at(-1)!;
  const c = new pg.Client({ connectionString: options.databaseUrl, options: `-c search_path=${schema}` });
  await c.connect();
  const table = new Map<string, Map<number, WindowFigures>>();
  try {
    const searches = chosenSearches(server);
    // each window's database and machine counts, read on the bench's own connection
    const observe = async () => {
      const before = await readCounters(c, schema);
      return async (requests: number) => windowLine(before, await readCounters(c, schema), requests);
    };
    for (const s of searches) s.target.observe = observe;
    let fillerRecords = 0;
    for (const size of sizes) {
      log(`== ${size.toLocaleString('en')} documents in the store ==`);
      fillerRecords = await growStore(c, { schema, templateKey: server.ready.patients[RECORD_SIZES.length]!, fillerRecords, total: size, log });
      for (const s of searches) await printPlans(s, server, c, size, log);
      const figures = await measure(searches.map((s) => s.target), o, log);
      for (const s of searches) {
        const { median: f, windows } = figures.get(s.name)!;
        if (f.failed) log(`  ${s.name}: ${f.failed} failed requests`);
        log(`  ${s.name}: windows ${windows.map((w) => `${fmt(w.perSecond, 1)} req/s p50 ${fmt(w.p50, 0)} p99 ${fmt(w.p99, 0)} ms ${fmt(w.cpuMsPerRequest, 1)} ms CPU/req`).join('; ')}`);
        for (const [i, w] of windows.entries()) log(`    repeat ${i + 1}: ${w.note ?? ''}`);
        if (!table.has(s.name)) table.set(s.name, new Map());
        table.get(s.name)!.set(size, f);
      }
    }
    printTable(table, sizes, log);
  } finally {
    await c.end();
    await run.close();
  }
}

export function printTable(table: Map<string, Map<number, WindowFigures>>, sizes: number[], log: (l: string) => void): void {
  const first = sizes[0]!;
  const last = sizes.at(-1)!;
  log(`== scale: p50 / p99 (ms), req/s, and growth from ${first.toLocaleString('en')} to ${last.toLocaleString('en')} documents (target <= ${GROWTH_TARGET}x) ==`);
  for (const [name, bySize] of table) {
    const cells = sizes.map((s) => {
      const f = bySize.get(s)!;
      return `${s.toLocaleString('en')}: ${fmt(f.p50, 1)} / ${fmt(f.p99, 1)} ms, ${fmt(f.perSecond, 0)} req/s`;
    });
    const a = bySize.get(first)!;
    const b = bySize.get(last)!;
    const p50 = b.p50 / a.p50;
    const p99 = b.p99 / a.p99;
    const verdict = p50 <= GROWTH_TARGET && p99 <= GROWTH_TARGET ? 'within target' : 'OVER target';
    log(`${name.padEnd(24)} ${cells.join(' | ')} | growth p50 ${fmt(p50)}x, p99 ${fmt(p99)}x: ${verdict}`);
  }
}
