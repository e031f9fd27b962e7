// A database whose reads of document content slices outside a transaction fail while `armed`: the
// store lost while a document is on its way out (ITI-43, ITI-68). The first slice, read with the
// access's decision and trace in their transaction, still comes.
import type { Db } from '../../src/store/db.js';

export function failingSlices(db: Db, state: { armed: boolean }): Db {
  return {
    kind: db.kind,
    query: async (sql, params) => {
      if (state.armed && sql.includes('substring(bytes')) throw new Error('the connection to the database was lost (test)');
      return db.query(sql, params);
    },
    exec: (sql) => db.exec(sql),
    close: async () => {},
    transaction: (fn) => db.transaction(fn),
  };
}
