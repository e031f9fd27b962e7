// After the last test file: the test stores kept for a next file are closed, or a run in Jest's
// own process (--maxWorkers=1) would wait for them (an open PGlite keeps Node's process alive).
// Same module as the test environment's (Node loads both): its stores are the ones lent.
import { pgliteLender } from './pglite-lender.js';

export default async function closeLentStores() {
  await pgliteLender.closeIdle();
}
