// What both stores share about the statements they keep prepared under a name
// (src/store/pglite-statements.ts for the embedded store, src/store/pg-statements.ts for the
// server): which statements are kept, which may change a table's shape and so end every kept one,
// which texts have come back often enough to be kept (RecentTexts), and the bounded list of the
// kept ones (KeptList), those never run again since they were kept pushed out first.
import { createHash } from 'node:crypto';

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

/**
 * A text is kept prepared from its ADMIT_AFTER-th run among the texts run lately (RecentTexts);
 * before, it runs unnamed (parsed, planned and run, nothing kept). Which criteria a search carries
 * picks its text (a FHIR search's ~18 parameters, an XDS stored query's slots: up to 2^18 texts): a
 * caller going through their combinations makes a new text per request, and each, kept, would
 * push the statements every request runs (ITI-67's page, ITI-18's ids) out of the bound, to be
 * parsed and planned again (PostgreSQL's custom plans for their first 5 runs again too), and fill
 * PostgreSQL's memory with plans run once. A text run once is never kept.
 */
export const ADMIT_AFTER = 2;

/**
 * How many texts RecentTexts counts, by a hash of each (~100 bytes apiece whatever the text's
 * length): the least recently run forgotten first. A text that comes back after this many others
 * counts from one again.
 */
export const RECENT_TEXTS = 4096;

/**
 * The share of KeptList's bound that texts run again since they were kept may hold: the rest is
 * for texts just kept, which a stream of new texts pushes out among themselves.
 */
export const KEPT_AGAIN_SHARE = 0.8;

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
 * The texts run lately and how many times each (ADMIT_AFTER): a bounded map of their hashes, the
 * least recently run forgotten first. One per store (a pool's connections share it): a text that
 * comes back is kept on whichever connection runs it next. Asked only for a text its connection
 * does not keep, so a kept statement's run costs no hash.
 */
export class RecentTexts {
  private readonly runs = new Map<string, number>();

  constructor(
    private readonly bound = RECENT_TEXTS,
    private readonly admitAfter = ADMIT_AFTER,
  ) {}

  get size(): number {
    return this.runs.size;
  }

  /** Counts one run of the text: true when it has now run often enough to be kept. */
  ran(sql: string): boolean {
    const key = createHash('sha1').update(sql).digest('base64');
    const runs = Math.min((this.runs.get(key) ?? 0) + 1, this.admitAfter);
    // most recently run last
    this.runs.delete(key);
    this.runs.set(key, runs);
    if (this.runs.size > this.bound) this.runs.delete(this.runs.keys().next().value as string);
    return runs >= this.admitAfter;
  }
}

/**
 * SQL text -> what a connection keeps for it, at most `bound` of them and `totalText` characters
 * of text; those pushed out are handed back to be closed. Two lists (a segmented LRU): the texts
 * kept and not run since, and those run again since they were kept (at most KEPT_AGAIN_SHARE of
 * the bound, the least recently used moved back to the first list beyond it). The least recently
 * kept of the first list is pushed out first; of the second only when the first is empty. So texts
 * kept and never run again (a caller making a new text per request, which RecentTexts lets in if
 * it sends each one twice) push out each other, not the statements that run again and again.
 */
export class KeptList<T> {
  /** kept, not run again since: least recently kept first */
  private readonly once = new Map<string, T>();
  /** run again since kept: least recently used first */
  private readonly again = new Map<string, T>();
  /** the characters of the texts kept */
  private text = 0;
  private readonly againBound: number;

  constructor(
    private readonly bound = KEPT_STATEMENTS,
    private readonly totalText = KEPT_TEXT_TOTAL,
  ) {
    this.againBound = Math.max(1, Math.floor(bound * KEPT_AGAIN_SHARE));
  }

  get size(): number {
    return this.once.size + this.again.size;
  }

  /** Whether the text is kept (not counted as a use). */
  has(sql: string): boolean {
    return this.again.has(sql) || this.once.has(sql);
  }

  /** The text's kept statement, now the most recently used of those run again; undefined if none. */
  use(sql: string): T | undefined {
    let kept = this.again.get(sql);
    if (kept !== undefined) {
      // most recently used last
      this.again.delete(sql);
      this.again.set(sql, kept);
      return kept;
    }
    kept = this.once.get(sql);
    if (kept === undefined) return undefined;
    this.once.delete(sql);
    this.again.set(sql, kept);
    if (this.again.size > this.againBound) {
      // the least recently used of them goes back to the texts just kept, last to be pushed out
      const [oldestSql, oldest] = this.again.entries().next().value as [string, T];
      this.again.delete(oldestSql);
      this.once.set(oldestSql, oldest);
    }
    return kept;
  }

  /**
   * Keeps `kept` for the text, among those just kept; hands back those pushed out to stay within
   * the bounds, and the statement it replaces if the text was kept already.
   */
  add(sql: string, kept: T): T[] {
    const out: T[] = [];
    const before = this.once.get(sql) ?? this.again.get(sql);
    if (before !== undefined) {
      // counted once, and moved last (a Map keeps a key's first place when it is set again)
      this.once.delete(sql);
      this.again.delete(sql);
      this.text -= sql.length;
      if (before !== kept) out.push(before);
    }
    this.once.set(sql, kept);
    this.text += sql.length;
    // the text just added is the last of `once`: never pushed out by its own length
    while (this.size > this.bound || (this.text > this.totalText && this.size > 1)) {
      const from = this.once.size > 1 ? this.once : this.again;
      const [oldestSql, oldest] = from.entries().next().value as [string, T];
      from.delete(oldestSql);
      this.text -= oldestSql.length;
      out.push(oldest);
    }
    return out;
  }

  /** Forgets the text's statement if it is still `kept` (true then). */
  forget(sql: string, kept: T): boolean {
    const from = this.again.get(sql) === kept ? this.again : this.once.get(sql) === kept ? this.once : undefined;
    if (!from) return false;
    from.delete(sql);
    this.text -= sql.length;
    return true;
  }

  /** Forgets them all, and hands them back. */
  clear(): T[] {
    const all = [...this.once.values(), ...this.again.values()];
    this.once.clear();
    this.again.clear();
    this.text = 0;
    return all;
  }
}
