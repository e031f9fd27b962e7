// The server's statements kept prepared under a name on each connection of the `pg` pool. Sent
// unnamed, every statement is parsed, analysed and planned again by PostgreSQL on every run: about
// a third of PostgreSQL's CPU per ITI-18 ObjectRef request (docs/PERFORMANCE.md, "what ObjectRef
// waits on"). Sent as `{ name, text, values }`, `pg` parses it once per connection and then only
// binds and executes it; PostgreSQL keeps its analysis and, where its generic plan is no dearer
// than the custom ones (plan_cache_mode auto), its plan too.
//
// Plans: PostgreSQL's default (plan_cache_mode auto) for every statement. Its generic plans were
// measured against custom ones for every statement of the six scale searches (records of 20 and
// 1,000 documents, stores of 10K and 1M; `npm run bench -- scale` prints both): none worse in kind
// at 1M or for a small record; the one that differs (ObjectRef's ids on 1,000 documents at 10K:
// the record's date index walked instead of a sort) ran cheaper, as the server runs it, than a
// custom plan planned every time. Custom plans for one statement would cost a `SET` per request
// (the setting is per session) or its savings (sent unnamed). docs/PERFORMANCE.md, "The server's
// statements kept prepared".
//
// Which statements are kept, and which end them all, is the embedded store's rule
// (src/store/kept-statements.ts): a text is kept from its second run among those run lately (the
// pool's connections count together), before that it runs unnamed. What is particular to a pool:
// - A prepared statement belongs to one connection: each `pg` client has its own list, bounded;
//   a client the pool replaces starts with none. A name is given once, to one text on one
//   connection, and holds a tag of its pool's own: never reused on a connection (`pg` refuses one
//   name for two texts, and remembers a name as parsed for the connection's life), nor the same on
//   two, so that behind a pooler which hands a client's statements to another server connection
//   (PgBouncer's transaction mode without its own tracking of prepared statements) a name fails
//   there as unknown (an error, or run again under a new name outside a transaction) rather than
//   running another client's text.
// - A statement that may change a table's shape, run on any connection, ends the kept statements
//   of every connection of the pool (each forgets its own, `DEALLOCATE ALL`, before its next
//   statement); inside a transaction, once more when that transaction ends, since the others may
//   have prepared again against the shape it had not yet committed.
// - A kept statement PostgreSQL can no longer use (its table's shape changed by another process:
//   "cached plan must not change result type"; or its name unknown) is forgotten, and run again
//   once under a new name when it is not in a transaction (the error is raised before it runs).
// - A statement pushed out of the bound is deallocated before the next statement run outside a
//   transaction (a transaction's BEGIN included), where its failure could not abort one.
// - A kept statement is described by PostgreSQL on its first run on a connection only; its later
//   runs there send no Describe and read their rows with the fields seen then (pg-kept-query.ts).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { KeptList, RecentTexts, isKeptKind, isKeptText, mayChangeShape, statementKind } from './kept-statements.js';
import { isKeptStatementGone, sqlState } from './db-errors.js';
import { runKept, type KeptName } from './pg-kept-query.js';

interface ClientStatements {
  /** SQL text -> the name it is prepared under on this connection (and its rows' description) */
  readonly names: KeptList<KeptName>;
  /** the pool's shape generation these names were prepared in */
  generation: number;
  /** a `DEALLOCATE ALL` still owed (the last one failed: an aborted transaction) */
  deallocateAll: boolean;
  /** names pushed out or forgotten, to deallocate outside a transaction */
  stale: string[];
  /** a statement that may change a table's shape ran in the current transaction */
  shapeChangedInTransaction: boolean;
}

/**
 * `pg` remembers every name parsed on a connection for the connection's life. A name deallocated
 * here is never reused, so the memory is all it costs; it is given back when `pg` exposes it.
 */
function forgetInPg(client: pg.ClientBase, name: string | undefined): void {
  const parsed = (client as unknown as { connection?: { parsedStatements?: Record<string, string> } }).connection?.parsedStatements;
  if (!parsed) return;
  if (name === undefined) for (const n of Object.keys(parsed)) delete parsed[n];
  else delete parsed[name];
}

/**
 * `pg`'s own mapping of a value to what it sends (its public `utils`, untyped). Applied before the
 * statement is handed over, a value it cannot map fails before anything is sent: mapped by `pg`
 * while binding, it fails after the Parse, and `pg` then closes the statement, which another run
 * of the same text already queued on the connection (in a transaction) was about to bind. A `pg`
 * without it stops the server's store from loading, with the reason, rather than bring that back
 * unseen.
 */
export function prepareValueOf(module: unknown): (value: unknown) => unknown {
  const prepareValue = (module as { utils?: { prepareValue?: unknown } } | undefined)?.utils?.prepareValue;
  if (typeof prepareValue !== 'function') {
    throw new Error(
      "the installed pg has no utils.prepareValue, which the server's store maps each value with before sending it (src/store/pg-statements.ts): install the pg release of package-lock.json",
    );
  }
  return prepareValue as (value: unknown) => unknown;
}

