// The tests' PGlite stores, lent from one test file to the next within a Jest process. Opening a
// PGlite from the migrated snapshot cost ~0.5 s of CPU (its WebAssembly instance, the snapshot's
// files unpacked into its memory, PostgreSQL's start); making a given-back one as new costs
// ~0.05 s: every table of Carnet's emptied and the snapshot's rows put back, the session's
// settings discarded, the activity counters zeroed.
// A store is lent again only when its test file changed nothing but rows: a file that changed
// the catalog (a trigger disabled then enabled again, a table analysed, a temporary table) gives
// back a store that is closed, and the next file gets a new one.
// The PGlite is this realm's (Node's own, outside the test files' module registries): its values
// cross to the test file through test/support/lent-pglite.ts, which makes them the file's own.
// Plain JavaScript, loaded by the test environment (test/support/environment.js).
import { types } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { pgliteFsBundle, snapshotBlob } from './pglite-shelf.js';

/** Stores kept idle per snapshot and start parameters: a file may hold two at once. */
const KEPT = 2;
/** The next file starts within seconds; a store no file asked for in this time is closed (each holds ~100 MB). */
const KEPT_MS = 60_000;

/** snapshot blob -> start parameters -> [{ pglite, ready: Promise<boolean>, timer }] */
const idle = new Map();
/** a store this lender made -> what makes it as new again (pristineOf) */
const pristine = new WeakMap();

function shelfOf(blob, key) {
  let byKey = idle.get(blob);
  if (!byKey) idle.set(blob, (byKey = new Map()));
  let shelf = byKey.get(key);
  if (!shelf) byKey.set(key, (shelf = []));
  return { blob, key, shelf };
}

const quote = (name) => `"${name.replaceAll('"', '""')}"`;

/** The newest transaction id so far: a catalog row written after it was written by a test. */
async function mark(pglite) {
  return (await pglite.query('SELECT txid_current()::text AS x')).rows[0].x;
}

/**
 * What a store opened from the snapshot holds, read once when the lender opens it: its tables
 * (all emptied at each return), the rows of those the migrations filled (put back), the catalog
 * tables watched for a test's changes.
 */
async function pristineOf(pglite) {
  const tables = (await pglite.query(`SELECT c.oid::regclass::text AS name FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') ORDER BY 1`)).rows.map((r) => r.name);
  const refill = [];
  for (const table of tables) {
    const { rows } = await pglite.query(`SELECT count(*)::int AS n, coalesce(json_agg(t), '[]')::text AS rows FROM ${table} t`);
    if (rows[0].n === 0) continue;
    const columns = (
      await pglite.query(`SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`, [table])
    ).rows.map((r) => quote(r.attname));
    const list = columns.join(', ');
    // the rows as JSON and back: every type of PostgreSQL's reads back its own text form exactly
    refill.push({ sql: `INSERT INTO ${table} (${list}) OVERRIDING SYSTEM VALUE SELECT ${list} FROM json_populate_recordset(NULL::${table}, $1::json)`, rows: rows[0].rows });
  }
  const catalogs = (await pglite.query(`SELECT c.oid::regclass::text AS name FROM pg_class c WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'r' ORDER BY 1`)).rows.map((r) => r.name);
  return {
    truncate: `TRUNCATE ${tables.join(', ')} RESTART IDENTITY`,
    refill,
    catalogChanged: `SELECT ${catalogs.map((c) => `EXISTS (SELECT 1 FROM ${c} WHERE xmin::text::bigint > $1::bigint)`).join(' OR ')} AS changed`,
    mark: await mark(pglite),
  };
}

/** Makes a given-back store as the snapshot left it; false when it cannot be (it is then closed). */
async function makeNew(pglite, state) {
  if ((await pglite.query(state.catalogChanged, [state.mark])).rows[0].changed) return false;
  // settings, prepared statements, advisory locks, temporary tables: refused inside a transaction,
  // so a store given back in the middle of one is not lent again
  await pglite.exec('DISCARD ALL');
  await pglite.transaction(async (tx) => {
    // replica role: the append-only tables' triggers refuse TRUNCATE, as they must everywhere else
    await tx.exec(`SET LOCAL session_replication_role = replica; ${state.truncate}`);
    for (const r of state.refill) await tx.query(r.sql, [r.rows]);
  });
  // the activity counters (what the statistics job reads) as at a start: the file's pending ones
  // flushed first, then all zeroed
  await pglite.query('SELECT pg_stat_force_next_flush()');
  await pglite.query('SELECT pg_stat_reset()');
  state.mark = await mark(pglite);
  return true;
}

async function closeQuietly(pglite) {
  await pglite.close().catch(() => {});
}

export const pgliteLender = {
  /**
   * A store as the snapshot at this path left it, started with these parameters: one a previous
   * file gave back, or a new one.
   */
  async borrow(snapshotPath, startParams) {
    const { blob, key, shelf } = shelfOf(snapshotBlob(snapshotPath), startParams.join(' '));
    while (shelf.length > 0) {
      const entry = shelf.pop();
      clearTimeout(entry.timer);
      if (await entry.ready) return entry.pglite;
    }
    const pglite = await PGlite.create(undefined, { loadDataDir: blob, fsBundle: pgliteFsBundle(), startParams: [...startParams] });
    try {
      pristine.set(pglite, { blob, key, ...(await pristineOf(pglite)) });
    } catch (e) {
      await closeQuietly(pglite);
      throw e;
    }
    return pglite;
  },

  /**
   * A store its file no longer uses (it never reaches it again): made as new for the next file,
   * in the background, or closed.
   */
  giveBack(pglite) {
    const state = pristine.get(pglite);
    if (!state) return closeQuietly(pglite);
    const { shelf } = shelfOf(state.blob, state.key);
    if (shelf.length >= KEPT) return closeQuietly(pglite);
    const entry = { pglite, ready: undefined, timer: undefined };
    entry.ready = makeNew(pglite, state)
      .catch(() => false)
      .then(async (ok) => {
        if (!ok) await closeQuietly(pglite);
        return ok;
      });
    entry.timer = setTimeout(() => {
      const at = shelf.indexOf(entry);
      if (at >= 0) shelf.splice(at, 1);
      entry.ready.then((ok) => ok && closeQuietly(pglite));
    }, KEPT_MS).unref();
    shelf.push(entry);
    return Promise.resolve();
  },

  /**
   * A test file's query parameters as this realm's PGlite reads them: its dates become this
   * realm's (PGlite asks `instanceof Date` of a timestamp's value); everything else it reads
   * through methods any realm's value has.
   */
  params(values) {
    return values?.map(function own(v) {
      if (types.isDate(v) && !(v instanceof Date)) return new Date(v.getTime());
      return Array.isArray(v) ? v.map(own) : v;
    });
  },
};
