// ITI-67 as a restricted professional (a care-team nurse), 8 clients over 8 records of 1,000
// documents, against the thin page service (same page select, same order, one trace row per
// request) — each server in a process of its own, the load from this one. With BENCH_COMPARE set
// to another checkout of the project, that checkout's server runs too, on a schema of its own
// seeded the same way, in the same windows: an A/B in one run.
import { startFairRun } from './carnet-servers.js';
import { measure, ratioLine, windowOptions, type Target, allCpuRatio } from './measure.js';
import type { Child } from './procs.js';
import type { PageOrderPlan, PageSqlTiming, PreparedPlans, ServerReady, ServerSqlCounts } from './server.js';
import { fmt } from '../stats.js';
import { closeObserverClients, observeWindow } from './window-observer.js';

const pagePath = (patient: string) => `/fhir/DocumentReference?patient=Patient/${patient}&status=current&_count=20`;

/** Statements, transactions and statements outside a transaction per request, over `n` requests one at a time. */
async function sqlPerRequest(s: Child<ServerReady>, bearerOf: (i: number) => string, n = 16): Promise<string> {
  const before = await s.ask<ServerSqlCounts>('sql-counts');
  for (let i = 0; i < n; i++) {
    const r = await fetch(`${s.ready.base}${pagePath(s.ready.patients[i % s.ready.patients.length]!)}`, { headers: { authorization: `Bearer ${bearerOf(i)}` } });
    await r.arrayBuffer();
  }
  const after = await s.ask<ServerSqlCounts>('sql-counts');
  const per = (k: keyof ServerSqlCounts) => fmt((after[k] - before[k]) / n, 1);
  return `${per('statements')} statements (BEGIN and COMMIT included), ${per('transactions')} transactions, ${per('outside')} statements outside a transaction`;
}

function sqlLine(who: string, t: PageSqlTiming): string {
  const prepared = t.prepared ? `; prepared: ${fmt(t.prepared.executionMs, 3)} ms execution + ${fmt(t.prepared.planningMs, 3)} ms planning` : '';
  return `${who} ${fmt(t.executionMs, 3)} ms execution + ${fmt(t.planningMs, 3)} ms planning (${t.rows} rows)${prepared}`;
}

/**
 * What PostgreSQL made of the server's most run statements kept prepared (generic plans, planned
 * once, against custom ones, planned on every run), read after a burst of 8 × 40 pages as the
 * nurse: the pool closes a connection idle for 10 s, and its statements with it.
 */
async function planLines(s: Child<ServerReady>): Promise<string> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < 320) {
        const r = await fetch(`${s.ready.base}${pagePath(s.ready.patients[next++ % s.ready.patients.length]!)}`, { headers: { authorization: `Bearer ${s.ready.nurseToken}` } });
        await r.arrayBuffer();
      }
    }),
  );
  const plans = await s.ask<PreparedPlans[]>('prepared-plans');
  return plans
    .slice(0, 3)
    .map((p) => `    ${p.genericPlans} generic / ${p.customPlans} custom plans on ${p.connections} connections: ${p.statement}`)
    .join('\n');
}

/** Each target's windows as the client saw them (and, with BENCH_TAIL / BENCH_PG_LOG, as its server and PostgreSQL did). */
function tailLines(figures: Awaited<ReturnType<typeof measure>>, log: (l: string) => void): void {
  for (const [name, f] of figures) {
    log(`ITI-67 latency as the client sees it — ${name}:`);
    for (const [i, w] of f.windows.entries()) {
      log(`  window ${i + 1}: ${fmt(w.perSecond, 1)} req/s, p50 ${fmt(w.p50, 0)} / p90 ${fmt(w.p90, 0)} / p99 ${fmt(w.p99, 0)} / max ${fmt(w.max, 0)} ms; load generator ${fmt(w.loadCpuMsPerRequest, 2)} ms CPU/req${w.note ? `\n    ${w.note}` : ''}`);
    }
  }
}

