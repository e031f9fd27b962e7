// ITI-18 FindDocuments as an authorised professional (the depositing doctor, with a VIHF
// assertion) on records of 1,000 documents, answered as ObjectRef and as LeafClass, against the
// raw selects of the same ids and of the same rows (thin-select.ts) — each server in a process of
// its own, the load from this one. With BENCH_COMPARE set to another checkout of the project,
// that checkout's server runs too, on a schema of its own seeded the same way, in the same
// windows: an A/B in one run.
import { NS } from '../../src/xml/index.js';
import { XDS_ACTIONS } from '../../src/xds/soap.js';
import { envelope } from '../xds.js';
import { doctorSecurity, startFairRun } from './carnet-servers.js';
import { measure, ratioLine, windowOptions, type Target, allCpuRatio } from './measure.js';
import type { Child } from './procs.js';
import { closeObserverClients, observeWindow } from './window-observer.js';
import type { ServerReady, ServerSqlCounts } from './server.js';
import { fmt } from '../stats.js';

const SOAP = { 'content-type': 'application/soap+xml; charset=UTF-8' };

/** A FindDocuments request for the record's Approved entries, answered as `returnType`. */
export function findDocuments(patient: { system: string; value: string }, returnType: 'ObjectRef' | 'LeafClass', security: string): string {
  const query =
    `<query:AdhocQueryRequest xmlns:query="${NS.query}" xmlns:rim="${NS.rim}"><query:ResponseOption returnType="${returnType}"/>` +
    `<rim:AdhocQuery id="urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d">` +
    `<rim:Slot name="$XDSDocumentEntryPatientId"><rim:ValueList><rim:Value>'${patient.value}^^^&amp;${patient.system}&amp;ISO'</rim:Value></rim:ValueList></rim:Slot>` +
    `<rim:Slot name="$XDSDocumentEntryStatus"><rim:ValueList><rim:Value>('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')</rim:Value></rim:ValueList></rim:Slot>` +
    `</rim:AdhocQuery></query:AdhocQueryRequest>`;
  return envelope(XDS_ACTIONS['ITI-18'], query, security);
}

/** A fast Failure would measure nothing: each answer is checked to be a Success of every document. */
export async function check(name: string, base: string, body: string, tag: string, documents: number): Promise<void> {
  const res = await fetch(`${base}/xds/registry`, { method: 'POST', headers: SOAP, body });
  const text = await res.text();
  const found = text.split(tag).length - 1;
  if (!text.includes('ResponseStatusType:Success') || found !== documents) {
    throw new Error(`${name}: the query does not answer Success with ${documents} objects (${res.status}, ${found} ${tag}): ${text.slice(0, 300)}`);
  }
}

/** Statements, transactions and statements outside a transaction per request, over `n` requests one at a time. */
async function sqlPerRequest(s: Child<ServerReady>, body: string, n = 16): Promise<string> {
  const before = await s.ask<ServerSqlCounts>('sql-counts');
  for (let i = 0; i < n; i++) await (await fetch(`${s.ready.base}/xds/registry`, { method: 'POST', headers: SOAP, body })).arrayBuffer();
  const after = await s.ask<ServerSqlCounts>('sql-counts');
  const per = (k: keyof ServerSqlCounts) => fmt((after[k] - before[k]) / n, 1);
  return `${per('statements')} statements (BEGIN and COMMIT included), ${per('transactions')} transactions, ${per('outside')} statements outside a transaction`;
}

/** BENCH_TAIL / BENCH_WAITS / BENCH_PG_LOG: what each window's server and PostgreSQL did. */
function windowLines(figures: Awaited<ReturnType<typeof measure>>, log: (l: string) => void): void {
  for (const [name, f] of figures) {
    if (!f.windows.some((w) => w.note)) continue;
    log(`ITI-18 windows as the client saw them — ${name}:`);
    for (const [i, w] of f.windows.entries()) {
      log(`  window ${i + 1}: ${fmt(w.perSecond, 1)} req/s, p50 ${fmt(w.p50, 0)} / p90 ${fmt(w.p90, 0)} / p99 ${fmt(w.p99, 0)} ms; server ${fmt(w.cpuMsPerRequest, 2)} + PostgreSQL ${fmt(w.pgCpuMsPerRequest, 2)} ms CPU/req; load generator ${fmt(w.loadCpuMsPerRequest, 2)} ms CPU/req${w.note ? `\n    ${w.note}` : ''}`);
    }
  }
}

