// A text's first run is sent unnamed, its later ones under a kept name (src/store/kept-statements.ts,
// ADMIT_AFTER): what a statement answers, and how it fails, must not depend on which. Each case
// runs a text new to the store three times on one connection (unnamed; prepared and described;
// kept, on PostgreSQL without a Describe: pg-kept-query.ts) and
// compares the three: the rows with their values as the store converts them (dates, arrays,
// bytes, JSON, large integers, booleans, nulls, a parameter of no declared type, a statement
// without parameters), the errors as the caller gets them (class, code, reason, SQLSTATE) for a
// value its type refuses, and a transaction in which a statement fails on either path (the next
// statement refused, the connection usable after the rollback).
import { expect, it } from '@jest/globals';
import type { Db } from '../../../src/store/db.js';
import { ADMIT_AFTER } from '../../../src/store/kept-statements.js';
import { describeEachStore, type StoreKind } from '../../support/stores.js';

/** The store itself on PGlite; on PostgreSQL a pool of one connection on the test store's schema. */
async function oneConnection(db: Db, kind: StoreKind): Promise<Db> {
  if (kind === 'pglite') return db;
  const { openPostgres } = await import('../../../src/store/pg-db.js');
  const schema = (await db.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]!.s;
  return openPostgres({ connectionString: process.env.DATABASE_URL!, maxConnections: 1, schema });
}

/** What a caller sees of an error: its class and fields, and the database's SQLSTATE under it. */
function seen(e: unknown): unknown {
  if (!(e instanceof Error)) return { thrown: e };
  const cause = (e as { cause?: { code?: unknown } }).cause;
  return {
    class: e.constructor.name,
    message: e.message,
    code: (e as { code?: unknown }).code,
    reason: (e as { reason?: unknown }).reason,
    causeCode: cause?.code,
  };
}

async function outcome(run: () => Promise<unknown>): Promise<unknown> {
  try {
    return { rows: await run() };
  } catch (e) {
    return { error: seen(e) };
  }
}

let made = 0;
/** The text made new to the store (a comment of its own), so that its first run here is its first anywhere. */
const fresh = (sql: string) => `/* same ${++made} */ ${sql}`;

const CASES: [string, string, unknown[]][] = [
  ['a date', 'SELECT $1::timestamptz AS v, $2::date AS d', [new Date('2026-01-15T10:20:30.456Z'), '2026-02-03']],
  ['an array with a null and quotes', 'SELECT $1::text[] AS v, cardinality($1::text[]) AS n', [['a', 'b,c', '"q"', null, '']]],
  ['bytes', 'SELECT $1::bytea AS v, length($1::bytea) AS n', [Buffer.from([0, 1, 2, 255])]],
  ['JSON', 'SELECT $1::jsonb AS v, $2::json AS w', [{ a: 1, b: ['x', null] }, [1, { c: 'd' }]]],
  ['a large integer', 'SELECT $1::bigint AS v, $1::bigint + 1 AS w', [2 ** 40]],
  ['a boolean and a null', 'SELECT $1::boolean AS v, $2::text AS w, $2::text IS NULL AS isnull', [true, null]],
  ['a parameter of no declared type', 'SELECT $1 AS v', ['x']],
  ['a number given as text', 'SELECT $1::int + 1 AS v', ['12']],
  ['no parameters', "SELECT 1 AS v, 'é'::text AS w, ARRAY[1, 2] AS a", []],
  ['a value its type refuses (uuid)', 'SELECT $1::uuid AS v', ['not-a-uuid']],
  ['a date out of its form', 'SELECT $1::date AS v', ['2026-13-45']],
  ['an integer out of range', 'SELECT $1::int AS v', [2 ** 40]],
  ['a division by zero', 'SELECT 1 / $1::int AS v', [0]],
  ['a string too long for its type', "SELECT $1::varchar(2) AS v, 'x'::varchar(1) AS w", ['abc']],
  ['a syntax error', 'SELEC $1::int AS v', [1]],
  // one statement a text: a second one (a table's shape changed unseen) is refused on every run
  ['two statements in one text, without parameters', 'SELECT 1 AS v; CREATE TABLE same_two (n int)', []],
];

describeEachStore('the first run of a text (unnamed) and the later ones (kept) answer alike', (db, kind) => {
  it.each(CASES)('%s', async (_what, sql, params) => {
    const one = await oneConnection(db(), kind);
    try {
      const text = fresh(sql);
      const runs = [];
      for (let i = 0; i <= ADMIT_AFTER; i++) runs.push(await outcome(async () => (await one.query(text, params)).rows));
      expect(runs[1]).toEqual(runs[0]);
      expect(runs[2]).toEqual(runs[0]);
      // and the connection answers after them
      expect((await one.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    } finally {
      if (one !== db()) await one.close();
    }
  });

  it('a statement failing in a transaction, on either path: the next one is refused alike, the transaction rolled back, the connection usable', async () => {
    const one = await oneConnection(db(), kind);
    try {
      await one.exec('CREATE TABLE IF NOT EXISTS same_tx (n int)');
      const insert = fresh('INSERT INTO same_tx (n) VALUES ($1)');
      /** A transaction: a row written, a statement failing, the one after it; what the last two gave. */
      const failing = async (bad: string, count: string) => {
        let seenThere: unknown;
        await expect(
          one.transaction(async (tx) => {
            await tx.query(insert, [1]);
            const failed = await outcome(() => tx.query(bad, ['nope']));
            const next = await outcome(() => tx.query(count, []));
            seenThere = { failed, next };
            throw new Error('after');
          }),
        ).rejects.toThrow('after');
        // rolled back, and the connection answers
        expect((await one.query(fresh('SELECT count(*)::int AS c FROM same_tx'), [])).rows).toEqual([{ c: 0 }]);
        return seenThere;
      };
      const bad = fresh('SELECT $1::uuid AS v');
      const count = fresh('SELECT count(*)::int AS c FROM same_tx');
      // their first run: unnamed; then prepared, then kept
      const first = await failing(bad, count);
      expect(first).toEqual({
        failed: { error: expect.objectContaining({ class: 'CarnetError', reason: 'invalid_value', causeCode: undefined }) },
        next: { error: expect.objectContaining({ code: '25P02' }) },
      });
      for (let i = 0; i < ADMIT_AFTER; i++) expect(await failing(bad, count)).toEqual(first);
    } finally {
      if (one !== db()) await one.close();
    }
  });
});