/** BENCH_CONNECTIONS_LIST (e.g. `2,4,8`): the windows at each of these numbers of connections, in one run. */
function connectionCounts(o: { connections: number }, env = process.env): number[] {
  const list = (env.BENCH_CONNECTIONS_LIST ?? '').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
  return list.length ? list : [o.connections];
}

export async function runIti67Bench(options: { databaseUrl: string; log?: (l: string) => void }): Promise<void> {
  const log = options.log ?? ((l: string) => console.log(l));
  const o = windowOptions();
  const counts = connectionCounts(o);
  // BENCH_RECORDS=1: every client on one record, whose accesses queue on its trace chain's head
  // (the thin service writes rows of no chain: it has no such queue).
  const records = Math.max(1, Math.min(o.connections, Number(process.env.BENCH_RECORDS ?? o.connections)));
  const documents = Number(process.env.BENCH_DOCS ?? 1000);
  log(`ITI-67: ${records} records of ${documents} documents, ${o.connections} connections, warm-up ${o.warmupSeconds} s, window ${o.windowSeconds} s, ${o.repeats} repeats; server logs to a file at its default level`);
  const run = await startFairRun({ databaseUrl: options.databaseUrl, records, documents, log });
  try {
    const { servers } = run;
    const thin = await run.baseline<{ base: string }>('./thin-page.ts', { connections: Math.max(o.connections, ...counts) });
    const serverOf = new Map<string, { ask<T>(what: string): Promise<T> }>([...servers.map(([name, s]) => [name, s] as const), ['thin page service', thin]]);
    const targets: Target[] = servers.map(([name, s]) => ({
      name,
      base: s.ready.base,
      pathOf: (i) => pagePath(s.ready.patients[i % records]!),
      headers: { authorization: `Bearer ${s.ready.nurseToken}` },
      stats: s.stats,
    }));
    // The same pages as each record's patient (the restricted page against the patient's own).
    const [ownName, own] = servers.at(-1)!;
    targets.push({
      name: `${ownName}, as the patient`,
      base: own.ready.base,
      pathOf: (i) => pagePath(own.ready.patients[i % records]!),
      // autocannon's requests carry fixed headers: each client reads its own record with its token
      headersOf: (i) => ({ authorization: `Bearer ${own.ready.patientTokens[i % records]}` }),
      stats: own.stats,
    });
    const patients = own.ready.patients;
    targets.push({ name: 'thin page service', base: thin.ready.base, pathOf: (i) => `/page?patient=${patients[i % records]}`, stats: thin.stats });
    for (const t of targets) observeWindow(t, serverOf.get(t.name) ?? own, { sqlCounts: t.name !== 'thin page service' });
    // BENCH_LOAD=both: every target twice in each repeat, from autocannon and from wrk
    if (process.env.BENCH_LOAD === 'both') targets.push(...targets.map((t) => ({ ...t, name: `${t.name} (wrk)`, generator: 'wrk' as const })));
    // At each number of connections asked (BENCH_CONNECTIONS_LIST), every target in the same
    // run: where p99 stands against the thin service's as the queue grows. The figures below are
    // those at BENCH_CONNECTIONS (8), or at the last number of the list.
    let figures: Awaited<ReturnType<typeof measure>> | undefined;
    for (const connections of counts) {
      if (counts.length > 1) log(`  at ${connections} connections:`);
      const at = await measure(targets, { ...o, connections }, log);
      if (counts.length > 1) {
        const thinAt = at.get('thin page service')!.median;
        for (const [name] of servers) {
          const m = at.get(name)!.median;
          log(`  ${connections} connections — ${name}: ${fmt(m.perSecond, 1)} req/s, p50 ${fmt(m.p50, 1)} / p99 ${fmt(m.p99, 1)} ms, ${fmt(m.cpuMsPerRequest + m.pgCpuMsPerRequest, 2)} ms CPU/req (server + PostgreSQL) | thin ${fmt(thinAt.perSecond, 1)} req/s, p50 ${fmt(thinAt.p50, 1)} / p99 ${fmt(thinAt.p99, 1)} ms | p99 ratio ${fmt(m.p99 / thinAt.p99)}x, throughput ratio ${fmt(m.perSecond / thinAt.perSecond)}x`);
        }
      }
      if (connections === o.connections || !counts.includes(o.connections)) figures = at;
    }
    figures = figures!;
    tailLines(figures, log);
    const floor = figures.get('thin page service')!;
    for (const [name] of servers) {
      log(ratioLine(`ITI-67 restricted professional, first page of 20 + total — ${name}`, figures.get(name)!, floor));
    }
    const restricted = figures.get(ownName)!.median;
    const patientOwn = figures.get(`${ownName}, as the patient`)!.median;
    log(
      `ITI-67 restricted / patient's own page, end to end (target <= 1.2x): p50 ${fmt(restricted.p50 / patientOwn.p50)}x, p99 ${fmt(restricted.p99 / patientOwn.p99)}x, ` +
        `throughput patient / restricted ${fmt(patientOwn.perSecond / restricted.perSecond)}x, CPU/req ${fmt(restricted.cpuMsPerRequest / patientOwn.cpuMsPerRequest)}x ` +
        `(patient: ${fmt(patientOwn.perSecond, 1)} req/s, p50 ${fmt(patientOwn.p50, 1)} ms, p99 ${fmt(patientOwn.p99, 1)} ms, ${fmt(patientOwn.cpuMsPerRequest, 2)} ms CPU/req)`,
    );
    for (const [name, s] of servers) {
      const sql = await s.ask<{ nurse: PageSqlTiming; patient: PageSqlTiming; orders: PageOrderPlan[]; error?: string }>('page-sql');
      if (sql.error) throw new Error(`${name}: ${sql.error}`);
      log(`ITI-67 page statement alone (EXPLAIN ANALYZE, median of 41) — ${name}: ${sqlLine('nurse', sql.nurse)}, ${sqlLine('patient', sql.patient)}: restricted / patient ${fmt(sql.nurse.executionMs / sql.patient.executionMs)}x (target <= 1.2x)`);
      for (const [who, t] of [['nurse', sql.nurse], ['patient', sql.patient]] as const) {
        log(`  ${who}'s plan:\n${t.plan.map((l) => `    ${l.length > 240 ? `${l.slice(0, 240)}…` : l}`).join('\n')}`);
      }
      log(`ITI-67 page orders (median of 11) — ${name}: ${sql.orders.map((o) => `_sort=${o.sort} ${o.sorted ? 'SORTS the record' : 'read in index order'} (${fmt(o.executionMs, 3)} ms)`).join(', ')}`);
      if (process.env.BENCH_PLANS) for (const o of sql.orders) log(`  _sort=${o.sort}:\n${o.plan.map((l) => `    ${l.length > 240 ? `${l.slice(0, 240)}…` : l}`).join('\n')}`);
      log(`ITI-67 SQL per request — ${name}: nurse ${await sqlPerRequest(s, () => s.ready.nurseToken)}; patient ${await sqlPerRequest(s, (i) => s.ready.patientTokens[i % records]!)}`);
      log(`ITI-67 the statements most run, kept prepared — ${name}:\n${await planLines(s)}`);
    }
    if (servers.length === 2) {
      const [a, b] = servers.map(([name]) => figures.get(name)!.median);
      log(`A/B: this checkout / compare: throughput ${(b!.perSecond / a!.perSecond).toFixed(2)}x, p50 ${(b!.p50 / a!.p50).toFixed(2)}x, p99 ${(b!.p99 / a!.p99).toFixed(2)}x, CPU/req ${(b!.cpuMsPerRequest / a!.cpuMsPerRequest).toFixed(2)}x${allCpuRatio(b!, a!)}`);
    }
  } finally {
    await closeObserverClients();
    await run.close();
  }
}
