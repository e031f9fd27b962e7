// Writes sent together (src/store/combined-writes.ts): what one combined statement writes is what
// the statements would write one by one, all of it or, when one of them fails, none of it; and a
// batch larger than one statement's limits is split, not refused.
import { expect, it } from '@jest/globals';
import { combine, groups, precededBy, writeTogether, type Statement } from '../../../src/store/combined-writes.js';
import { describeEachStore } from '../../support/stores.js';

const row = (uuid: string, type = 'Association'): Statement => ({
  sql: 'INSERT INTO registry_object (entry_uuid, patient_key, object_type) VALUES ($1, $2, $3)',
  params: [uuid, '00000000-0000-4000-8000-000000000000', type],
});
const uuid = (i: number, prefix = 'a') => `${prefix.repeat(8)}-0000-4000-8000-${String(i).padStart(12, '0')}`;

it('numbers each statement’s parameters after those of the statements before it', () => {
  const s = combine([
    { sql: 'INSERT INTO t (a, b) VALUES ($1, $2)', params: [1, 2] },
    { sql: 'INSERT INTO u (a) SELECT $1 WHERE $1 IS NOT NULL', params: [3] },
    { sql: 'INSERT INTO v (a, b) VALUES ($2, $1)', params: [4, 5] },
  ]);
  expect(s.sql).toBe('WITH w0 AS (INSERT INTO t (a, b) VALUES ($1, $2)), w1 AS (INSERT INTO u (a) SELECT $3 WHERE $3 IS NOT NULL) INSERT INTO v (a, b) VALUES ($5, $4)');
  expect(s.params).toEqual([1, 2, 3, 4, 5]);
  expect(combine([row(uuid(1))])).toEqual(row(uuid(1)));
});

it('puts writes before a statement as CTEs, before its own WITH list when it has one, their parameters first', () => {
  const writes = [
    { sql: 'INSERT INTO t (a) VALUES ($1)', params: [1] },
    { sql: 'INSERT INTO u (a, b) VALUES ($2, $1)', params: [2, 3] },
  ];
  const withList = precededBy(writes, { sql: 'WITH x AS (UPDATE h SET s = $1 RETURNING 1) SELECT count(*) FROM x WHERE $2', params: [4, 5] });
  expect(withList.sql).toBe('WITH w0 AS (INSERT INTO t (a) VALUES ($1)), w1 AS (INSERT INTO u (a, b) VALUES ($3, $2)), x AS (UPDATE h SET s = $4 RETURNING 1) SELECT count(*) FROM x WHERE $5');
  expect(withList.params).toEqual([1, 2, 3, 4, 5]);
  expect(precededBy(writes.slice(0, 1), { sql: 'SELECT $1', params: [9] })).toEqual({ sql: 'WITH w0 AS (INSERT INTO t (a) VALUES ($1)) SELECT $2', params: [1, 9] });
  expect(precededBy([], { sql: 'SELECT $1', params: [9] })).toEqual({ sql: 'SELECT $1', params: [9] });
});

it('splits a batch past one statement’s limits (statements, parameters) into several', () => {
  const many = Array.from({ length: 450 }, (_, i) => row(uuid(i)));
  expect(groups(many).map((g) => g.length)).toEqual([200, 200, 50]);
  const wide: Statement = { sql: 'INSERT INTO t SELECT 1', params: Array.from({ length: 20_000 }, () => 0) };
  expect(groups([wide, wide, wide]).map((g) => g.length)).toEqual([1, 1, 1]);
});

describeEachStore('combined writes', (db) => {
  const count = async (prefix: string) =>
    (await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM registry_object WHERE entry_uuid::text LIKE $1`, [`${prefix.repeat(8)}%`])).rows[0]!.n;

  it('writes every row of the batch, in one statement or, past the limits, several', async () => {
    await db().transaction((tx) => writeTogether(tx, Array.from({ length: 3 }, (_, i) => row(uuid(i, 'b')))));
    expect(await count('b')).toBe(3);
    await db().transaction((tx) => writeTogether(tx, Array.from({ length: 230 }, (_, i) => row(uuid(i, 'c')))));
    expect(await count('c')).toBe(230);
  });

  it('runs the writes put before a statement whose answer reads none of them, and answers as that statement', async () => {
    const st = precededBy([row(uuid(1, 'f')), row(uuid(2, 'f'))], { sql: "WITH x AS (SELECT $1::text AS v) SELECT v FROM x", params: ['answer'] });
    const r = await db().transaction((tx) => tx.query<{ v: string }>(st.sql, st.params));
    expect(r.rows).toEqual([{ v: 'answer' }]);
    expect(await count('f')).toBe(2);
  });

  it('DOC-03: one failing statement of the batch writes nothing, the rows before it included', async () => {
    const batch = [row(uuid(1, 'd')), row(uuid(2, 'd')), row(uuid(3, 'd'), 'NotAType')];
    await expect(db().transaction((tx) => writeTogether(tx, batch))).rejects.toBeDefined();
    expect(await count('d')).toBe(0);
    // the same uuid twice: the second insert of the one statement conflicts with the first
    await expect(db().transaction((tx) => writeTogether(tx, [row(uuid(1, 'e')), row(uuid(1, 'e'))]))).rejects.toBeDefined();
    expect(await count('e')).toBe(0);
  });
});
