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
