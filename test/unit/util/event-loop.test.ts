// Issue 11: a long loop over a request's items gives the event loop back every few items
// (LoopPause), without skipping or repeating any item.
import { describe, expect, it } from '@jest/globals';
import { LoopPause } from '../../../src/util/event-loop.js';

describe('LoopPause (issue 11: one request never holds the event loop for its whole reading)', () => {
  it('lets what waits on the event loop run every `every` items, and only then', async () => {
    const pause = new LoopPause(4);
    const seen: string[] = [];
    for (let item = 1; item <= 8; item++) {
      // queued on the loop before the item's tick: it runs during a pause, not otherwise
      setImmediate(() => seen.push(`loop after ${item}`));
      const waiting = pause.tick();
      expect(waiting === undefined).toBe(item % 4 !== 0);
      await waiting;
      seen.push(`item ${item}`);
    }
    expect(seen.filter((s) => s.startsWith('item'))).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((i) => `item ${i}`));
    // the loop ran before items 4 and 8 went on, never in between
    expect(seen.indexOf('loop after 1')).toBeLessThan(seen.indexOf('item 4'));
    expect(seen.indexOf('loop after 5')).toBeLessThan(seen.indexOf('item 8'));
    expect(seen.indexOf('loop after 5')).toBeGreaterThan(seen.indexOf('item 4'));
  });
});
