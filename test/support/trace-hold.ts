// A trace lane held by another transaction, for the tests of what an access does meanwhile: one
// row appended in a transaction that stays open (its lane locked) until released.
import type { Db } from '../../src/store/db.js';
import { appendTrace, type TraceEntry } from '../../src/store/trace-repo.js';

export interface HeldLane {
  /** the lane the open transaction appended to and holds */
  lane: number;
  /** ends the open transaction (commits its row) and waits for it */
  release(): Promise<void>;
}

export async function holdTraceLane(db: Db, row: TraceEntry): Promise<HeldLane> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let appended!: (lane: number) => void;
  const held = new Promise<number>((r) => (appended = r));
  const open = db.transaction(async (tx) => {
    appended((await appendTrace(tx, row)).lane);
    await released;
  });
  // a transaction that fails before it holds a lane fails the test here, not by a wait without end
  const lane = await Promise.race([held, open.then(() => held)]);
  return {
    lane,
    release: async () => {
      release();
      await open;
    },
  };
}
