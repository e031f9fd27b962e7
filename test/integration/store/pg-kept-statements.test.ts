// The server's store keeps each connection's statements prepared (src/store/pg-statements.ts).
// What is particular to a pool of connections, beyond the cases both stores share
// (kept-statements.test.ts): a table's shape changed on one connection under statements kept on
// another, inside a transaction or not, or by another process; statements ended behind the
// store's back; a value `pg` cannot send, alone or beside runs of the same text; one name for
// one text across connections and pools; a bound of a few statements per connection (in `pg`'s
// own list of parsed names too, and nothing prepared that the store no longer keeps, whatever the
// order of texts run once, twice or more); a connection that the server cuts and the pool
// replaces. A text is kept from its second run (ADMIT_AFTER), its runs on every connection of the
// pool counted together: the cases that need it kept run it twice first.
import { randomBytes, randomUUID as randomUuid } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Db } from '../../../src/store/db.js';
import pg from 'pg';
import { openPostgres } from '../../../src/store/pg-db.js';
import { PgStatements } from '../../../src/store/pg-statements.js';
import { ADMIT_AFTER } from '../../../src/store/kept-statements.js';
import { storeKinds } from '../../support/stores.js';

const onPostgres = storeKinds().includes('postgres');
const ID_1 = '00000000-0000-4000-8000-000000000001';
const ID_2 = '00000000-0000-4000-8000-000000000002';
/** a bound small enough for the tests to go past it */
const BOUND = 4;