export async function runIti18Bench(options: { databaseUrl: string; log?: (l: string) => void }): Promise<void> {
  const log = options.log ?? ((l: string) => console.log(l));
  const o = windowOptions();
  const records = Number(process.env.BENCH_RECORDS ?? 1);
  const documents = Number(process.env.BENCH_DOCS ?? 1000);
  // BENCH_ITI18_ANSWERS=LeafClass (or ObjectRef) measures that answer alone: shorter runs, and a
  // CPU profile (BENCH_CPU_PROF) of one answer's work only
  const answers = (['ObjectRef', 'LeafClass'] as const).filter((a) => !process.env.BENCH_ITI18_ANSWERS || process.env.BENCH_ITI18_ANSWERS.split(',').includes(a));
  if (!answers.length) throw new Error(`BENCH_ITI18_ANSWERS: ObjectRef, LeafClass or both (not ${process.env.BENCH_ITI18_ANSWERS})`);
  log(`ITI-18 FindDocuments: ${records} record(s) of ${documents} documents, ${o.connections} connections, warm-up ${o.warmupSeconds} s, window ${o.windowSeconds} s, ${o.repeats} repeats; server logs to a file at its default level`);
  const run = await startFairRun({ databaseUrl: options.databaseUrl, records, documents, log });
  try {
    const { servers } = run;
    const thin = await run.baseline<{ base: string }>('./thin-select.ts', { connections: o.connections });
    const patients = servers.at(-1)![1].ready.patients;
    const security = doctorSecurity();
    const targets: Target[] = [];
    for (const returnType of answers) {
      for (const [name, s] of servers) {
        const bodies = s.ready.identifiers.map((p) => findDocuments(p, returnType, security));
        await check(`${name} ${returnType}`, s.ready.base, bodies[0]!, returnType === 'ObjectRef' ? '<rim:ObjectRef ' : '<rim:ExtrinsicObject ', documents);
        log(`ITI-18 ${returnType} SQL per request — ${name}: ${await sqlPerRequest(s, bodies[0]!)}`);
        const target: Target = { name: `${name} ${returnType}`, base: s.ready.base, pathOf: () => '/xds/registry', headers: SOAP, post: (i) => ({ headers: SOAP, body: bodies[i % records]! }), stats: s.stats };
        observeWindow(target, s, { sqlCounts: true });
        targets.push(target);
      }
      const path = returnType === 'ObjectRef' ? 'ids' : 'rows';
      const raw: Target = { name: `raw select (${path})`, base: thin.ready.base, pathOf: (i) => `/${path}?patient=${patients[i % records]}`, stats: thin.stats };
      observeWindow(raw, thin);
      targets.push(raw);
      if (returnType === 'ObjectRef') {
        // the same select with a trace row in its statement: the commit then waits for the WAL's flush, as Carnet's does
        const traced: Target = { name: 'raw select (ids) + trace row', base: thin.ready.base, pathOf: (i) => `/ids-traced?patient=${patients[i % records]}`, stats: thin.stats };
        observeWindow(traced, thin);
        targets.push(traced);
      }
    }
    // BENCH_CONNECTIONS_LIST (e.g. `4,16`): first the same windows at each of these numbers of
    // connections, one line per target: does a target's throughput follow the clients (requests
    // held by a wait that is not CPU) or stay (CPU, or the server's one thread)?
    for (const connections of (process.env.BENCH_CONNECTIONS_LIST ?? '').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0 && n !== o.connections)) {
      log(`  at ${connections} connections:`);
      const at = await measure(targets, { ...o, connections }, log);
      for (const [name, f] of at) {
        const m = f.median;
        log(`  ${connections} connections — ${name}: ${fmt(m.perSecond, 1)} req/s, p50 ${fmt(m.p50, 1)} / p99 ${fmt(m.p99, 1)} ms, ${fmt(m.cpuMsPerRequest, 2)} + ${fmt(m.pgCpuMsPerRequest, 2)} ms CPU/req (server + PostgreSQL)`);
      }
      windowLines(at, log);
    }
    log(`  at ${o.connections} connections:`);
    const figures = await measure(targets, o, log);
    windowLines(figures, log);
    for (const returnType of answers) {
      const floor = figures.get(`raw select (${returnType === 'ObjectRef' ? 'ids' : 'rows'})`)!;
      for (const [name] of servers) {
        log(ratioLine(`ITI-18 FindDocuments ${returnType}, ${documents} documents — ${name}`, figures.get(`${name} ${returnType}`)!, floor));
        const traced = figures.get('raw select (ids) + trace row');
        if (returnType === 'ObjectRef' && traced) log(ratioLine(`  the same against the ids' select with a trace row (its commit flushed) — ${name}`, figures.get(`${name} ${returnType}`)!, traced));
      }
      if (servers.length === 2) {
        const [a, b] = servers.map(([name]) => figures.get(`${name} ${returnType}`)!.median);
        log(`A/B ${returnType}: this checkout / compare: throughput ${(b!.perSecond / a!.perSecond).toFixed(2)}x, p50 ${(b!.p50 / a!.p50).toFixed(2)}x, p99 ${(b!.p99 / a!.p99).toFixed(2)}x, CPU/req ${(b!.cpuMsPerRequest / a!.cpuMsPerRequest).toFixed(2)}x${allCpuRatio(b!, a!)}`);
      }
    }
  } finally {
    await closeObserverClients();
    await run.close();
  }
}
