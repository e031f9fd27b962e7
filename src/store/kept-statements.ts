// What both stores share about the statements they keep prepared under a name
// (src/store/pglite-statements.ts for the embedded store, src/store/pg-statements.ts for the
// server): which statements are kept, which may change a table's shape and so end every kept one,
// and the bounded list of the kept ones, least recently used first.

/**
 * How many statements one connection keeps prepared: Carnet's own are a few hundred texts; a text
 * built per request (a list of ids of varying length) must not grow PostgreSQL's memory without
 * end.
 */
export const KEPT_STATEMENTS = 500;

/**
 * The longest text kept, in characters. PostgreSQL holds a kept statement's parse and plan, about
 * seventy bytes for a character of an INSERT's text: a submission's combined writes (one text per
 * count of documents, folders and associations; 85 K characters for a few dozen documents) would
 * each keep megabytes on every connection, for a text seldom run twice. Carnet's searches and
 * writes of one row are under 6 K.
 */
export const KEPT_TEXT_MAX = 16 * 1024;

/**
 * The characters of all the texts one connection keeps: with the bound on their number, what
 * bounds PostgreSQL's memory for them (~140 MB a connection at the rate above), whatever texts
 * the requests make. Carnet's own texts come to a fraction of it.
 */
export const KEPT_TEXT_TOTAL = 2 * 1024 * 1024;

/** Statements that read or write rows: the ones kept prepared. */
const KEPT_KINDS = new Set(['SELECT', 'WITH', 'INSERT', 'UPDATE', 'DELETE']);

/**
 * Statements that change no table's shape: run as unnamed ones, they leave the kept statements
 * as they are. Any other (CREATE, ALTER, DROP, DISCARD, DEALLOCATE, a script...) ends them all: a
 * table's shape changed under a kept statement would fail it ("cached plan must not change result
 * type").
 */
const HARMLESS_KINDS = new Set([
  'SET', 'SHOW', 'RESET', 'BEGIN', 'START', 'COMMIT', 'END', 'ROLLBACK', 'SAVEPOINT', 'RELEASE',
  'LOCK', 'DECLARE', 'FETCH', 'MOVE', 'CLOSE', 'ANALYZE', 'VACUUM', 'CHECKPOINT', 'NOTIFY',
  'LISTEN', 'UNLISTEN', 'EXPLAIN',
]);

/** The statement's first word, after blanks and comments, in capitals. */
export function statementKind(sql: string): string {
  let at = 0;
  for (;;) {
    while (at < sql.length && /\s|\(/.test(sql[at]!)) at++;
    if (sql.startsWith('--', at)) {
      const end = sql.indexOf('\n', at);
      at = end < 0 ? sql.length : end + 1;
    } else if (sql.startsWith('/*', at)) {
      const end = sql.indexOf('*/', at + 2);
      at = end < 0 ? sql.length : end + 2;
    } else break;
  }
  const word = /^[A-Za-z]+/.exec(sql.slice(at, at + 16));
  return word ? word[0].toUpperCase() : '';
}

/** A statement of this kind is kept prepared under a name. */
export function isKeptKind(kind: string): boolean {
  return KEPT_KINDS.has(kind);
}

/** A text short enough to be kept (KEPT_TEXT_MAX); a longer one runs unnamed. */
export function isKeptText(sql: string): boolean {
  return sql.length <= KEPT_TEXT_MAX;
}

/** A statement of this kind may change a table's shape: every kept statement must be ended. */
export function mayChangeShape(kind: string): boolean {
  return !KEPT_KINDS.has(kind) && !HARMLESS_KINDS.has(kind);
}

/**
 * SQL text -> what a connection keeps for it, at most `bound` of them and `totalText` characters
 * of text: the least recently used are pushed out (and handed back to be closed) when one more is
 * added.
 */
export class KeptList<T> {
  private readonly byText = new Map<string, T>();
  /** the characters of the texts kept */
  private text = 0;

  constructor(
    private readonly bound = KEPT_STATEMENTS,
    private readonly totalText = KEPT_TEXT_TOTAL,
  ) {}

  get size(): number {
    return this.byText.size;
  }

  /** The text's kept statement, now the most recently used; undefined if none. */
  use(sql: string): T | undefined {
    const kept = this.byText.get(sql);
    if (kept !== undefined) {
      // most recently used last
      this.byText.delete(sql);
      this.byText.set(sql, kept);
    }
    return kept;
  }

  /**
   * Keeps `kept` for the text, now the most recently used; hands back those pushed out to stay
   * within the bounds, and the statement it replaces if the text was kept already.
   */
  add(sql: string, kept: T): T[] {
    const out: T[] = [];
    const before = this.byText.get(sql);
    if (before !== undefined) {
      // counted once, and moved last (a Map keeps a key's first place when it is set again)
      this.byText.delete(sql);
      this.text -= sql.length;
      if (before !== kept) out.push(before);
    }
    this.byText.set(sql, kept);
    this.text += sql.length;
    // the text just added is the most recently used: never pushed out by its own length
    while (this.byText.size > this.bound || (this.text > this.totalText && this.byText.size > 1)) {
      const [oldestSql, oldest] = this.byText.entries().next().value as [string, T];
      this.byText.delete(oldestSql);
      this.text -= oldestSql.length;
      out.push(oldest);
    }
    return out;
  }

  /** Forgets the text's statement if it is still `kept` (true then). */
  forget(sql: string, kept: T): boolean {
    if (this.byText.get(sql) !== kept) return false;
    this.byText.delete(sql);
    this.text -= sql.length;
    return true;
  }

  /** Forgets them all, and hands them back. */
  clear(): T[] {
    const all = [...this.byText.values()];
    this.byText.clear();
    this.text = 0;
    return all;
  }
}
