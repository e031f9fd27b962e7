// PGlite: PostgreSQL in WASM, embedded in the process, stored in a directory (or in memory).
// It has one connection: transactions run one after another, which PGlite itself enforces.
import { PGlite } from '@electric-sql/pglite';
import type { Db, QueryResult, Tx } from './db.js';
import { translateDbError } from './db-errors.js';
import { PgliteStatements } from './pglite-statements.js';

export interface PgliteOptions {
  /** a directory to store in; undefined keeps everything in memory */
  dataDir?: string;
  /** a tarball made by `dumpDataDir()` to start from (tests start from a migrated snapshot) */
  loadDataDir?: Blob;
  /**
   * For a new store only: the size of its WAL segments in MB (PostgreSQL's 16 by default, fixed
   * by initdb), with two segments kept for reuse. The tests' snapshot takes 1: its WAL is then
   * ~5 MB instead of one 16 MB segment, which every test store copied into its memory at start.
   */
  walSegmentMb?: number;
  /**
   * PGlite's file bundle (PostgreSQL's share files), when the caller already holds it: the tests
   * read it once per process for all their stores; PGlite reads it from its package otherwise.
   */
  fsBundle?: Blob;
  /**
   * Its shared buffers in MB (32 unless said): PostgreSQL clears all its shared memory at every
   * start, ~44 MB with 32 MB of buffers. The tests' stores, a few hundred rows each, take 16: a
   * store then opens in ~0.15 s less CPU (of ~0.8 s; one process, alternated, 5 opens each).
   */
  sharedBuffersMb?: number;
}

/** A statement's answer in the store's terms; a database's error in Carnet's (db-errors.ts). */
async function run<T>(statements: PgliteStatements, sql: string, params?: unknown[]): Promise<QueryResult<T>> {
  try {
    const r = await statements.run(sql, params ?? []);
    return { rows: r.rows as T[], rowCount: r.affectedRows ?? r.rows.length };
  } catch (e) {
    throw translateDbError(e, false);
  }
}

/**
 * PostgreSQL's default 128 MB of shared buffers is allocated and cleared in the WASM heap at every
 * start and never given back: an embedded store of one practice's records does well with 32 MB,
 * which saves about 100 MB of memory and part of a second at start.
 */
const SHARED_BUFFERS_MB = 32;

/** PostgreSQL's type id of bytea. */
const BYTEA = 17;

/**
 * bytea travels as text, `\x` and two hex digits a byte, both ways. PGlite's own codec makes a
 * string and a parseInt per byte: a document's 512 KB slice cost about a third of a second of CPU
 * to read, as much to write. Node's hex codec does the same in native code. The values are the
 * same as PGlite's: a Uint8Array that owns its memory (a worker may be handed its buffer), and
 * anything but bytes refused as PGlite refuses it.
 */
function parseBytea(text: string): Uint8Array {
  const bytes = new Uint8Array((text.length - 2) / 2);
  Buffer.from(bytes.buffer).write(text.slice(2), 'hex');
  return bytes;
}

function serializeBytea(value: unknown): string {
  if (!(value instanceof Uint8Array)) throw new Error('Invalid input for bytea type');
  return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
}

export async function openPglite(options: PgliteOptions = {}): Promise<Db & { pglite: PGlite }> {
  const wal = options.walSegmentMb;
  const startParams = [...PGlite.defaultStartParams, '-c', `shared_buffers=${options.sharedBuffersMb ?? SHARED_BUFFERS_MB}MB`];
  const pglite = await PGlite.create(options.dataDir, {
    startParams: wal ? [...startParams, '-c', `min_wal_size=${2 * wal}MB`] : startParams,
    ...(wal ? { initDbStartParams: [`--wal-segsize=${wal}`] } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    parsers: { [BYTEA]: parseBytea },
    serializers: { [BYTEA]: serializeBytea },
    ...(options.fsBundle ? { fsBundle: options.fsBundle } : {}),
  });
  let closed = false;
  const statements = new PgliteStatements(pglite);
  // PGlite's single connection is held through its two locks, as its own `query` and
  // `transaction` hold it: a statement outside a transaction waits for a running one to end.
  const inQueryLock = <T>(fn: () => Promise<T>) => pglite.runExclusive(fn);
  async function outsideTransactions<T>(fn: () => Promise<T>): Promise<T> {
    await pglite._checkReady();
    return pglite._runExclusiveTransaction(() =>
      inQueryLock(async () => {
        const r = await fn();
        await pglite.syncToFs();
        return r;
      }),
    );
  }
  return {
    kind: 'pglite',
    pglite,
    query: (sql, params) => outsideTransactions(() => run(statements, sql, params)),
    transaction: (fn) =>
      pglite.transaction(async () => {
        const shapeChanges = statements.shapeChanges;
        const tx: Tx = {
          query: (sql, params) => inQueryLock(() => run(statements, sql, params)),
          exec: (sql) => inQueryLock(() => statements.script(sql)),
        };
        try {
          return await fn(tx);
        } finally {
          // ended again after a change of shape, which the transaction's end (a rollback) may undo
          if (statements.shapeChanges !== shapeChanges) statements.endAllAtNextRun();
        }
      }),
    exec: (sql) => outsideTransactions(() => statements.script(sql)),
    async close() {
      if (closed) return;
      closed = true;
      await pglite.close();
    },
  };
}
