// A store whose every statement is written down: its text, and whether it ran in a transaction
// block (BEGIN is written as a statement of its own), so that a test can say how many round trips
// a use case costs and which of them commit on their own.
import type { Db, Tx } from '../../src/store/db.js';

export interface SentStatement {
  sql: string;
  inTransaction: boolean;
}

/** `db`, every statement it is sent written down in `sent`. */
export function countedDb(db: Db): { db: Db; sent: SentStatement[] } {
  const sent: SentStatement[] = [];
  const counted: Db = {
    kind: db.kind,
    query: (sql, params) => {
      sent.push({ sql, inTransaction: false });
      return db.query(sql, params);
    },
    transaction: (fn) =>
      db.transaction((tx) => {
        sent.push({ sql: 'BEGIN', inTransaction: true });
        const inner: Tx = {
          query: (sql, params) => {
            sent.push({ sql, inTransaction: true });
            return tx.query(sql, params);
          },
          exec: (sql) => tx.exec(sql),
        };
        return fn(inner);
      }),
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
  };
  return { db: counted, sent };
}