const prepareValue = prepareValueOf(pg);

/**
 * An unnamed statement in the extended protocol, as a kept one is sent (`pg`'s `queryMode`, not
 * in its types): one statement a text, whether it has parameters or not.
 */
function unnamed(text: string, values: unknown[] | undefined): pg.QueryConfig {
  return { text, values, queryMode: 'extended' } as pg.QueryConfig;
}

export class PgStatements {
  /** bumped whenever a statement that may change a table's shape runs on any connection */
  private generation = 0;
  private readonly byClient = new WeakMap<pg.ClientBase, ClientStatements>();
  /** this pool's own part of its names, and how many it gave */
  private readonly tag = randomBytes(6).toString('hex');
  private made = 0;
  /** the texts run lately on any connection of the pool: kept from their second run */
  private readonly recent = new RecentTexts();

  constructor(private readonly bound?: number) {}

  private stateOf(client: pg.ClientBase): ClientStatements {
    let state = this.byClient.get(client);
    if (!state) {
      state = { names: new KeptList<KeptName>(this.bound), generation: this.generation, deallocateAll: false, stale: [], shapeChangedInTransaction: false };
      this.byClient.set(client, state);
    }
    return state;
  }

  /** Runs one statement on `client`; `inTransaction` when a transaction block is open on it. */
  async run(client: pg.ClientBase, sql: string, params: unknown[] | undefined, inTransaction: boolean): Promise<pg.QueryResult> {
    const state = this.stateOf(client);
    if (!inTransaction && state.stale.length > 0) await this.deallocateStale(client, state);
    const kind = statementKind(sql);
    if (!isKeptKind(kind) || !isKeptText(sql)) {
      try {
        return await client.query(sql, params);
      } finally {
        if (mayChangeShape(kind)) this.shapeChanged(state, inTransaction);
      }
    }
    const values = params?.map(prepareValue);
    // not yet run often enough to be kept: unnamed, nothing kept (its values mapped as a kept
    // one's), in the same protocol as a kept one's: without parameters, `pg` would send the text
    // as a simple query, which runs every statement it holds (a shape changed unseen, `rows` lost)
    if (!state.names.has(sql) && !this.recent.ran(sql)) return client.query(unnamed(sql, values));
    await this.catchUp(client, state);
    const kept = this.nameFor(state, sql);
    try {
      return await runKept(client, kept, sql, values);
    } catch (e) {
      // An error not the server's (the connection lost, a row `pg` could not read, no answer in
      // time): whatever `pg` made of the statement, it is forgotten here too, and not run again.
      const unsent = !(e instanceof pg.DatabaseError);
      if (!(unsent || isKeptStatementGone(e)) || !state.names.forget(sql, kept)) throw e;
      state.stale.push(kept.name);
      if (inTransaction || unsent) throw e;
      return runKept(client, this.nameFor(state, sql), sql, values);
    }
  }

  /** Runs a script (several statements, no parameters): unnamed, and it ends every kept one. */
  async script(client: pg.ClientBase, sql: string, inTransaction: boolean): Promise<void> {
    const state = this.stateOf(client);
    try {
      await client.query(sql);
    } finally {
      this.shapeChanged(state, inTransaction);
    }
  }

  /** To call when a transaction on `client` has ended (committed or rolled back). */
  transactionEnded(client: pg.ClientBase): void {
    const state = this.byClient.get(client);
    if (!state?.shapeChangedInTransaction) return;
    state.shapeChangedInTransaction = false;
    this.generation++;
  }

  private shapeChanged(state: ClientStatements, inTransaction: boolean): void {
    this.generation++;
    if (inTransaction) state.shapeChangedInTransaction = true;
  }

  private nameFor(state: ClientStatements, sql: string): KeptName {
    let kept = state.names.use(sql);
    if (kept === undefined) {
      kept = { name: `carnet_${this.tag}_${++this.made}` };
      for (const out of state.names.add(sql, kept)) state.stale.push(out.name);
    }
    return kept;
  }

  /** Ends this connection's kept statements if a table's shape may have changed since they were made. */
  private async catchUp(client: pg.ClientBase, state: ClientStatements): Promise<void> {
    if (state.generation !== this.generation) {
      state.generation = this.generation;
      if (state.names.size > 0 || state.stale.length > 0) {
        state.names.clear();
        state.stale = [];
        state.deallocateAll = true;
      }
    }
    if (!state.deallocateAll) return;
    // Not transactional, and allowed in a transaction block; it fails only in an aborted one,
    // which the statement that follows would fail anyway: owed again then.
    await client.query('DEALLOCATE ALL');
    state.deallocateAll = false;
    forgetInPg(client, undefined);
  }

  private async deallocateStale(client: pg.ClientBase, state: ClientStatements): Promise<void> {
    const names = state.stale;
    state.stale = [];
    for (const name of names) {
      try {
        await client.query(`DEALLOCATE ${name}`);
      } catch (e) {
        // never prepared (its first parse failed) or already gone: nothing to end
        if (sqlState(e) !== '26000') throw e;
      }
      forgetInPg(client, name);
    }
  }
}
