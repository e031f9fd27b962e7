// ITI-67 as a restricted professional (a care-team nurse), 8 clients over 8 records of 1,000
// documents, against the thin page service (same page select, same order, one trace row per
// request) — each server in a process of its own, the load from this one. With BENCH_COMPARE set
// to another checkout of the project, that checkout's server runs too, on a schema of its own
// seeded the same way, in the same windows: an A/B in one run.
import { startFairRun } from './carnet-servers.js';
import { measure, ratioLine, windowOptions, type Target } from './measure.js';

export async function runIti67Bench(options: { databaseUrl: string; log?: (l: string) => void }): Promise<void> {
  const log = options.log ?? ((l: string) => console.log(l));
  const o = windowOptions();
  const records = o.connections;
  const documents = Number(process.env.BENCH_DOCS ?? 1000);
  log(`ITI-67: ${records} records of ${documents} documents, ${o.connections} connections, warm-up ${o.warmupSeconds} s, window ${o.windowSeconds} s, ${o.repeats} repeats; server logs to a file at its default level`);
  const run = await startFairRun({ databaseUrl: options.databaseUrl, records, documents, log });
  try {
    const { servers } = run;
    const thin = await run.baseline<{ base: string }>('./thin-page.ts', { connections: o.connections });
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
    await run.close();
  }
}
