// The store lost while a document is on its way out (ITI-43, ITI-68): a database whose reads of
// document content slices outside a transaction fail while `armed`, and the steps of a test that
// proves what then happens. The first slice, read with the access's decision and trace in their
// transaction, still comes.
import type { Db } from '../../src/store/db.js';
import { startTestApp, type RunningApp } from './app.js';

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

/** What a retrieval did on a server whose store fails mid-answer. */
export interface LostMidAnswer {
  /** unarmed, the same server answered the document whole (the failure is the store's, not the setup's) */
  wholeWhenUnarmed: boolean;
  /** armed, the client saw its answer fail (the connection cut short of its length), never a body */
  failedWhenArmed: boolean;
  /** retrievals of the record traced as successes during the armed read */
  tracedWhileArmed: number;
}

/**
 * Runs `retrieve` (which reads the whole body of one retrieval of a document larger than a slice,
 * on the server given) once on a server whose store is sound, then once with its slice reads
 * failing, counting the record's successful `document.retrieve` trace rows around the second.
 * The server is closed whatever happens.
 */
export async function retrieveWithStoreLost(db: Db, patientKey: string, retrieve: (server: RunningApp) => Promise<Buffer>, whole: (body: Buffer) => boolean): Promise<LostMidAnswer> {
  const state = { armed: false };
  const server = await startTestApp(failingSlices(db, state));
  const traced = async () =>
    Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM access_trace WHERE chain_key = $1 AND action = 'document.retrieve' AND outcome = 'success'`, [patientKey])).rows[0]!.n);
  try {
    const wholeWhenUnarmed = whole(await retrieve(server));
    const before = await traced();
    state.armed = true;
    const failedWhenArmed = await retrieve(server).then(
      () => false,
      () => true,
    );
    return { wholeWhenUnarmed, failedWhenArmed, tracedWhileArmed: (await traced()) - before };
  } finally {
    state.armed = false;
    await server.close();
  }
}