(onPostgres ? describe : describe.skip)('statements kept prepared on the connections of a pool [postgres]', () => {
  const url = process.env.DATABASE_URL ?? '';
  const schema = `carnet_test_${randomBytes(6).toString('hex')}`;
  let db: Db;
  /** another process's pool on the same schema */
  let other: Db;
  const admin = () => openPostgres({ connectionString: url, maxConnections: 1 });

  beforeAll(async () => {
    const a = admin();
    await a.query(`CREATE SCHEMA ${schema}`);
    await a.close();
    db = openPostgres({ connectionString: url, maxConnections: 3, schema, keptStatements: BOUND });
    other = openPostgres({ connectionString: url, maxConnections: 1, schema });
  });

  afterAll(async () => {
    await db?.close();
    await other?.close();
    const a = admin();
    await a.query(`DROP SCHEMA ${schema} CASCADE`);
    await a.close();
  });

  /** Runs `fn` on a client of its own on the schema, with a store's statements bounded by BOUND. */
  async function onOwnClient(fn: (client: pg.Client, statements: PgStatements) => Promise<void>): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`SET search_path TO ${schema}`);
      await fn(client, new PgStatements(BOUND));
    } finally {
      await client.end();
    }
  }

  async function probeTable(name: string): Promise<void> {
    await db.exec(`CREATE TABLE ${name} (id uuid PRIMARY KEY, n int, label text)`);
    await db.query(`INSERT INTO ${name} (id, n, label) VALUES ($1, $2, $3), ($4, $5, $6)`, [ID_1, 1, 'one', ID_2, 2, null]);
  }

  /** Runs `fn` on every connection of the pool at once (so that each keeps what it runs). */
  async function onEveryConnection<T>(fn: (tx: { query: Db['query'] }) => Promise<T>): Promise<T[]> {
    let arrived = 0;
    let release!: () => void;
    const all = new Promise<void>((resolve) => (release = resolve));
    return Promise.all(
      [1, 2, 3].map(() =>
        db.transaction(async (tx) => {
          try {
            return await fn(tx);
          } finally {
            if (++arrived === 3) release();
            await all;
          }
        }),
      ),
    );
  }

  it('a shape changed on one connection: every connection answers with the new shape, in a transaction and out', async () => {
    await probeTable('pool_shape');
    const sql = 'SELECT * FROM pool_shape WHERE id = $1';
    const before = await onEveryConnection((tx) => tx.query(sql, [ID_1]));
    for (const r of before) expect(r.rows).toEqual([{ id: ID_1, n: 1, label: 'one' }]);
    await db.query('ALTER TABLE pool_shape ADD COLUMN extra text');
    for (const r of await onEveryConnection((tx) => tx.query(sql, [ID_1]))) expect(r.rows).toEqual([{ id: ID_1, n: 1, label: 'one', extra: null }]);
    // changed in a transaction, and run in it; then on every connection
    await db.transaction(async (tx) => {
      await tx.exec('ALTER TABLE pool_shape ADD COLUMN more int DEFAULT 7');
      expect((await tx.query(sql, [ID_1])).rows).toEqual([{ id: ID_1, n: 1, label: 'one', extra: null, more: 7 }]);
    });
    for (const r of await onEveryConnection((tx) => tx.query(sql, [ID_2]))) expect(r.rows).toEqual([{ id: ID_2, n: 2, label: null, extra: null, more: 7 }]);
    // a change rolled back: the shape before it
    await expect(
      db.transaction(async (tx) => {
        await tx.query('ALTER TABLE pool_shape DROP COLUMN extra');
        throw new Error('taken back');
      }),
    ).rejects.toThrow('taken back');
    for (const r of await onEveryConnection((tx) => tx.query(sql, [ID_1]))) expect(r.rows).toEqual([{ id: ID_1, n: 1, label: 'one', extra: null, more: 7 }]);
  });

  it('a shape changed by another process: the statement answers outside a transaction, and after one that failed', async () => {
    await probeTable('pool_elsewhere');
    const sql = 'SELECT * FROM pool_elsewhere WHERE n >= $1 ORDER BY n';
    for (let i = 0; i < 8; i++) await onEveryConnection((tx) => tx.query(sql, [1]));
    await other.query('ALTER TABLE pool_elsewhere ADD COLUMN elsewhere int DEFAULT 5');
    // outside a transaction: run again under a new name
    for (let i = 0; i < 4; i++) expect((await db.query(sql, [2])).rows).toEqual([{ id: ID_2, n: 2, label: null, elsewhere: 5 }]);
    // inside one, the statement's plan may fail once (the transaction is then rolled back whole):
    // a passing condition for the caller (503, retry), never the database's own words; the next
    // transaction answers with the new shape
    const inTx = () => onEveryConnection((tx) => tx.query(sql, [2]));
    await inTx().catch((e: Error) => expect(e).toMatchObject({ code: 'unavailable', reason: 'database_changed', message: 'the database changed while this request ran; retry' }));
    for (const r of await inTx()) expect(r.rows).toEqual([{ id: ID_2, n: 2, label: null, elsewhere: 5 }]);
  });

  it("a shape changed by another process under a statement kept, run in a transaction: database_changed, with PostgreSQL's own error as its cause (for the server's log)", async () => {
    await probeTable('pool_changed');
    const sql = 'SELECT * FROM pool_changed WHERE id = $1';
    // one connection: the statement is kept where the transaction runs it
    const one = openPostgres({ connectionString: url, maxConnections: 1, schema });
    try {
      for (let run = 0; run < ADMIT_AFTER; run++) expect((await one.query(sql, [ID_1])).rows).toEqual([{ id: ID_1, n: 1, label: 'one' }]);
      await other.query('ALTER TABLE pool_changed ADD COLUMN elsewhere int');
      const failed = await one.transaction((tx) => tx.query(sql, [ID_1])).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failed).toMatchObject({ code: 'unavailable', reason: 'database_changed', message: 'the database changed while this request ran; retry' });
      expect((failed as Error).cause).toMatchObject({ code: '0A000', routine: 'RevalidateCachedQuery' });
      // never part of what is serialised of the error
      expect(JSON.stringify(failed)).not.toMatch(/0A000|RevalidateCachedQuery|cached plan/);
      expect((await one.transaction((tx) => tx.query(sql, [ID_1]))).rows).toEqual([{ id: ID_1, n: 1, label: 'one', elsewhere: null }]);
    } finally {
      await one.close();
    }
  });

  it("a kept statement is described once on a connection: its later runs send no Describe and read the same rows, values converted as before (pg-kept-query.ts)", async () => {
    await probeTable('pool_described');
    await onOwnClient(async (client, statements) => {
      const connection = (client as unknown as { connection: { describe: (m: unknown) => void } }).connection;
      let described = 0;
      const describe = connection.describe.bind(connection);
      connection.describe = (m: unknown) => {
        described++;
        describe(m);
      };
      const sql = "SELECT id, n, label, ARRAY[n, n + 1] AS ns, now() - now() AS none, '{\"a\":1}'::jsonb AS j FROM pool_described WHERE n >= $1 ORDER BY n";
      const runs = [];
      for (let i = 0; i < 6; i++) runs.push((await statements.run(client, sql, [1], false)).rows);
      // the first run unnamed, the second prepared: each described; none after
      expect(described).toBe(ADMIT_AFTER);
      const rows = [
        { id: ID_1, n: 1, label: 'one', ns: [1, 2], none: expect.anything(), j: { a: 1 } },
        { id: ID_2, n: 2, label: null, ns: [2, 3], none: expect.anything(), j: { a: 1 } },
      ];
      for (const r of runs) expect(r).toEqual(rows);
      // no rows, and a statement that answers none (NoData): the same
      const write = 'UPDATE pool_described SET label = label WHERE n = $1';
      for (let i = 0; i < 4; i++) expect((await statements.run(client, write, [9], false)).rowCount).toBe(0);
      for (let i = 0; i < 4; i++) expect((await statements.run(client, sql, [9], false)).rows).toEqual([]);
    });
  });

  it("a column's type changed by another process under a statement kept and described: its rows are read with the new type, never the description kept", async () => {
    await probeTable('pool_retyped');
    const sql = 'SELECT n FROM pool_retyped WHERE id = $1';
    const one = openPostgres({ connectionString: url, maxConnections: 1, schema });
    try {
      for (let run = 0; run < ADMIT_AFTER + 2; run++) expect((await one.query(sql, [ID_1])).rows).toEqual([{ n: 1 }]);
      await other.query('ALTER TABLE pool_retyped ALTER COLUMN n TYPE text');
      // outside a transaction: refused by PostgreSQL at its Bind, then run again under a new name, described anew
      for (let run = 0; run < ADMIT_AFTER + 2; run++) expect((await one.query(sql, [ID_1])).rows).toEqual([{ n: '1' }]);
      await other.query('ALTER TABLE pool_retyped ALTER COLUMN n TYPE int USING n::int');
      // in a transaction: refused once (database_changed), then answered with the type it has now
      await expect(one.transaction((tx) => tx.query(sql, [ID_1]))).rejects.toMatchObject({ reason: 'database_changed' });
      expect((await one.transaction((tx) => tx.query(sql, [ID_1]))).rows).toEqual([{ n: 1 }]);
    } finally {
      await one.close();
    }
  });

  it('statements ended behind the store (DEALLOCATE, DISCARD) are prepared again', async () => {
    await probeTable('pool_ended');
    const sql = 'SELECT n FROM pool_ended WHERE id = $1';
    for (let run = 0; run < ADMIT_AFTER; run++) expect((await db.query(sql, [ID_1])).rows).toEqual([{ n: 1 }]);
    await db.query('DEALLOCATE ALL');
    expect((await db.query(sql, [ID_2])).rows).toEqual([{ n: 2 }]);
    await db.query('DISCARD ALL');
    expect((await db.query(sql, [ID_1])).rows).toEqual([{ n: 1 }]);
    await db.transaction(async (tx) => {
      await tx.query('DEALLOCATE ALL');
      expect((await tx.query(sql, [ID_2])).rows).toEqual([{ n: 2 }]);
    });
    expect((await db.query(sql, [ID_1])).rows).toEqual([{ n: 1 }]);
  });

  it('a value `pg` cannot send fails alone; the statement answers after it, in a transaction too', async () => {
    await probeTable('pool_value');
    const sql = 'SELECT n FROM pool_value WHERE label = $1';
    const unsendable = { toPostgres: () => { throw new Error('no text for this value'); } };
    await expect(db.query(sql, [unsendable])).rejects.toThrow('no text for this value');
    expect((await db.query(sql, ['one'])).rows).toEqual([{ n: 1 }]);
    await expect(db.query(sql, [unsendable])).rejects.toThrow('no text for this value');
    await db.transaction(async (tx) => {
      expect((await tx.query(sql, ['one'])).rows).toEqual([{ n: 1 }]);
    });
    expect((await db.query(sql, ['one'])).rows).toEqual([{ n: 1 }]);
  });

  it('a value `pg` cannot send, beside runs of the same text queued on the connection: it alone fails', async () => {
    await probeTable('pool_value_beside');
    const sql = 'SELECT n FROM pool_value_beside WHERE label = $1';
    const unsendable = { toPostgres: () => { throw new Error('no text for this value'); } };
    for (const first of [true, false]) {
      const text = first ? sql : `${sql} AND n > 0`;
      // kept before, or (the first time) run unnamed then prepared in the transaction's queue
      if (!first) for (let run = 0; run < ADMIT_AFTER; run++) expect((await db.query(text, ['one'])).rows).toEqual([{ n: 1 }]);
      // in one transaction: the statement, the value that cannot be sent, the statement again
      const [before, bad, after] = await db.transaction((tx) => Promise.allSettled([tx.query(text, ['one']), tx.query(text, [unsendable]), tx.query(text, ['one'])]));
      expect(bad.status === 'rejected' && (bad.reason as Error).message).toBe('no text for this value');
      for (const r of [before, after]) expect(r.status === 'fulfilled' ? r.value.rows : r.reason).toEqual([{ n: 1 }]);
    }
  });

  it('a name is given to one text only, on every connection of every pool: behind a pooler that mixes them, a name never runs another text', async () => {
    await probeTable('pool_names');
    const texts = ['SELECT n FROM pool_names WHERE id = $1', 'DELETE FROM pool_names WHERE id = $1 RETURNING n'];
    const names = new Map<string, string>();
    // two pools of one connection (two processes), each running its own text first
    for (const text of texts) {
      const pool = openPostgres({ connectionString: url, maxConnections: 1, schema });
      try {
        await pool.transaction(async (tx) => {
          for (let run = 0; run < ADMIT_AFTER; run++) await tx.query(text, [randomUuid()]);
          for (const r of (await tx.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements')).rows) {
            expect(names.get(r.name) ?? r.statement).toBe(r.statement);
            names.set(r.name, r.statement);
          }
        });
      } finally {
        await pool.close();
      }
    }
    expect([...names.values()]).toEqual(expect.arrayContaining(texts));
  });

  it("a text's runs on the pool's connections count together: run once on each of three, it is kept on the two that ran it after the first", async () => {
    await probeTable('pool_admit');
    const sql = 'SELECT n FROM pool_admit WHERE id = $1';
    const kept = await onEveryConnection(async (tx) => {
      expect((await tx.query(sql, [ID_1])).rows).toEqual([{ n: 1 }]);
      return (await tx.query<{ c: number }>('SELECT count(*)::int AS c FROM pg_prepared_statements WHERE statement = $1', [sql])).rows[0]!.c;
    });
    expect(kept.sort()).toEqual([0, 1, 1]);
  });

  it('past the bound, each connection keeps no more than the bound; every text answers', async () => {
    await probeTable('pool_bound');
    const nth = (i: number) => `SELECT $1::int + ${i} AS v, count(*)::int AS c FROM pool_bound`;
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 3 * BOUND; i++) {
        for (const r of await onEveryConnection((tx) => tx.query(nth(i), [round]))) expect(r.rows).toEqual([{ v: round + i, c: 2 }]);
      }
    }
    // statements pushed out in a transaction are ended before the next one begins (the count's own
    // text, the first time, runs unnamed on one connection and is kept on the others; the first
    // time it is kept it pushes one more out; the next time, it is kept everywhere)
    const count = (tx: { query: Db['query'] }) => tx.query<{ c: number }>('SELECT count(*)::int AS c FROM pg_prepared_statements');
    await onEveryConnection(count);
    await onEveryConnection(count);
    for (const r of await onEveryConnection(count)) {
      expect(r.rows[0]!.c).toBeLessThanOrEqual(BOUND);
      expect(r.rows[0]!.c).toBeGreaterThan(0);
    }
  });

  it("past the bound, `pg`'s own list of parsed names on the connection stays within it too (the memory given back; fails if a `pg` upgrade moves that list)", async () => {
    await probeTable('pool_pg_names');
    await onOwnClient(async (client, statements) => {
      for (let i = 0; i < 5 * BOUND; i++) {
        // each run twice: kept from its second run
        for (let run = 0; run < ADMIT_AFTER; run++) {
          const r = await statements.run(client, `SELECT $1::int + ${i} AS v FROM pool_pg_names WHERE n = 1`, [1], false);
          expect(r.rows).toEqual([{ v: 1 + i }]);
        }
      }
      const parsed = (client as unknown as { connection?: { parsedStatements?: Record<string, string> } }).connection?.parsedStatements;
      expect(parsed).toBeDefined();
      // the names kept, and the one pushed out by the last run (deallocated before the next)
      expect(Object.keys(parsed ?? {}).length).toBeLessThanOrEqual(BOUND + 1);
      expect(Object.keys(parsed ?? {}).length).toBeGreaterThanOrEqual(BOUND);
    });
  });

  it('texts run once, twice or more, in transactions and out, in any order: the connection prepares no statement the store does not keep (none left behind when pushed out or replaced), one per text, within the bound', async () => {
    await probeTable('pool_no_leak');
    await onOwnClient(async (client, statements) => {
      const nth = (i: number) => `SELECT $1::int + ${i} AS v FROM pool_no_leak WHERE n = 1`;
      // a seeded sequence: 3 x BOUND texts, the most recent ones run again more often
      let seed = 7;
      const random = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      let inTransaction = false;
      for (let step = 0; step < 400; step++) {
        if (random(10) === 0) {
          await statements.run(client, inTransaction ? 'COMMIT' : 'BEGIN', undefined, inTransaction);
          inTransaction = !inTransaction;
        }
        const i = Math.max(0, Math.floor(step / 4) - random(3 * BOUND));
        expect((await statements.run(client, nth(i), [step], inTransaction)).rows).toEqual([{ v: step + i }]);
      }
      if (inTransaction) await statements.run(client, 'COMMIT', undefined, true);
      // what was pushed out is deallocated with the next statement run outside a transaction
      await statements.run(client, 'SELECT 1', undefined, false);
      const prepared = (await client.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements')).rows;
      const parsed = (client as unknown as { connection?: { parsedStatements?: Record<string, string> } }).connection?.parsedStatements ?? {};
      expect(prepared.map((p) => p.name).sort()).toEqual(Object.keys(parsed).sort());
      expect(prepared.length).toBeLessThanOrEqual(BOUND);
      expect(prepared.length).toBeGreaterThan(0);
      expect(new Set(prepared.map((p) => p.statement)).size).toBe(prepared.length);
    });
  });

  it('a connection the server cuts is replaced; the new one prepares the statements again', async () => {
    await probeTable('pool_cut');
    const sql = 'SELECT n FROM pool_cut WHERE id = $1';
    const pids = await onEveryConnection(async (tx) => {
      for (let run = 0; run < ADMIT_AFTER; run++) await tx.query(sql, [ID_1]);
      return (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    });
    expect(new Set(pids).size).toBe(3);
    await other.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY($1::int[])', [pids]);
    // each cut connection fails at most once (503), then the pool's new ones answer
    let answered = 0;
    for (let i = 0; i < 12 && answered < 6; i++) {
      try {
        expect((await db.query(sql, [ID_2])).rows).toEqual([{ n: 2 }]);
        answered++;
      } catch (e) {
        expect((e as { reason?: string }).reason).toBe('database_unavailable');
      }
    }
    expect(answered).toBe(6);
    const now = await onEveryConnection(async (tx) => {
      expect((await tx.query(sql, [ID_1])).rows).toEqual([{ n: 1 }]);
      return (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    });
    for (const pid of now) expect(pids).not.toContain(pid);
  });
});
