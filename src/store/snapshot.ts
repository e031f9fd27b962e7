// One consistent view of a store that is being written: a read-only REPEATABLE READ transaction
// sees every table as of its first statement, so a check that reads a chain's head and then its
// rows (the trace, the security log) cannot mistake a row appended in between for a break.
// A read-only snapshot takes no lock that writers wait on; on the embedded store (one connection)
// other transactions simply run after it.
import type { Db, Queryable } from './db.js';

export function inReadOnlySnapshot<T>(db: Db, read: (snapshot: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    return read(tx);
  });
}
