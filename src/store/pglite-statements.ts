// The embedded store's statements, spoken to PGlite in PostgreSQL's wire protocol, each kept
// prepared under a name once run. PGlite's own `query` sends every statement as an unnamed one in
// six calls into its engine (parse, describe, bind, describe, execute, sync), and PostgreSQL
// parses, analyses and plans it again each time: a large part of a test file's or a request's time
// on the embedded store (docs/PERFORMANCE.md, "The embedded store's statements kept prepared"). A
// statement the store has run before is here one call: bind its name, describe, execute, sync.
// PostgreSQL then reuses its parse and, as for any prepared statement (plan_cache_mode auto), a
// generic plan once that is no dearer than the custom ones.
//
// The server's store keeps its statements prepared too (src/store/pg-statements.ts); which
// statements are kept, and which end them all, is shared (src/store/kept-statements.ts): a text
// is kept from its second run among those run lately, and runs unnamed before.
import { messages, parse, protocol, type PGlite, type Results } from '@electric-sql/pglite';
import { KeptList, RecentTexts, isKeptKind, isKeptText, mayChangeShape, statementKind } from './kept-statements.js';

const { serialize } = protocol;

interface Kept {
  name: string;
  /** the parameters' types, as PostgreSQL inferred them when the statement was prepared */
  types: number[];
}

function joined(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A database's error with the statement that raised it, and never its parameters: PGlite's own
 * `query` attaches them too, and they are the record's values (identifiers, names, metadata),
 * which anything that prints or logs the error would show. The statement's text holds none:
 * the store's statements take every value as a parameter.
 */
function withStatement(e: unknown, sql: string): unknown {
  if (e instanceof messages.DatabaseError) Object.assign(e, { query: sql });
  return e;
}

/**
 * One PGlite's kept statements. Every method runs under PGlite's query lock, which the caller
 * takes (PGlite serialises its single connection with it); a statement outside a transaction also
 * waits for the transaction lock, as PGlite's own `query` does.
 */
export class PgliteStatements {
  /** SQL text -> its kept statement (those not run again since they were kept pushed out first) */
  private readonly kept = new KeptList<Kept>();
  /** the texts run lately: kept from their second run */
  private readonly recent = new RecentTexts();
  /** statements pushed out of `kept`, closed with the next statement run */
  private closing: Uint8Array[] = [];
  private made = 0;
  private ended = 0;
  /** the kept statements to end before the next statement runs */
  private endPending = false;

  constructor(private readonly pglite: PGlite) {}

  /** How many times the kept statements were ended for a shape that may have changed. */
  get shapeChanges(): number {
    return this.ended;
  }

  /**
   * To call before a transaction that changed a table's shape ends: its statements kept since were
   * prepared against a shape its rollback undoes ("cached plan must not change result type").
   */
  endAllAtNextRun(): void {
    this.endPending = true;
  }

  /** Runs one statement with its parameters, in the current transaction if there is one. */
  async run(sql: string, params: unknown[]): Promise<Results> {
    if (this.endPending) this.endAll();
    const kind = statementKind(sql);
    if (isKeptKind(kind) && isKeptText(sql) && (this.kept.has(sql) || this.recent.ran(sql))) return this.runKept(sql, params);
    try {
      return await this.runUnnamed(sql, params);
    } finally {
      if (mayChangeShape(kind)) await this.forgetAll();
    }
  }

  /**
   * Runs a script (several statements, no parameters, PostgreSQL's simple protocol, as PGlite's
   * `exec`) and ends every kept statement before the lock the caller holds is released: ended
   * after it, a statement waiting for the lock would run first under its old plan ("cached plan
   * must not change result type").
   */
  async script(sql: string): Promise<void> {
    try {
      await this.send([serialize.query(sql)]);
    } catch (e) {
      throw withStatement(e, sql);
    } finally {
      await this.forgetAll();
    }
  }

  /** Closes every kept statement: a script or a statement may have changed a table's shape. */
  async forgetAll(): Promise<void> {
    this.ended++;
    this.endAll();
    if (this.closing.length === 0) return;
    // Closing a statement is not transactional, and runs whatever the transaction's state.
    await this.send([serialize.sync()], false);
  }

  /** Ends every kept statement: closed with the next messages sent. */
  private endAll(): void {
    this.endPending = false;
    for (const k of this.kept.clear()) this.closing.push(serialize.close({ type: 'S', name: k.name }));
  }

  /**
   * Sends protocol messages in one call, after the closes pending: their answers, parsed as they
   * come (PGlite's `execProtocol` would also copy every answer's bytes into one buffer).
   */
  private async send(parts: Uint8Array[], throwOnError = true) {
    const all = this.closing.length > 0 ? [...this.closing, ...parts] : parts;
    this.closing = [];
    return this.pglite.execProtocolStream(all.length === 1 ? all[0]! : joined(all), { syncToFs: false, throwOnError });
  }

  /** Ends the protocol's error state after a failed step that sent no Sync, as PGlite does. */
  private async resync(): Promise<void> {
    await this.send([serialize.sync()], false);
  }

  /** The parameters as text for their types, with PGlite's own serializers (and the store's). */
  private serialized(types: number[], params: unknown[]): (string | null)[] {
    return params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serializer = this.pglite.serializers[types[i]!];
      return serializer ? (serializer(value) as string) : String(value);
    });
  }

  /** Binds, describes, executes and syncs a prepared statement (named, or the unnamed one). */
  private async execute(statement: string, types: number[], sql: string, params: unknown[]): Promise<Results> {
    let values;
    try {
      values = this.serialized(types, params);
    } catch (e) {
      await this.resync();
      throw e;
    }
    try {
      const done = await this.send([serialize.bind({ statement, values }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]);
      return parse.parseResults(done, this.pglite.parsers)[0]!;
    } catch (e) {
      throw withStatement(e, sql);
    }
  }

  /** Parses and describes a statement under a name ('' for the unnamed one): its parameters' types. */
  private async describe(name: string, sql: string): Promise<number[]> {
    try {
      const described = await this.send([serialize.parse({ name, text: sql }), serialize.describe({ type: 'S', name })]);
      return parse.parseDescribeStatementResults(described);
    } catch (e) {
      await this.resync();
      throw withStatement(e, sql);
    }
  }

  private async runKept(sql: string, params: unknown[]): Promise<Results> {
    let kept = this.kept.use(sql);
    if (!kept) {
      const name = `carnet_${++this.made}`;
      kept = { name, types: await this.describe(name, sql) };
      for (const out of this.kept.add(sql, kept)) this.closing.push(serialize.close({ type: 'S', name: out.name }));
    }
    try {
      return await this.execute(kept.name, kept.types, sql, params);
    } catch (e) {
      // Prepared again at its next run: a kept statement that failed must not keep failing for a
      // reason of its own (a plan PostgreSQL could no longer use would fail every run after).
      if (e instanceof messages.DatabaseError && this.kept.forget(sql, kept)) {
        this.closing.push(serialize.close({ type: 'S', name: kept.name }));
      }
      throw e;
    }
  }

  /** As PGlite's own `query`: an unnamed statement, described first when it has parameters. */
  private async runUnnamed(sql: string, params: unknown[]): Promise<Results> {
    if (params.length > 0) return this.execute('', await this.describe('', sql), sql, params);
    // Nothing to describe: parsed, bound and executed in one call.
    try {
      const done = await this.send([serialize.parse({ text: sql }), serialize.bind({ values: [] }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]);
      return parse.parseResults(done, this.pglite.parsers)[0]!;
    } catch (e) {
      throw withStatement(e, sql);
    }
  }
}
