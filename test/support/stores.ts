// Databases for tests. PGlite always; PostgreSQL too when DATABASE_URL is set (CI sets it, and
// under CI a PostgreSQL that does not answer fails the run instead of being skipped). Each test
// file gets its own PGlite instance (started from a migrated snapshot, ~5x faster than a fresh
// one, whose bytes each Jest process reads once: test/support/pglite-shelf.js) or its own
// PostgreSQL schema, dropped at the end.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, beforeAll, afterAll } from '@jest/globals';
import type { Db } from '../../src/store/db.js';
import { loadMigrations, migrate } from '../../src/store/migrations.js';
import { openPglite } from '../../src/store/pglite-db.js';
import { shared } from './shared.js';

export type StoreKind = 'pglite' | 'postgres';

export function storeKinds(): StoreKind[] {
  if (process.env.CI && !process.env.DATABASE_URL) {
    throw new Error('CI is set but DATABASE_URL is not: the PostgreSQL suites cannot be skipped under CI');
  }
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

function snapshotPath(name: string, key: string): string {
  return join(tmpdir(), `carnet-test-pglite-${name}-${createHash('sha256').update(key).digest('hex').slice(0, 16)}.tar`);
}

/**
 * A test store holds a few hundred rows: an eighth of the embedded store's shared buffers, which
 * PostgreSQL clears at every start (src/store/pglite-db.ts): its shared memory is then 11 MB
 * rather than 24 with 16 MB of buffers, and a store opens in ~0.07 s less CPU (of ~0.3). The lock
 * matrix's world, the largest a test file makes, took no more CPU with 4 MB than with 16
 * (docs/PERFORMANCE.md). What a query answers does not depend on them; the command-line tests'
 * `carnet` processes keep the embedded store's own size.
 */
const TEST_SHARED_BUFFERS_MB = 4;

/**
 * A PGlite in memory started from a snapshot kept in the system's temporary folder (made once by
 * `prepare` on a fresh instance, then reused by every test file: ~5x faster than a fresh one).
 */
async function fromSnapshot(file: string, prepare: (db: Db) => Promise<void>): Promise<Db> {
  // Read once per Jest process, not once per store (test/support/pglite-shelf.js says why).
  const fsBundle = shared().pgliteFsBundle();
  if (existsSync(file)) {
    try {
      return await openPglite({ loadDataDir: shared().snapshotBlob(file), fsBundle, sharedBuffersMb: TEST_SHARED_BUFFERS_MB });
    } catch {
      // a damaged snapshot is rebuilt below
    }
  }
  const db = await openPglite({ walSegmentMb: 1, fsBundle });
  await prepare(db);
  // Uncompressed: every test file reads it, and unzipping cost each ~150 ms of CPU (it is ~15 MB,
  // once, in the temporary folder). Its WAL segments are 1 MB (PostgreSQL's 16 MB segment was
  // most of the snapshot, and every store copied it into its memory: see openPglite).
  const dump = await db.pglite.dumpDataDir('none');
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
  renameSync(tmp, file);
  return db;
}

const PGLITE_VERSION = (JSON.parse(readFileSync(join(process.cwd(), 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8')) as { version: string }).version;

/**
 * PostgreSQL's two template databases, which no test (and no store of Carnet's) opens: a third of
 * the snapshot's files and bytes, which each test file's PGlite copied into its memory at start
 * (a store opened in ~0.8 s of CPU under Jest with them, ~0.5 s without: 5 opens of each,
 * alternated in one process).
 */
async function dropTemplates(db: Db): Promise<void> {
  for (const name of ['template1', 'template0']) {
    // one statement at a time: DROP DATABASE refuses to run in a transaction block
    await db.query(`ALTER DATABASE ${name} IS_TEMPLATE false`);
    await db.query(`DROP DATABASE ${name}`);
  }
  await db.query('CHECKPOINT');
}

/** A migrated, empty PGlite in memory (its databases: postgres alone). */
export function openTestPglite(): Promise<Db> {
  const key = `${PGLITE_VERSION}:no-templates:wal-1mb:${loadMigrations().map((m) => m.checksum).join(',')}`;
  return fromSnapshot(snapshotPath('migrated', key), async (db) => {
    await migrate(db);
    await dropTemplates(db);
  });
}

/** A PGlite in memory as PostgreSQL's initdb leaves it: no table of Carnet's (migration tests). */
export function openEmptyPglite(): Promise<Db> {
  return fromSnapshot(snapshotPath('empty', `${PGLITE_VERSION}:wal-1mb`), async () => {});
}

/**
 * The tests' sessions commit without waiting for the disk (synchronous_commit off): every request
 * commits (its trace), and waiting for the WAL's flush made most of a PostgreSQL suite's time on a
 * virtual disk (~15 ms a commit against ~4). What a commit makes visible, and when, is unchanged;
 * only an operating-system crash could lose the last ones, and a test's schema is dropped anyway.
 * Said in the URL's `options`, which the store joins to its own (JIT off, the schema).
 */
function withoutWaitingForDisk(url: string): string {
  const u = new URL(url);
  const given = u.searchParams.get('options');
  u.searchParams.set('options', `${given ? `${given} ` : ''}-c synchronous_commit=off`);
  return u.toString();
}

/** A migrated, empty schema of its own in the PostgreSQL of DATABASE_URL; dropped on close. */
export async function openTestPostgres(): Promise<Db> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  // Loaded here, not with this module: PostgreSQL's client (pg and its parsers) is a dozen modules
  // that every test file's registry evaluated, the PGlite-only runs' included (~0.05 s of CPU a file).
  const { openPostgres } = await import('../../src/store/pg-db.js');
  const schema = `carnet_test_${randomBytes(6).toString('hex')}`;
  const admin = openPostgres({ connectionString: url, maxConnections: 1 });
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.close();
  }
  const db = openPostgres({ connectionString: withoutWaitingForDisk(url), maxConnections: 4, schema });
  await migrate(db);
  const close = db.close.bind(db);
  return {
    ...db,
    async close() {
      await close();
      const cleanup = openPostgres({ connectionString: url, maxConnections: 1 });
      try {
        await cleanup.query(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        await cleanup.close();
      }
    },
  };
}

export function openTestDb(kind: StoreKind): Promise<Db> {
  return kind === 'pglite' ? openTestPglite() : openTestPostgres();
}

/**
 * Runs a block of tests once per store. The block receives a getter, since the database only
 * exists once beforeAll has run.
 */
export function describeEachStore(title: string, block: (db: () => Db, kind: StoreKind) => void): void {
  for (const kind of storeKinds()) {
    describe(`${title} [${kind}]`, () => {
      let db: Db | undefined;
      beforeAll(async () => {
        db = await openTestDb(kind);
      }, 60_000);
      afterAll(async () => {
        await db?.close();
      });
      block(() => {
        if (!db) throw new Error('database not open yet');
        return db;
      }, kind);
    });
  }
}
