// The SQL a server sends, counted: a wrapper around the store's Db that counts statements
// (BEGIN and COMMIT included: each is a round trip), transactions and statements outside any
// transaction, and keeps the last statement that matched a pattern with its parameters — so that
// the benchmark can say how many round trips one request costs, and re-run the exact page query
// a request ran (for its plan and its time on the server alone).
import type { Db, Tx } from '../../src/store/db.js';

export interface SqlCounts {
  /** every statement sent, BEGIN and COMMIT included */
  statements: number;
  transactions: number;
  /** statements sent outside a transaction (each takes a connection of the pool of its own) */
  outside: number;
}

export interface CountingDb extends Db {
  counts(): SqlCounts;
  /** the last statement whose text matched the pattern `keep`, with its parameters (null if none yet) */
  kept(): { sql: string; params: unknown[] } | null;
}

export function countingDb(db: Db, keep: { test(sql: string): boolean }): CountingDb {
  const c: SqlCounts = { statements: 0, transactions: 0, outside: 0 };
  let kept: { sql: string; params: unknown[] } | null = null;
  const seen = (sql: string, params?: unknown[]) => {
    c.statements++;
    if (keep.test(sql)) kept = { sql, params: params ?? [] };
  };
  return {
    kind: db.kind,
    query: (sql, params) => {
      seen(sql, params);
      c.outside++;
      return db.query(sql, params);
    },
    transaction: (fn) => {
      c.transactions++;
      c.statements += 2;
      return db.transaction((tx) => {
        const counted: Tx = {
          query: (sql, params) => {
            seen(sql, params);
            return tx.query(sql, params);
          },
          exec: (sql) => {
            seen(sql);
            return tx.exec(sql);
          },
        };
        return fn(counted);
      });
    },
    exec: (sql) => {
      seen(sql);
      c.outside++;
      return db.exec(sql);
    },
    close: () => db.close(),
    counts: () => ({ ...c }),
    kept: () => kept,
  };
}
