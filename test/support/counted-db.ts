// A store whose every statement is written down: its text, and whether it ran in a transaction
// block (BEGIN is written as a statement of its own), so that a test can say how many round trips
// a use case costs and which of them commit on their own.
import type { Db, Tx } from '../../src/store/db.js';

export interface SentStatement {
  sql: string;
  inTransaction: boolean;
  /** the rows it answered, once it has (the work a use case makes the store hand back) */
  rows?: number;
}

/** `statement` written down in `sent`, its rows noted when they come. */
function noted<R extends { rows: unknown[] }>(sent: SentStatement[], statement: SentStatement, answer: Promise<R>): Promise<R> {
  sent.push(statement);
  return answer.then((r) => {
    statement.rows = r.rows.length;
    return r;
  });
}

/** `db`, every statement it is sent written down in `sent`. */
export function countedDb(db: Db): { db: Db; sent: SentStatement[] } {
  const sent: SentStatement[] = [];
  const counted: Db = {
    kind: db.kind,
    query: (sql, params) => noted(sent, { sql, inTransaction: false }, db.query(sql, params)),
    transaction: (fn) =>
      db.transaction((tx) => {
        sent.push({ sql: 'BEGIN', inTransaction: true });
        const inner: Tx = {
          query: (sql, params) => noted(sent, { sql, inTransaction: true }, tx.query(sql, params)),
          exec: (sql) => tx.exec(sql),
        };
        return fn(inner);
      }),
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
  };
  return { db: counted, sent };
}
