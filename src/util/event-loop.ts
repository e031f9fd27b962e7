// Long loops over a request's entries (an ITI-65 Bundle of hundreds of documents, say) hold the
// event loop for every other request while they run. Such a loop awaits `pause.tick()` per item:
// every `every` items it lets the event loop serve what waits (I/O, timers) before going on, so
// one large request is cut into slices of a few milliseconds instead of one long stall.
import { setImmediate as nextTurn } from 'node:timers/promises';

export class LoopPause {
  private count = 0;
  constructor(private readonly every: number) {}

  /** Counts one item; every `every` items, resolves on the event loop's next turn. */
  tick(): Promise<void> | undefined {
    if (++this.count % this.every !== 0) return undefined;
    return nextTurn().then(() => undefined);
  }
}
