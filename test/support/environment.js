// The environment of every test file: Jest's Node environment, plus what is costly to build and
// can be shared by the files one Jest process runs one after another (each file still gets its own
// module registry, globals and servers):
// - warm FHIR worker threads (src/workers/pool.ts borrows them through `__carnetThreadLender` and
//   gives them back when its server closes): each test server otherwise started its threads and
//   loaded the FHIR definitions in them again;
// - the R4 XML Schema's judge (test/support/xsd-judge.js), compiled once per process;
// - Node's own require, through which the compiled R4 JSON Schema (test/support/schema-check.ts),
//   ~10 MB of code, is evaluated once per process rather than once per file;
// - what each test store's PGlite reads at start (test/support/pglite-shelf.js): its migrated
//   snapshot and PGlite's file bundle, read once per process.
// Plain JavaScript: Jest loads its environment outside the test files' transform.
import { createRequire } from 'node:module';
import { TestEnvironment } from 'jest-environment-node';
import { Piscina } from 'piscina';
import { pgliteFsBundle, snapshotBlob } from './pglite-shelf.js';
import { xsdErrors } from './xsd-judge.js';

/**
 * Pools kept idle per kind (module, threads, warm-up input): a file starting several servers at
 * once borrows several; past this many, a pool given back is closed.
 */
const KEPT_PER_KIND = 2;
/** The next file starts within seconds; a pool no file asked for in this time is closed (its threads hold ~100 MB). */
const KEPT_MS = 60_000;
/** kind -> [{ pool, timer }] */
const idle = new Map();

const threadLender = {
  /** an idle pool of this kind, its threads already warm, or a new one */
  borrow({ kind, filename, threads }) {
    const kept = idle.get(kind)?.pop();
    if (kept) {
      clearTimeout(kept.timer);
      return kept.pool;
    }
    const pool = new Piscina({ filename, minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
    // as the server's own pool: a thread failing outside a task must not end the process
    pool.on('error', () => {});
    return pool;
  },
  /** a pool its server no longer needs: kept for the next server if nothing of this one's is left in it */
  async giveBack(kind, pool, clean) {
    const kept = idle.get(kind) ?? [];
    if (!clean || pool.queueSize > 0 || kept.length >= KEPT_PER_KIND) {
      await pool.destroy();
      return;
    }
    const entry = { pool, timer: undefined };
    entry.timer = setTimeout(() => {
      const list = idle.get(kind) ?? [];
      const at = list.indexOf(entry);
      if (at >= 0) list.splice(at, 1);
      pool.destroy().catch(() => {});
    }, KEPT_MS).unref();
    kept.push(entry);
    idle.set(kind, kept);
  },
};

const shared = { xsdErrors, require: createRequire(import.meta.url), pgliteFsBundle, snapshotBlob };

export default class CarnetTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.__carnetShared = shared;
    this.global.__carnetThreadLender = threadLender;
  }
}
