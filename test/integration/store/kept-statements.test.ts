// Both stores keep the statements they run prepared (src/store/pglite-statements.ts for the
// embedded one, src/store/pg-statements.ts for the server's, whose pool has its own cases in
// pg-kept-statements.test.ts). What a statement answers must not depend on it: the same cases on
// both stores. A table's shape changed under a kept
// statement (in a transaction rolled back too), a statement that fails at any step, a transaction
// rolled back after preparing one, more texts than are kept, texts too long to keep or more text
// than is kept, texts run once, twice or more in any order (none left prepared once pushed out),
// and a cursor. A text is kept from its second run (src/store/kept-statements.ts,
// ADMIT_AFTER): texts run once are not kept, and one run again gets PostgreSQL's generic plan
// after its usual 5 custom ones; the cases that need a statement kept run it twice first.
import { expect, it } from '@jest/globals';
import { CarnetError } from '../../../src/domain/errors.js';
import type { Db } from '../../../src/store/db.js';
import { ADMIT_AFTER, KEPT_STATEMENTS, KEPT_TEXT_MAX, KEPT_TEXT_TOTAL } from '../../../src/store/kept-statements.js';
import { describeEachStore, type StoreKind } from '../../support/stores.js';

const ID_1 = '00000000-0000-4000-8000-000000000001';
const ID_2 = '00000000-0000-4000-8000-000000000002';

async function probeTable(db: Db, name: string): Promise<void> {
  await db.exec(`CREATE TABLE ${name} (id uuid PRIMARY KEY, n int, label text)`);
  await db.query(`INSERT INTO ${name} (id, n, label) VALUES ($1, $2, $3), ($4, $5, $6)`, [ID_1, 1, 'one', ID_2, 2, null]);
}

/**
 * The store itself on PGlite (one connection); on PostgreSQL a pool of one connection on the test
 * store's schema: a statement's kept texts are the connection's own, and the test's pool of four
 * could count them on a connection that ran none of the statements (a count that passes whatever
 * the bound).
 */
async function oneConnection(db: Db, kind: StoreKind): Promise<Db> {
  if (kind === 'pglite') return db;
  const { openPostgres } = await import('../../../src/store/pg-db.js');
  const schema = (await db.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]!.s;
  return openPostgres({ connectionString: process.env.DATABASE_URL!, maxConnections: 1, schema });
}

/** Long texts and many texts on a store of one connection: every statement runs where they are counted. */
async function keptWithinTotal(store: Db): Promise<void> {
  const prepared = 'SELECT count(*)::int AS c, COALESCE(sum(length(statement)), 0)::int AS chars FROM pg_prepared_statements WHERE statement LIKE $1';
  // a submission's combined writes make such texts, one per count of documents
  const long = `SELECT $1::int AS v, '${'x'.repeat(KEPT_TEXT_MAX)}' AS pad FROM kept_long LIMIT 1`;
  await store.transaction(async (tx) => {
    for (let i = 0; i < 3; i++) expect((await tx.query(long, [i])).rows).toEqual([{ v: i, pad: 'x'.repeat(KEPT_TEXT_MAX) }]);
    expect((await tx.query(prepared, ['%xxxxxxxxxx%'])).rows).toEqual([{ c: 0, chars: 0 }]);
  });
  // shorter texts, more of them than their total allows, each run twice (kept from its second
  // run): all answer, the oldest are ended
  const nth = (i: number) => `SELECT $1::int + ${i} AS v, '${'y'.repeat(KEPT_TEXT_MAX - 100)}' AS pad FROM kept_long LIMIT 1`;
  const count = Math.ceil((KEPT_TEXT_TOTAL * 1.25) / KEPT_TEXT_MAX);
  for (let i = 0; i < count; i++) {
    for (let run = 0; run < ADMIT_AFTER; run++) expect((await store.query<{ v: number }>(nth(i), [1])).rows[0]!.v).toBe(1 + i);
  }
  const kept = await store.transaction((tx) => tx.query<{ c: number; chars: number }>(prepared, ['%yyyyyyyyyy%']));
  // the statement counting may itself push one more out, ended only with the next statement run;
  // and the connection counted is the one that kept them (nearly the total)
  expect(kept.rows[0]!.chars).toBeLessThanOrEqual(KEPT_TEXT_TOTAL + KEPT_TEXT_MAX);
  expect(kept.rows[0]!.chars).toBeGreaterThan(KEPT_TEXT_TOTAL - 2 * KEPT_TEXT_MAX);
  expect((await store.query<{ v: number }>(nth(count - 1), [2])).rows[0]!.v).toBe(count + 1);
}

