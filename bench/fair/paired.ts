// `BENCH_COMPARE=<another checkout> npm run -s bench -- paired`: the CPU one request costs in all
// (the server's process and PostgreSQL's backends), this checkout against the other, in paired
// rounds. Each round sends BENCH_PAIRED_REQUESTS (300) requests, 8 at a time, to one server then
// the other (the order alternated each round), and reads around each burst the server's own CPU
// time and that of the bench database's backends from /proc (the other server's pool idles
// meanwhile). On a machine shared with other work, a request's CPU is steadier than the windows'
// throughput, and the pairs put both servers in the same minutes. BENCH_REPEATS rounds (12);
// BENCH_PAIRED (names, comma-separated: ITI-18 ObjectRef, ITI-67, ITI-65, ITI-41; all by default).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { provideBundle } from '../../test/support/mhd-bundle.js';
import { fmt } from '../stats.js';
import { doctorSecurity, startFairRun } from './carnet-servers.js';
import { findDocuments } from './iti18.js';
import { pnrRequest } from '../xds.js';
import { openPgCpuSampler, pgCpuMsBetween, type PgCpuSampler, type PgSample } from './pg-cpu.js';
import { DOCTOR } from './people.js';
import type { Child } from './procs.js';
import type { ServerReady } from './server.js';

const SOAP = { 'content-type': 'application/soap+xml; charset=UTF-8' };
const CONCURRENCY = 8;

export interface Kind {
  name: string;
  /** the i-th request of a burst to server `s` */
  request(s: ServerReady, i: number): { path: string; init: RequestInit };
  /** whether an answer of status 2xx still says the request failed (its text) */
  failed?: (text: string) => boolean;
}

export function kinds(): Kind[] {
  const security = doctorSecurity();
  const author = { idNatPs: DOCTOR.idNatPs, family: DOCTOR.family, given: DOCTOR.given };
  const all: Kind[] = [
    {
      name: 'ITI-18 ObjectRef',
      request: (s) => ({ path: '/xds/registry', init: { method: 'POST', headers: SOAP, body: findDocuments(s.identifiers[0]!, 'ObjectRef', security) } }),
    },
    {
      name: 'ITI-67',
      request: (s, i) => ({
        path: `/fhir/DocumentReference?patient=Patient/${s.patients[i % s.patients.length]}&status=current&_count=20`,
        init: { headers: { authorization: `Bearer ${s.nurseToken}` } },
      }),
    },
    {
      name: 'ITI-65',
      request: (s, i) => ({
        path: '/fhir',
        init: {
          method: 'POST',
          headers: { authorization: `Bearer ${s.doctorToken}`, 'content-type': 'application/fhir+json' },
          body: JSON.stringify(provideBundle({ patient: `Patient/${s.patients[i % s.patients.length]}`, docs: [{ content: randomBytes(10 * 1024), mimeType: 'application/octet-stream', author }] })),
        },
      }),
    },
    {
      name: 'ITI-41',
      request: (s, i) => {
        const { headers, body } = pnrRequest(s.identifiers[i % s.identifiers.length]!, randomBytes(10 * 1024), security);
        return { path: '/xds/repository', init: { method: 'POST', headers, body: body as unknown as RequestInit['body'] } };
      },
      // a refused submission is an HTTP 200 too: its RegistryResponse says so
      failed: (text) => text.includes('ResponseStatusType:Failure'),
    },
  ];
  const only = process.env.BENCH_PAIRED?.split(',').map((n) => n.trim());
  return all.filter((k) => !only || only.includes(k.name));
}

export interface Burst {
  serverMs: number;
  pgMs: number;
  perSecond: number;
}

/** A sample of PostgreSQL's CPU; the paired rounds compare it, so it must be readable here. */
async function pgSample(sampler: PgCpuSampler): Promise<PgSample> {
  const sample = await sampler.sample();
  if (!sample) throw new Error('paired: the CPU of PostgreSQL\'s backends cannot be read from /proc (PostgreSQL on another machine?)');
  return sample;
}

