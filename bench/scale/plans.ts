// The query plans of one request: the server captures the statements it runs while answering it
// (query-capture.ts), and each read among them is run again here under EXPLAIN (ANALYZE, BUFFERS)
// with the same parameters, inside a transaction that is rolled back (a plan's ANALYZE runs the
// statement, a SELECT … FOR UPDATE takes its locks: both end with the rollback). A statement that
// writes (the access trace) is planned without being run. BEGIN, FETCH and the like are skipped.
import type pg from 'pg';
import { createRequire } from 'node:module';
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
  /** the statement kept prepared, as the server's store keeps it (src/store/pg-statements.ts) */
  prepared?: PreparedPlans;
}

/**
 * A statement prepared once and run again (the server's store keeps its statements so):
 * PostgreSQL plans it for its values (a custom plan) for 5 runs, then also once without them (the
 * generic plan) and keeps that one when its estimated cost is no higher. Whether the generic plan
 * is a bad one for some values is what these figures say: both plans' execution for this request's
 * values (reads; a write's only estimated), and which one PostgreSQL's default settles on.
 */
export interface PreparedPlans {
  /** execution time (ms, median of 5 alternated), or the estimated total cost when the statement could not be run */
  custom: number;
  generic: number;
  estimated: boolean;
  /** the statement run (not explained) and timed from the client, ms, median of 15 alternated */
  roundTrip?: { custom: number; generic: number };
  /** the generic plan has the same nodes as the custom one (values aside) */
  sameShape: boolean;
  /** what plan_cache_mode auto runs from the 6th run on */
  autoChoice: 'generic' | 'custom';
  genericPlan: string[];
}

const PROBE = 'carnet_plan_probe';

/** the plan's nodes without their conditions' values, costs and timings */
function shapeOf(plan: string[]): string {
  return plan
    .filter((l) => /->|^\s*\w/.test(l) && !/^(Planning|Execution)/.test(l.trim()))
    .map((l) => l.replace(/\(cost=.*$|\(actual.*$/, '').replace(/ on \w+.*$/, '').trim())
    .join('|');
}

// `pg`'s own conversion of a value to its text (arrays, dates, JSON), as it sends parameters
const pgUtils = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue(value: unknown): unknown };

/** A parameter as a literal of unknown type (EXECUTE's arguments cannot be parameters of their own). */
function literal(c: pg.ClientBase, value: unknown): string {
  const text = pgUtils.prepareValue(value) as unknown;
  if (text === null || text === undefined) return 'NULL';
  if (Buffer.isBuffer(text)) return `'\\x${text.toString('hex')}'`;
  return c.escapeLiteral(String(text));
}

async function preparedPlans(c: pg.ClientBase, sql: string, params: unknown[], write: boolean): Promise<PreparedPlans> {
  const args = params.length ? `(${params.map((p) => literal(c, p)).join(', ')})` : '';
  const explain = async (mode: string, analyze: boolean) => {
    await c.query(`SET LOCAL plan_cache_mode = ${mode}`);
    const r = await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${analyze ? '(ANALYZE, BUFFERS) ' : ''}EXECUTE ${PROBE}${args}`);
    return r.rows.map((row) => row['QUERY PLAN']);
  };
  const figure = (plan: string[]) => Number(/^Execution Time: ([\d.]+) ms/.exec(plan.find((l) => l.startsWith('Execution Time'))!)?.[1]);
  await c.query('BEGIN');
  try {
    await c.query(`PREPARE ${PROBE} AS ${sql}`);
    // A write is run too where it can be, in the transaction rolled back (the trace row of a
    // request already answered: its chain's head has moved on, so the statement reads and appends
    // nothing); one that fails is compared on its estimated cost.
    let analyze = true;
    if (write) {
      await c.query('SAVEPOINT probe');
      analyze = await explain('force_custom_plan', true).then(
        () => true,
        async () => {
          await c.query('ROLLBACK TO SAVEPOINT probe');
          return false;
        },
      );
    }
    // alternated, 5 of each: the median execution
    const runs: Record<'custom' | 'generic', number[]> = { custom: [], generic: [] };
    let custom: string[] = [];
    let generic: string[] = [];
    for (let i = 0; i < (analyze ? 5 : 1); i++) {
      custom = await explain('force_custom_plan', analyze);
      generic = await explain('force_generic_plan', analyze);
      runs.custom.push(figure(custom));
      runs.generic.push(figure(generic));
    }
    const cost = (plan: string[]) => Number(/cost=[\d.]+\.\.([\d.]+)/.exec(plan[0]!)?.[1]);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    // EXPLAIN ANALYZE's own timing weighs on a plan that passes more rows through its nodes: the
    // statement run as the server runs it, timed from here (a custom plan planned each time, the
    // generic one not), 15 of each alternated
    const roundTrips: Record<'custom' | 'generic', number[]> = { custom: [], generic: [] };
    for (let i = 0; analyze && i < 15; i++) {
      for (const which of ['custom', 'generic'] as const) {
        await c.query(`SET LOCAL plan_cache_mode = force_${which}_plan`);
        const started = performance.now();
        await c.query(`EXECUTE ${PROBE}${args}`);
        roundTrips[which].push(performance.now() - started);
      }
    }
    const of = (plan: string[], which: 'custom' | 'generic') => (analyze ? median(runs[which]) : cost(plan));
    // auto: five custom plans, then PostgreSQL weighs the generic one (EXPLAIN EXECUTE counts as a run)
    let auto: string[] = [];
    for (let i = 0; i < 6; i++) auto = await explain('auto', false);
    const isGeneric = auto.some((l) => /\$\d/.test(l));
    return { custom: of(custom, 'custom'), generic: of(generic, 'generic'), ...(analyze ? { roundTrip: { custom: median(roundTrips.custom), generic: median(roundTrips.generic) } } : {}), estimated: !analyze, sameShape: shapeOf(custom) === shapeOf(generic), autoChoice: isGeneric ? 'generic' : 'custom', genericPlan: generic };
  } finally {
    await c.query('ROLLBACK');
    await c.query(`DEALLOCATE ${PROBE}`).catch(() => {});
  }
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
    if (!/^\s*DECLARE\b/i.test(sql)) out.at(-1)!.prepared = await preparedPlans(c, sql, s.params, write);
  }
  return out;
}
