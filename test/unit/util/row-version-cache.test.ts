// The row-version cache's announced versions: all of a record's held entries by default, or only
// those last had near an answer's own places (`around`), however many are held — so that what a
// page tells its statement does not grow with every page read of the record.
import { describe, expect, it } from '@jest/globals';
import { RowVersionCache } from '../../../src/util/row-version-cache.js';

const cache = () => new RowVersionCache<string>(1_000_000, (v) => v.length);

/** Holds entries e0..e(n-1) of record r at version v1, each at the place of its number. */
function holdAll(c: RowVersionCache<string>, n: number): void {
  const p = c.pin('r');
  for (let i = 0; i < n; i++) p.put(`e${i}`, 'v1', `json ${i}`, i);
}

describe('RowVersionCache: what a reader is told it holds', () => {
  it('without `around`, every held entry of the record, however many', () => {
    const c = cache();
    holdAll(c, 50);
    expect(new Set(c.pin('r').known)).toEqual(new Set(Array.from({ length: 50 }, (_, i) => `e${i}:v1`)));
  });

  it('with `around`, only the entries last had in its places, the nearest to its middle first, at most `max`', () => {
    const c = cache();
    holdAll(c, 1000);
    expect(c.pin('r', { from: 500, to: 505, max: 10 }).known.slice().sort()).toEqual(['e500:v1', 'e501:v1', 'e502:v1', 'e503:v1', 'e504:v1']);
    expect(c.pin('r', { from: 500, to: 510, max: 2 }).known.slice().sort()).toEqual(['e504:v1', 'e505:v1']);
    expect(c.pin('r', { from: -10, to: 0, max: 10 }).known).toEqual([]);
  });

  it('an entry found again takes the place this answer has it at; one put without a place is never announced', () => {
    const c = cache();
    holdAll(c, 100);
    c.pin('r').get('e90', 'v1', 3);
    c.pin('r').put('x', 'v1', 'placeless');
    expect(c.pin('r', { from: 0, to: 5, max: 10 }).known.slice().sort()).toEqual(['e0:v1', 'e1:v1', 'e2:v1', 'e3:v1', 'e4:v1', 'e90:v1']);
    expect(c.pin('r', { from: 85, to: 95, max: 20 }).known).not.toContain('e90:v1');
  });

  it('an entry not announced is still found at its version for a row read anyway; never at another version', () => {
    const c = cache();
    holdAll(c, 20);
    const p = c.pin('r', { from: 19, to: 20, max: 1 });
    expect(p.known).toEqual(['e19:v1']);
    expect({ held: p.get('e0', 'v1'), otherVersion: p.get('e0', 'v2'), unknown: p.get('nope', 'v1') }).toEqual({ held: 'json 0', otherVersion: undefined, unknown: undefined });
  });

  it('an announced entry stays with its reader when it is replaced meanwhile', () => {
    const c = cache();
    holdAll(c, 3);
    const p = c.pin('r', { from: 0, to: 3, max: 3 });
    c.pin('r').put('e2', 'v2', 'newer', 2);
    expect({ known: p.known.slice().sort(), asAnnounced: p.get('e2', 'v1'), newer: p.get('e2', 'v2') }).toEqual({ known: ['e0:v1', 'e1:v1', 'e2:v1'], asAnnounced: 'json 2', newer: 'newer' });
  });

  it('a window read again shares its list while nothing moves; a moved place or a new entry makes a new one', () => {
    const c = cache();
    holdAll(c, 30);
    const window = { from: 0, to: 10, max: 20 };
    const first = c.pin('r', window);
    // found again at the same places: nothing moved
    for (let i = 0; i < 10; i++) first.get(`e${i}`, 'v1', i);
    const again = c.pin('r', window).known;
    expect(again).toBe(first.known);
    expect(Object.isFrozen(again)).toBe(true);
    // e25 found at place 5 by a reader without a window: the next selection has it
    c.pin('r').get('e25', 'v1', 5);
    const moved = c.pin('r', window).known;
    expect(moved).not.toBe(again);
    expect(moved).toContain('e25:v1');
    // a new entry held at a place of the window
    c.pin('r').put('new', 'v1', 'json new', 0);
    expect(c.pin('r', window).known).toContain('new:v1');
  });
});
