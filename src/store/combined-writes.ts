// Several writes of one transaction sent as one statement: each INSERT becomes a data-modifying
// CTE of a single `WITH … INSERT …`, so that a submission's rows (its submission set, documents,
// contents, registry rows, associations) cost one round trip to the database instead of one each.
// PostgreSQL runs them all or none, as it would separate statements of the same transaction.
//
// What a combined write may hold: statements that do not read one another's rows (the CTEs of one
// statement share one snapshot: a later one does not see what an earlier one inserted) and that
// do not change the same row twice. INSERTs of new rows, what a deposit writes, are such.
import type { Queryable } from './db.js';

/** One parameterised statement ($1, $2, … numbered from 1, as `query` takes them; no other `$n` in its text). */
export interface Statement {
  sql: string;
  params: unknown[];
}

/** PostgreSQL accepts at most 65,535 parameters in one statement; a combined one stays well below. */
const MAX_PARAMS = 30_000;
/** Many CTEs make one long plan: a submission of hundreds of documents is sent in a few statements. */
const MAX_STATEMENTS = 200;

/** `sql` with its parameters $1..$n renumbered from `offset + 1`. */
function shifted(sql: string, offset: number): string {
  return offset === 0 ? sql : sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
}

/** One statement doing what `statements` do (at least one), in that order of writing. */
export function combine(statements: Statement[]): Statement {
  return precededBy(statements.slice(0, -1), statements.at(-1)!);
}

/**
 * `last` preceded by `writes` (statements that read neither one another's rows nor those `last`
 * changes) as CTEs of one statement, whose answer is `last`'s. `last` may begin with a WITH list
 * of its own (CTEs not named w<n>): it then continues this one, since PostgreSQL takes
 * data-modifying CTEs at the top level only. PostgreSQL runs every data-modifying CTE to its end,
 * whatever `last` reads of it.
 */
export function precededBy(writes: Statement[], last: Statement): Statement {
  if (!writes.length) return last;
  const params: unknown[] = [];
  const parts = writes.map((s) => {
    const sql = shifted(s.sql, params.length);
    params.push(...s.params);
    return sql;
  });
  const tail = shifted(last.sql, params.length);
  params.push(...last.params);
  const ctes = parts.map((p, i) => `w${i} AS (${p})`).join(', ');
  const own = /^\s*WITH\s+/i.exec(tail);
  if (own && /^RECURSIVE\b/i.test(tail.slice(own[0].length))) throw new Error('precededBy: a WITH RECURSIVE statement cannot be continued');
  return { sql: own ? `WITH ${ctes}, ${tail.slice(own[0].length)}` : `WITH ${ctes} ${tail}`, params };
}

/** Groups of `statements`, each within the limits of one combined statement. */
export function groups(statements: Statement[]): Statement[][] {
  const out: Statement[][] = [];
  let current: Statement[] = [];
  let params = 0;
  for (const s of statements) {
    if (current.length && (current.length >= MAX_STATEMENTS || params + s.params.length > MAX_PARAMS)) {
      out.push(current);
      current = [];
      params = 0;
    }
    current.push(s);
    params += s.params.length;
  }
  if (current.length) out.push(current);
  return out;
}

/** Runs `statements` (writes that do not read one another's rows) in as few statements as the limits allow. */
export async function writeTogether(q: Queryable, statements: Statement[]): Promise<void> {
  for (const group of groups(statements)) {
    const s = combine(group);
    await q.query(s.sql, s.params);
  }
}
