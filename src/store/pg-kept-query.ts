// A kept statement's run on a `pg` connection without the Describe, once PostgreSQL has described
// its rows there. `pg` sends Bind, Describe (portal), Execute and Sync for every run of a named
// statement, and on every run decodes the RowDescription that comes back and builds the fields'
// parsers again (`Result.addFields`): ~4.5% of the server's CPU per ITI-18 ObjectRef request in
// the profile (pg-protocol's RowDescription 2.7%, addFields 1.8%; docs/PERFORMANCE.md). The rows of
// a statement prepared under a name cannot change their description while the name lives: a table
// changed under it makes PostgreSQL refuse the Bind ("cached plan must not change result type",
// which pg-statements.ts already answers by forgetting the name and, outside a transaction,
// preparing the text again under a new one). So the description seen on a run that succeeded is
// kept with the name, and later runs send Bind, Execute and Sync only, their rows parsed with the
// parsers built that first time.
//
// The query is `pg`'s own (a subclass): the connection's state machine, its errors, notices, the
// read timeout and the pool see what they see for any query. Only `prepare` (what is sent) and
// what the rows are read with change, and only for a name parsed on this connection with a
// description kept. Type parsers are looked up when the description is first seen: the store sets
// its own once, when it loads (pg-db.ts).
import pg from 'pg';

/** What PostgreSQL described of a kept statement's rows, as `pg`'s Result holds it to parse them. */
export interface RowsDescribed {
  readonly fields: unknown[];
  readonly parsers: unknown[] | undefined;
  readonly empty: Record<string, null> | null;
}

/** A statement kept on one connection: its name there and, once seen, its rows' description. */
export interface KeptName {
  readonly name: string;
  described?: RowsDescribed;
}

/** A statement that answers no rows (Describe gave NoData): as `pg`'s Result starts. */
const NO_ROWS: RowsDescribed = { fields: [], parsers: undefined, empty: null };

/** The parts of `pg`'s Query, Result and Connection used here (not in `pg`'s types). */
interface PgResult {
  fields: unknown[];
  _parsers: unknown[] | undefined;
  _prebuiltEmptyResultObject: Record<string, null> | null;
}
interface PgConnection {
  bind(config: { portal: string; statement: string; values: unknown[] | undefined; binary: boolean | undefined; valueMapper: unknown }): void;
  close(config: { type: 'S'; name: string }): void;
  sync(): void;
}
interface PgQuery {
  name: string;
  values: unknown[] | undefined;
  portal: string;
  binary: boolean | undefined;
  rows: number | undefined;
  _result: PgResult;
  _accumulateRows: boolean;
  _canceledDueToError: unknown;
  prepare(connection: PgConnection): void;
  handleRowDescription(msg: { fields: unknown[] }): void;
  handleReadyForQuery(connection: PgConnection): void;
  handleError(err: unknown, connection: PgConnection): void;
  hasBeenParsed(connection: PgConnection): boolean;
  _getRows(connection: PgConnection, rows: number | undefined): void;
}
type QueryClass = new (
  text: string,
  values: unknown[] | undefined,
  callback: (err: Error | null, result: pg.QueryResult) => void,
) => PgQuery;

const Query = (pg as unknown as { Query?: QueryClass }).Query;
const valueMapper = (pg as unknown as { utils?: { prepareValue?: unknown } }).utils?.prepareValue;
if (typeof Query !== 'function' || typeof Query.prototype.prepare !== 'function' || typeof Query.prototype.hasBeenParsed !== 'function') {
  throw new Error("the installed pg has no Query class to extend, which the server's store runs its kept statements with (src/store/pg-kept-query.ts): install the pg release of package-lock.json");
}

class KeptQuery extends Query {
  /** the rows' description this run received, if it asked for one */
  private seen: RowsDescribed | undefined;

  constructor(
    private readonly kept: KeptName,
    text: string,
    values: unknown[] | undefined,
    callback: (err: Error | null, result: pg.QueryResult) => void,
  ) {
    // given as a text, not a config object, which `pg` would copy property by property
    // (`cloneQueryConfig`: 0.6% of the server's CPU in the same profile); the name set after
    super(text, values, callback);
    this.name = kept.name;
  }

  override prepare(connection: PgConnection): void {
    const described = this.kept.described;
    if (described === undefined || !this.hasBeenParsed(connection)) {
      super.prepare(connection);
      return;
    }
    // pg's own prepare for a parsed statement, less the Describe
    try {
      connection.bind({ portal: this.portal, statement: this.name, values: this.values, binary: this.binary, valueMapper });
    } catch (err) {
      connection.close({ type: 'S', name: this.name });
      connection.sync();
      this.handleError(err, connection);
      return;
    }
    const result = this._result;
    result.fields = described.fields;
    result._parsers = described.parsers;
    result._prebuiltEmptyResultObject = described.empty;
    // what handleRowDescription would have set: the callback is there, the rows are gathered
    this._accumulateRows = true;
    this._getRows(connection, this.rows);
  }

  override handleRowDescription(msg: { fields: unknown[] }): void {
    super.handleRowDescription(msg);
    const result = this._result;
    this.seen = { fields: result.fields, parsers: result._parsers, empty: result._prebuiltEmptyResultObject };
  }

  override handleReadyForQuery(connection: PgConnection): void {
    // a run that succeeded (an error is handled before, and this is then not called)
    if (!this._canceledDueToError && this.kept.described === undefined) this.kept.described = this.seen ?? NO_ROWS;
    super.handleReadyForQuery(connection);
  }
}

/** Runs a kept statement on `client` under its name: described by PostgreSQL once, then not. */
export function runKept(client: pg.ClientBase, kept: KeptName, text: string, values: unknown[] | undefined): Promise<pg.QueryResult> {
  return new Promise((resolve, reject) => {
    const query = new KeptQuery(kept, text, values, (err, result) => (err ? reject(err) : resolve(result)));
    void client.query(query as unknown as pg.QueryConfig);
  });
}