describeEachStore('statements run again and again', (db, kind) => {
  it('a statement run many times answers each time as the first time, null parameters included', async () => {
    await probeTable(db(), 'kept_again');
    const sql = 'SELECT id, n, label FROM kept_again WHERE n >= $1 AND ($2::text IS NULL OR label = $2) ORDER BY n';
    const first = await db().query(sql, [1, null]);
    expect(first.rows).toEqual([
      { id: ID_1, n: 1, label: 'one' },
      { id: ID_2, n: 2, label: null },
    ]);
    // past the runs after which PostgreSQL may settle on a generic plan
    for (let i = 0; i < 12; i++) {
      expect(await db().query(sql, [1, null])).toEqual(first);
      expect((await db().query(sql, [2, null])).rows).toEqual([{ id: ID_2, n: 2, label: null }]);
      expect((await db().query(sql, [0, 'one'])).rows).toEqual([{ id: ID_1, n: 1, label: 'one' }]);
    }
    const update = 'UPDATE kept_again SET n = n + 0 WHERE n >= $1';
    expect((await db().query(update, [1])).rowCount).toBe(2);
    expect((await db().query(update, [2])).rowCount).toBe(1);
  });

  it("a table's shape changed under a statement already run: the next run sees the new shape", async () => {
    await probeTable(db(), 'kept_shape');
    const sql = 'SELECT * FROM kept_shape WHERE id = $1';
    expect((await db().query(sql, [ID_1])).rows).toEqual([{ id: ID_1, n: 1, label: 'one' }]);
    await db().exec('ALTER TABLE kept_shape ADD COLUMN extra text');
    expect((await db().query(sql, [ID_1])).rows).toEqual([{ id: ID_1, n: 1, label: 'one', extra: null }]);
    await db().query('ALTER TABLE kept_shape DROP COLUMN label');
    expect((await db().query(sql, [ID_1])).rows).toEqual([{ id: ID_1, n: 1, extra: null }]);
    await db().transaction(async (tx) => {
      await tx.exec('ALTER TABLE kept_shape ADD COLUMN more int DEFAULT 7');
      expect((await tx.query(sql, [ID_1])).rows).toEqual([{ id: ID_1, n: 1, extra: null, more: 7 }]);
    });
    expect((await db().query(sql, [ID_2])).rows).toEqual([{ id: ID_2, n: 2, extra: null, more: 7 }]);
  });

  it("statements waiting while a script changes their table's shape answer, with the shape before or after it", async () => {
    await probeTable(db(), 'kept_shape_during');
    const sql = 'SELECT * FROM kept_shape_during WHERE id = $1';
    const before = { id: ID_1, n: 1, label: 'one' };
    expect((await db().query(sql, [ID_1])).rows).toEqual([before]);
    const [altered, ...answers] = await Promise.allSettled([db().exec('ALTER TABLE kept_shape_during ADD COLUMN extra text'), db().query(sql, [ID_1]), db().query(sql, [ID_1])]);
    expect(altered.status).toBe('fulfilled');
    for (const a of answers) expect(a.status === 'fulfilled' ? a.value.rows : a.reason).toEqual([expect.objectContaining(before)]);
    expect((await db().query(sql, [ID_1])).rows).toEqual([{ ...before, extra: null }]);
  });

  it('a statement that does not parse, or whose value its type refuses, fails alone: the next ones answer', async () => {
    await probeTable(db(), 'kept_fail');
    const sql = 'SELECT n FROM kept_fail WHERE id = $1';
    await expect(db().query('SELEC n FROM kept_fail WHERE id = $1', [ID_1])).rejects.toThrow(/syntax/);
    await expect(db().query('SELECT nope FROM kept_fail WHERE id = $1', [ID_1])).rejects.toThrow(/nope/);
    // a value the column's type cannot read is the request's fault (db-errors.ts), before and after the statement was kept
    await expect(db().query(sql, ['not-a-uuid'])).rejects.toBeInstanceOf(CarnetError);
    expect((await db().query(sql, [ID_1])).rows).toEqual([{ n: 1 }]);
    await expect(db().query(sql, ['not-a-uuid'])).rejects.toBeInstanceOf(CarnetError);
    expect((await db().query(sql, [ID_2])).rows).toEqual([{ n: 2 }]);
    // a failure at execution (a subquery of more than one row), without parameters and with
    await expect(db().query('SELECT (SELECT n FROM kept_fail) AS x')).rejects.toThrow(/more than one row/);
    const sub = 'SELECT (SELECT n FROM kept_fail WHERE n >= $1) AS x';
    await expect(db().query(sub, [0])).rejects.toThrow(/more than one row/);
    expect((await db().query(sub, [2])).rows).toEqual([{ x: 2 }]);
    await expect(db().query(sub, [0])).rejects.toThrow(/more than one row/);
  });

  it("a table's shape changed in a transaction rolled back, under a statement run in it: the next run sees the shape before", async () => {
    await probeTable(db(), 'kept_shape_back');
    const sql = 'SELECT * FROM kept_shape_back WHERE id = $1';
    expect((await db().query(sql, [ID_1])).rows).toEqual([{ id: ID_1, n: 1, label: 'one' }]);
    await expect(
      db().transaction(async (tx) => {
        await tx.exec('ALTER TABLE kept_shape_back ADD COLUMN extra text');
        expect((await tx.query(sql, [ID_1])).rows).toEqual([{ id: ID_1, n: 1, label: 'one', extra: null }]);
        throw new Error('taken back');
      }),
    ).rejects.toThrow('taken back');
    expect((await db().query(sql, [ID_2])).rows).toEqual([{ id: ID_2, n: 2, label: null }]);
  });

  it('a transaction that fails after running statements rolls back; they answer after it', async () => {
    await probeTable(db(), 'kept_rollback');
    const insert = 'INSERT INTO kept_rollback (id, n) VALUES ($1, $2)';
    const count = 'SELECT count(*)::int AS c FROM kept_rollback WHERE n > $1';
    await expect(
      db().transaction(async (tx) => {
        await tx.query(insert, ['00000000-0000-4000-8000-000000000003', 3]);
        expect((await tx.query(count, [0])).rows).toEqual([{ c: 3 }]);
        await tx.query(insert, [ID_1, 4]); // the primary key refuses it
      }),
    ).rejects.toThrow(/duplicate key/);
    expect((await db().query(count, [0])).rows).toEqual([{ c: 2 }]);
    await db().transaction(async (tx) => {
      await tx.query(insert, ['00000000-0000-4000-8000-000000000004', 4]);
    });
    expect((await db().query(count, [0])).rows).toEqual([{ c: 3 }]);
  });

  it('more distinct statements than the store keeps (each run twice: kept) all answer, and the first again after them', async () => {
    await probeTable(db(), 'kept_many');
    const nth = (i: number) => `SELECT $1::int + ${i} AS v, count(*)::int AS c FROM kept_many`;
    for (let i = 0; i < 620; i++) {
      for (let run = 0; run < ADMIT_AFTER; run++) expect((await db().query(nth(i), [1])).rows).toEqual([{ v: 1 + i, c: 2 }]);
    }
    for (const i of [0, 1, 619]) expect((await db().query(nth(i), [2])).rows).toEqual([{ v: 2 + i, c: 2 }]);
  });

  it('a long text runs unnamed, and the texts kept stay within their total length', async () => {
    await probeTable(db(), 'kept_long');
    const one = await oneConnection(db(), kind);
    try {
      await keptWithinTotal(one);
    } finally {
      if (one !== db()) await one.close();
    }
  });

  it('a text run once is not kept; from its second run it is, and PostgreSQL settles on its generic plan after its usual 5 custom ones', async () => {
    await probeTable(db(), 'kept_admit');
    const one = await oneConnection(db(), kind);
    try {
      const sql = 'SELECT n FROM kept_admit WHERE id = $1';
      const plans = async () =>
        (await one.query<{ generic: number; custom: number }>('SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE statement = $1', [sql])).rows;
      expect((await one.query(sql, [ID_1])).rows).toEqual([{ n: 1 }]);
      expect(await plans()).toEqual([]);
      expect((await one.query(sql, [ID_2])).rows).toEqual([{ n: 2 }]);
      expect(await plans()).toEqual([{ generic: 0, custom: 1 }]);
      for (let i = 0; i < 4; i++) await one.query(sql, [ID_1]);
      expect(await plans()).toEqual([{ generic: 0, custom: 5 }]);
      // the 6th run of the kept statement (the 7th of the text): PostgreSQL's generic plan, kept
      for (let i = 0; i < 3; i++) expect((await one.query(sql, [ID_2])).rows).toEqual([{ n: 2 }]);
      expect(await plans()).toEqual([{ generic: 3, custom: 5 }]);
    } finally {
      if (one !== db()) await one.close();
    }
  });

  it('texts run once, twice or more, in transactions and out, in any order, more than are kept: within the bound, one statement a text, none left prepared when pushed out', async () => {
    await probeTable(db(), 'kept_mixed');
    const one = await oneConnection(db(), kind);
    try {
      const nth = (i: number) => `SELECT $1::int + ${i} AS v FROM kept_mixed WHERE n = 1`;
      // a seeded sequence over 1.5 x KEPT_STATEMENTS texts, the most recent ones run again more often
      let seed = 11;
      const random = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      const texts = Math.floor(1.5 * KEPT_STATEMENTS);
      for (let step = 0; step < 3 * texts; ) {
        const batch = 1 + random(8);
        const runs = async (q: Db['query']) => {
          for (let b = 0; b < batch; b++, step++) {
            const i = Math.max(0, Math.floor(step / 3) - random(KEPT_STATEMENTS / 2));
            expect((await q(nth(i), [step])).rows).toEqual([{ v: step + i }]);
          }
        };
        if (random(4) === 0) await one.transaction((tx) => runs(tx.query));
        else await runs(one.query);
      }
      // past the texts the store kept: those pushed out are ended with the next statements run
      const prepared = 'SELECT statement FROM pg_prepared_statements';
      for (let run = 0; run <= ADMIT_AFTER; run++) await one.query(prepared);
      const kept = (await one.query<{ statement: string }>(prepared)).rows.map((r) => r.statement);
      expect(kept.length).toBeLessThanOrEqual(KEPT_STATEMENTS);
      expect(kept.length).toBeGreaterThan(KEPT_STATEMENTS / 2);
      expect(new Set(kept).size).toBe(kept.length);
    } finally {
      if (one !== db()) await one.close();
    }
  });

  it('a cursor declared, fetched and closed in a transaction, between kept statements', async () => {
    await probeTable(db(), 'kept_cursor');
    const rows = await db().transaction(async (tx) => {
      await tx.query('DECLARE kept_c NO SCROLL CURSOR FOR SELECT n FROM kept_cursor WHERE n >= $1 ORDER BY n', [1]);
      const got = (await tx.query<{ n: number }>('FETCH 1 FROM kept_c')).rows;
      expect((await tx.query('SELECT count(*)::int AS c FROM kept_cursor WHERE n >= $1', [1])).rows).toEqual([{ c: 2 }]);
      got.push(...(await tx.query<{ n: number }>('FETCH 5 FROM kept_c')).rows);
      await tx.query('CLOSE kept_c');
      return got;
    });
    expect(rows).toEqual([{ n: 1 }, { n: 2 }]);
  });
});
