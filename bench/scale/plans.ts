// The query plans of one request: the server captures the statements it runs while answering it
// (query-capture.ts), and each read among them is run again here under EXPLAIN (ANALYZE, BUFFERS)
// with the same parameters, inside a transaction that is rolled back (a plan's ANALYZE runs the
// statement, a SELECT … FOR UPDATE takes its locks: both end with the rollback). A statement that
// writes (the access trace) is planned without being run. BEGIN, FETCH and the like are skipped.
import type pg from 'pg';
import type { CapturedStatement } from './query-capture.js';
import type { Child } from '../fair/procs.js';

// A cursor is planned as a cursor (for its first rows: cursor_tuple_fraction), so its DECLARE is
// what is EXPLAINed, and run: EXPLAIN ANALYZE of a DECLARE reads all its rows.
const PLANNED = /^\s*(SELECT|WITH|INSERT|UPDATE|DELETE|DECLARE)\b/i;
const WRITE = /\b(INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b/i;

export interface StatementPlan {
  /** the statement's first line, shortened, to name it */
  name: string;
  sql: string;
  /** a statement that writes: planned, not run */
  write: boolean;
  plan: string[];
  executionMs?: number;
}

/** Captures the statements `request` makes the server run, and plans every read among them. */
export async function plansOf(server: Child<unknown>, c: pg.ClientBase, request: () => Promise<void>): Promise<StatementPlan[]> {
  await server.ask('capture:start');
  const captured = await request().then(
    () => server.ask<CapturedStatement[]>('capture:stop'),
    async (e: unknown) => {
      await server.ask('capture:stop');
      throw e;
    },
  );
  const out: StatementPlan[] = [];
  for (const s of captured) {
    const sql = s.sql;
    const name = sql.replace(/\s+/g, ' ').trim().slice(0, 110);
    if (!PLANNED.test(sql)) continue;
    // A write run again would write twice (a trace's chain refuses a second row of the same
    // number): its plan alone, not run.
    const write = WRITE.test(sql);
    await c.query('BEGIN');
    try {
      const r = await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${write ? '' : '(ANALYZE, BUFFERS) '}${sql}`, s.params);
      const plan = r.rows.map((row) => row['QUERY PLAN']);
      const time = plan.map((l) => /^Execution Time: ([\d.]+) ms/.exec(l)).find(Boolean);
      out.push({ name, sql, write, plan, executionMs: time ? Number(time[1]) : undefined });
    } finally {
      await c.query('ROLLBACK');
    }
  }
  return out;
}
