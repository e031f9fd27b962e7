// The database as the rest of the code sees it: parameterised SQL and transactions, the same on
// PostgreSQL (through a `pg` pool) and on PGlite (PostgreSQL compiled to WASM, embedded).

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
}

/** A connection inside a transaction. */
export interface Tx extends Queryable {
  /** Runs a script of several statements, without parameters. */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Runs a script of several statements (migrations), without parameters. */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Marks a statement of fixed text that runs often (a page read, the record's load, the trace
 * append): PostgreSQL prepares it once per connection, under a name, and may then keep its plan
 * instead of planning it at every request. Its values stay parameters, so one text serves every
 * request of its shape. The mark is an SQL comment: a store that prepares nothing (PGlite), or a
 * wrapper that passes the text on, runs it as any statement.
 */
export const PREPARED_MARK = '/* prepared */ ';

export function prepared(sql: string): string {
  return PREPARED_MARK + sql;
}
