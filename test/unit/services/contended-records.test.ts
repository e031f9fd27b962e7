// Records whose lane 0 a one-statement page lately found held or moved (src/services/traced-read.ts):
// their pages take the transaction's way for a while, then try the one statement again. A
// heuristic of the process alone, bounded in size.
import { describe, expect, it } from '@jest/globals';
import { ContendedRecords } from '../../../src/services/traced-read.js';

describe('ContendedRecords', () => {
  it('a record noted is contended for its hold, then no longer; another record is not', () => {
    let now = 1000;
    const c = new ContendedRecords(30, 10, () => now);
    c.note('a');
    expect({ a: c.has('a'), b: c.has('b') }).toEqual({ a: true, b: false });
    now += 29;
    expect(c.has('a')).toBe(true);
    now += 1;
    expect(c.has('a')).toBe(false);
  });

  it('past its bound it forgets every record rather than grow', () => {
    const c = new ContendedRecords(60_000, 3);
    for (const k of ['a', 'b', 'c']) c.note(k);
    expect(['a', 'b', 'c'].map((k) => c.has(k))).toEqual([true, true, true]);
    c.note('d');
    expect(['a', 'b', 'c', 'd'].map((k) => c.has(k))).toEqual([false, false, false, true]);
  });
});
