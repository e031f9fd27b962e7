// The scale benchmark with its sizes side by side (BENCH_SCALE_SIDE_BY_SIDE=1): one server and
// store per size, each seeded alike and grown by the same bulk loader to its own size, then every
// search measured on every store with the windows interleaved in each repeat (10K, 100K, 1M, then
// again). The default run grows one store in turn and measures each size minutes apart: on a
// machine shared with other work, a change of its load between those minutes reads as growth (or
// as shrinkage). Here each repeat's drift falls on all sizes alike, and the repeats say how far
// the figures move. Costs one server process per size and the stores of all sizes at once.
import pg from 'pg';
import { startFairRun, type FairRun } from '../fair/carnet-servers.js';
import { measure, windowOptions, type WindowFigures } from '../fair/measure.js';
import { fmt } from '../stats.js';
import { growStore } from './bulk-load.js';
import { readCounters, windowLine } from './db-window.js';
import { chosenSearches, printPlans, printTable, scaleRun, type Search } from './scale.js';

interface SizedStore {
  size: number;
  run: FairRun;
  client: pg.Client;
  searches: Search[];
}

export async function runSideBySide(o: { databaseUrl: string; log: (l: string) => void; sizes: number[] }): Promise<void> {
  const { log, sizes } = o;
  const { RECORD_SIZES, TEMPLATE_SIZE } = scaleRun;
  const w = windowOptions({ BENCH_WINDOW: '8', BENCH_WARMUP: '2', BENCH_REPEATS: '3', BENCH_CONNECTIONS: '4', ...process.env });
  log(`scale, side by side: records of ${RECORD_SIZES.join(' and ')} documents in stores of ${sizes.map((s) => s.toLocaleString('en')).join(', ')} documents, one server each; ${w.connections} connections, warm-up ${w.warmupSeconds} s, window ${w.windowSeconds} s, ${w.repeats} repeats, sizes interleaved`);
  const stores: SizedStore[] = [];
  try {
    for (const size of sizes) {
      log(`== store of ${size.toLocaleString('en')} documents ==`);
      const run = await startFairRun({ databaseUrl: o.databaseUrl, records: RECORD_SIZES.length, documents: 0, compare: false, server: { recordSizes: [...RECORD_SIZES, TEMPLATE_SIZE], captureQueries: true }, log });
      const [, server, schema] = run.servers.at(-1)!;
      const client = new pg.Client({ connectionString: o.databaseUrl, options: `-c search_path=${schema}` });
      await client.connect();
      const searches = chosenSearches(server).map((s) => ({ ...s, name: `${s.name} @${size}`, target: { ...s.target, name: `${s.name} @${size}` } }));
      stores.push({ size, run, client, searches });
      await growStore(client, { schema, templateKey: server.ready.patients[RECORD_SIZES.length]!, fillerRecords: 0, total: size, log });
      for (const s of searches) {
        s.target.observe = async () => {
          const before = await readCounters(client, schema);
          return async (requests: number) => windowLine(before, await readCounters(client, schema), requests);
        };
        await printPlans(s, server, client, size, log);
      }
    }
    // each search's sizes next to each other in every repeat
    const names = stores[0]!.searches.map((s) => s.name.replace(/ @\d+$/, ''));
    const targets = names.flatMap((_, i) => stores.map((st) => st.searches[i]!.target));
    const figures = await measure(targets, w, log);
    const table = new Map<string, Map<number, WindowFigures>>();
    for (const [i, name] of names.entries()) {
      const bySize = new Map<number, WindowFigures>();
      for (const st of stores) {
        const { median: f, windows } = figures.get(st.searches[i]!.name)!;
        if (f.failed) log(`  ${st.searches[i]!.name}: ${f.failed} failed requests`);
        log(`  ${st.searches[i]!.name}: windows ${windows.map((x) => `${fmt(x.perSecond, 1)} req/s p50 ${fmt(x.p50, 0)} p99 ${fmt(x.p99, 0)} ms ${fmt(x.cpuMsPerRequest, 1)} ms CPU/req`).join('; ')}`);
        for (const [r, x] of windows.entries()) log(`    repeat ${r + 1}: ${x.note ?? ''}`);
        bySize.set(st.size, f);
      }
      table.set(name, bySize);
    }
    printTable(table, sizes, log);
  } finally {
    for (const st of stores) {
      await st.client.end();
      await st.run.close();
    }
  }
}
