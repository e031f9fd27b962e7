// A test file's hold on a PGlite lent by the Jest process (test/support/pglite-lender.js), in the
// shape Carnet's store reads a PGlite through (src/store/pglite-db.ts: pgliteDb).
// The lent PGlite lives in Node's own realm, the test file in Jest's: a Date, an Error, an
// object or an array made there is not the file's own (`instanceof Date` fails, as Jest's
// `toStrictEqual` on its rows would). What crosses is made the file's own here, so that the
// store's code and the tests see values of their own realm, as they do in production; and the
// file's type codecs (PGLITE_CODECS) are handed with each query, the lent PGlite holding none of
// any file's.
import { types } from 'node:util';
import { PGLITE_CODECS, type PgliteLike, type PgliteQueries } from '../../src/store/pglite-db.js';

/** What of a PGlite the lender hands out (Node's realm: its values are not this file's). */
interface ForeignQueries {
  query(sql: string, params?: unknown[], options?: object): Promise<{ rows: unknown[]; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
}
export interface ForeignPglite extends ForeignQueries {
  transaction<T>(fn: (tx: ForeignQueries) => Promise<T>): Promise<T>;
}

export interface PgliteLender {
  /** a store as the snapshot at this path left it, started with these parameters */
  borrow(snapshotPath: string, startParams: string[]): Promise<ForeignPglite>;
  /** a store this file no longer uses */
  giveBack(pglite: ForeignPglite): Promise<void>;
  /** query parameters as the lender's realm reads them */
  params(values: unknown[] | undefined): unknown[] | undefined;
}

/** A value read from the lent PGlite, made of this realm's objects. */
function own(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  // bytea: made here already, by this file's codec
  if (v instanceof Uint8Array) return v;
  if (types.isDate(v)) return new Date(v.getTime());
  if (Array.isArray(v)) return v.map(own);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
  // fromEntries defines each key as its own property: a JSON key "__proto__" stays a key
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, own(x)]));
}

/** An error of the lent PGlite's as an Error of this realm, with the same fields (code, detail...). */
function ownError(e: unknown): unknown {
  if (e instanceof Error || !types.isNativeError(e)) return e;
  const copy = new Error(e.message);
  for (const [k, v] of Object.entries(e)) (copy as unknown as Record<string, unknown>)[k] = v;
  copy.name = e.name;
  copy.stack = e.stack;
  return copy;
}

async function owned<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw ownError(e);
  }
}

function queries(foreign: ForeignQueries, lender: PgliteLender, live: () => void): PgliteQueries {
  return {
    async query<T>(sql: string, params?: unknown[]) {
      live();
      const r = await owned(() => foreign.query(sql, lender.params(params), PGLITE_CODECS));
      return { rows: own(r.rows) as T[], affectedRows: r.affectedRows };
    },
    async exec(sql: string) {
      live();
      await owned(() => foreign.exec(sql));
    },
  };
}

/** A lent PGlite as this file's: given back, never reached again, when the file closes it. */
export function lentPglite(foreign: ForeignPglite, lender: PgliteLender): PgliteLike {
  let closed = false;
  const live = () => {
    if (closed) throw new Error('PGlite is closed');
  };
  return {
    ...queries(foreign, lender, live),
    async transaction<T>(fn: (tx: PgliteQueries) => Promise<T>) {
      live();
      return owned(() => foreign.transaction((tx) => fn(queries(tx, lender, live))));
    },
    async close() {
      if (closed) return;
      closed = true;
      await lender.giveBack(foreign);
    },
  };
}