export async function burst(pgCpu: PgCpuSampler, server: Child<ServerReady>, kind: Kind, n: number): Promise<Burst> {
  const before = [(await server.stats()).cpuMicros, await pgSample(pgCpu)] as const;
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        const { path, init } = kind.request(server.ready, next++);
        const res = await fetch(`${server.ready.base}${path}`, init);
        const text = kind.failed ? await res.text() : (await res.arrayBuffer(), '');
        if (res.status >= 300 || kind.failed?.(text)) throw new Error(`${kind.name}: ${res.status} ${text.slice(0, 300)}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const after = [(await server.stats()).cpuMicros, await pgSample(pgCpu)] as const;
  return { serverMs: (after[0] - before[0]) / 1000 / n, pgMs: pgCpuMsBetween(before[1], after[1]) / n, perSecond: n / seconds };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export async function runPairedBench(options: { databaseUrl: string; log?: (l: string) => void }): Promise<void> {
  const log = options.log ?? ((l: string) => console.log(l));
  if (!process.env.BENCH_COMPARE) throw new Error('paired: BENCH_COMPARE must name the checkout to compare with');
  const rounds = Number(process.env.BENCH_REPEATS ?? 12);
  const n = Number(process.env.BENCH_PAIRED_REQUESTS ?? 300);
  const run = await startFairRun({ databaseUrl: options.databaseUrl, records: CONCURRENCY, documents: 1000, log });
  const pgCpu = await openPgCpuSampler(options.databaseUrl);
  try {
    const [[, other], [, self]] = run.servers as [[string, Child<ServerReady>, string], [string, Child<ServerReady>, string]];
    for (const kind of kinds()) {
      // warm both: every connection of each pool has run the statements once
      for (const s of [other, self]) await burst(pgCpu, s, kind, 2 * CONCURRENCY);
      const rows: Array<{ a: Burst; b: Burst }> = [];
      for (let r = 0; r < rounds; r++) {
        const first = r % 2 === 0 ? other : self;
        const x = await burst(pgCpu, first, kind, n);
        const y = await burst(pgCpu, first === other ? self : other, kind, n);
        rows.push(first === other ? { a: x, b: y } : { a: y, b: x });
      }
      const m = (f: (b: Burst) => number, which: 'a' | 'b') => median(rows.map((row) => f(row[which])));
      const ratios = rows.map((row) => (row.b.serverMs + row.b.pgMs) / (row.a.serverMs + row.a.pgMs));
      const serverRatios = rows.map((row) => row.b.serverMs / row.a.serverMs);
      const pgRatios = rows.map((row) => row.b.pgMs / row.a.pgMs);
      const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
      log(`${kind.name}, ${rounds} rounds of ${n} [load ${load}]:`);
      for (const [label, w] of [['compare', 'a'], ['this checkout', 'b']] as const) {
        log(`  ${label}: server ${fmt(m((b) => b.serverMs, w), 2)} + PostgreSQL ${fmt(m((b) => b.pgMs, w), 2)} ms CPU per request, ${fmt(m((b) => b.perSecond, w), 1)} req/s`);
      }
      log(
        `  this / compare, median (range): server ${fmt(median(serverRatios), 3)} (${serverRatios.filter((x) => x < 1).length} of ${rounds} below 1), PostgreSQL ${fmt(median(pgRatios), 3)} (${fmt(Math.min(...pgRatios), 2)}–${fmt(Math.max(...pgRatios), 2)}; ${pgRatios.filter((x) => x < 1).length} of ${rounds} below 1), both ${fmt(median(ratios), 3)} (${fmt(Math.min(...ratios), 2)}–${fmt(Math.max(...ratios), 2)}; ${ratios.filter((x) => x < 1).length} of ${rounds} below 1), req/s ${fmt(median(rows.map((row) => row.b.perSecond / row.a.perSecond)), 3)}`,
      );
    }
  } finally {
    await pgCpu.close();
    await run.close();
  }
}
