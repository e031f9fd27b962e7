// ITI-65 and ITI-41, one 10 KB document per request, 8 clients over 8 records (each client
// deposits into a record of its own: a deposit locks its record by design), against the thin
// deposit service (the same bytes stored as a content row, an entry row and one trace row, in one
// transaction) — each server in a process of its own, the load from this one. Every request
// carries a new document (fresh bytes and uniqueIds), so that no deposit is answered as a repeat.
// BENCH_ONLY=ITI-65 (or ITI-41) measures that door alone with the baseline, for a profile of it.
// BENCH_COMPARE=<another checkout> deposits into that checkout's server too, in the same windows
// (its targets named "(compare)"): an A/B of the doors in one run.
import { randomBytes } from 'node:crypto';
import { provideBundle } from '../../test/support/mhd-bundle.js';
import { fmt } from '../stats.js';
import { pnrRequest } from '../xds.js';
import { doctorSecurity, startFairRun } from './carnet-servers.js';
import { measure, ratioLine, windowOptions, type Target, allCpuRatio } from './measure.js';
import { DOCTOR } from './people.js';
import type { Child } from './procs.js';
import type { ServerReady, ServerSqlCounts } from './server.js';

const SIZE = 10 * 1024;

/** Statements, transactions and statements outside a transaction per deposit, over `n` deposits one at a time. */
async function sqlPerDeposit(s: Child<ServerReady>, t: Target, n = 8): Promise<string> {
  const before = await s.ask<ServerSqlCounts>('sql-counts');
  for (let i = 0; i < n; i++) {
    const req = t.post!(i);
    const res = await fetch(`${t.base}${t.pathOf(i)}`, { method: 'POST', headers: { ...(t.headers ?? {}), ...req.headers }, body: req.body as unknown as RequestInit['body'] });
    await res.arrayBuffer();
  }
  const after = await s.ask<ServerSqlCounts>('sql-counts');
  const per = (k: keyof ServerSqlCounts) => fmt((after[k] - before[k]) / n, 1);
  return `${t.name}: ${per('statements')} statements per deposit (BEGIN and COMMIT included), ${per('transactions')} transactions, ${per('outside')} outside a transaction`;
}

export async function runDepositBench(options: { databaseUrl: string; log?: (l: string) => void }): Promise<void> {
  const log = options.log ?? ((l: string) => console.log(l));
  const o = windowOptions();
  const records = o.connections;
  log(`ITI-65 / ITI-41: one ${SIZE / 1024} KB document per request, ${records} records, ${o.connections} connections, warm-up ${o.warmupSeconds} s, window ${o.windowSeconds} s, ${o.repeats} repeats`);
  const run = await startFairRun({ databaseUrl: options.databaseUrl, records, documents: 1, log });
  try {
    const server = run.servers.at(-1)![1];
    const thin = await run.baseline<{ base: string }>('./thin-deposit.ts', { connections: o.connections });
    const security = doctorSecurity();
    const author = { idNatPs: DOCTOR.idNatPs, family: DOCTOR.family, given: DOCTOR.given };
    const doors = (s: typeof server, suffix: string): Target[] => {
      const { patients, identifiers, doctorToken } = s.ready;
      return [
        {
          name: `ITI-65${suffix}`,
          base: s.ready.base,
          pathOf: () => '/fhir',
          headers: { authorization: `Bearer ${doctorToken}` },
          post: (i) => ({
            headers: { 'content-type': 'application/fhir+json' },
            body: JSON.stringify(provideBundle({ patient: `Patient/${patients[i % records]}`, docs: [{ content: randomBytes(SIZE), mimeType: 'application/octet-stream', author }] })),
          }),
          stats: s.stats,
        },
        {
          name: `ITI-41${suffix}`,
          base: s.ready.base,
          pathOf: () => '/xds/repository',
          post: (i) => pnrRequest(identifiers[i % records]!, randomBytes(SIZE), security),
          stats: s.stats,
        },
      ];
    };
    const { patients } = server.ready;
    const targets: Target[] = [
      ...run.servers.flatMap(([, s], i) => doors(s, i < run.servers.length - 1 ? ' (compare)' : '')),
      {
        name: 'thin deposit service',
        base: thin.ready.base,
        pathOf: (i) => `/deposit?patient=${patients[i % records]}`,
        post: () => ({ headers: { 'content-type': 'application/octet-stream' }, body: randomBytes(SIZE) }),
        stats: thin.stats,
      },
    ];
    // An XDS Failure is an HTTP 200: check once that each target's deposit succeeds, or the
    // windows would measure refusals.
    for (const t of targets) {
      const req = t.post!(0);
      const res = await fetch(`${t.base}${t.pathOf(0)}`, { method: 'POST', headers: { ...(t.headers ?? {}), ...req.headers }, body: req.body as unknown as RequestInit['body'] });
      const text = await res.text();
      if (res.status >= 300 || text.includes('ResponseStatusType:Failure')) throw new Error(`${t.name}: the deposit does not succeed (${res.status} ${text.slice(0, 300)})`);
    }
    for (const [, s] of run.servers) for (const t of targets) if (t.stats === s.stats) log(`  ${await sqlPerDeposit(s, t)}`);
    const only = process.env.BENCH_ONLY;
    if (only) targets.splice(0, targets.length, ...targets.filter((t) => t.name === only || t.name === `${only} (compare)` || t.name === 'thin deposit service'));
    const figures = await measure(targets, o, log);
    const floor = figures.get('thin deposit service')!;
    const fhir = figures.get('ITI-65');
    const xds = figures.get('ITI-41');
    if (fhir) log(ratioLine('ITI-65, one 10 KB document', fhir, floor));
    if (xds) log(ratioLine('ITI-41 (MTOM), one 10 KB document', xds, floor));
    for (const door of ['ITI-65', 'ITI-41']) {
      const [before, after] = [figures.get(`${door} (compare)`), figures.get(door)];
      if (!before || !after) continue;
      log(ratioLine(`${door} (compare), one 10 KB document`, before, floor));
      log(`A/B ${door}: this checkout / compare: throughput ${fmt(after.median.perSecond / before.median.perSecond)}x, p50 ${fmt(after.median.p50 / before.median.p50, 1)}x, CPU/req ${fmt(after.median.cpuMsPerRequest / before.median.cpuMsPerRequest, 2)}x${allCpuRatio(after.median, before.median)}`);
    }
    if (!fhir || !xds) return;
    log(`ITI-41 / ITI-65: throughput ${fmt(xds.median.perSecond / fhir.median.perSecond)}x, p50 ${fmt(xds.median.p50 / fhir.median.p50, 1)}x, CPU/req ${fmt(xds.median.cpuMsPerRequest / fhir.median.cpuMsPerRequest, 1)}x (target: ITI-41 within 1.5x of ITI-65)`);
  } finally {
    await run.close();
  }
}
