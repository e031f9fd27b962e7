// Lanes of records a read in one statement lately found held or moved (src/services/traced-read.ts):
// the reads leave such a lane alone for a while, then try it again. A heuristic of the process
// alone, bounded in size.
import { describe, expect, it } from '@jest/globals';
import { ContendedRecords, LanesInFlight, RememberedLoads } from '../../../src/services/traced-read.js';
import { TRACE_LANES } from '../../../src/store/trace-repo.js';

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

// The lanes a process's reads in one statement of a record are appending to: each read its own.
describe('LanesInFlight', () => {
  it('reads of one record at once take its lanes from the lowest, one each, until none is left; one read at a time stays in lane 0', () => {
    const lanes = new LanesInFlight();
    const taken = Array.from({ length: TRACE_LANES }, () => lanes.take('a'));
    expect(taken).toEqual(Array.from({ length: TRACE_LANES }, (_, i) => i));
    expect(lanes.take('a')).toBeNull();
    expect(lanes.take('b')).toBe(0);
    lanes.give('a', 3);
    expect(lanes.take('a')).toBe(3);
    for (const lane of taken) lanes.give('a', lane!);
    lanes.give('b', 0);
    expect([lanes.take('a'), lanes.take('b')]).toEqual([0, 0]);
  });

  it('a lane to avoid (found held by another transaction) is passed over for the next free one', () => {
    const lanes = new LanesInFlight();
    expect(lanes.take('a', (lane) => lane === 0 || lane === 1)).toBe(2);
    expect(lanes.take('a', () => true)).toBeNull();
  });

  it('a read finding every lane of the record taken by this process waits for one to be given back, first come first, instead of taking the transaction\'s way', async () => {
    const lanes = new LanesInFlight();
    for (let i = 0; i < TRACE_LANES; i++) lanes.take('a');
    const got: Array<[string, number | null]> = [];
    const first = lanes.acquire('a').then((l) => got.push(['first', l]));
    const second = lanes.acquire('a').then((l) => got.push(['second', l]));
    await Promise.resolve();
    expect(got).toEqual([]);
    // another record is not held up
    expect(await lanes.acquire('b')).toBe(0);
    lanes.give('a', 5);
    await first;
    expect(got).toEqual([['first', 5]]);
    lanes.give('a', 2);
    await second;
    expect(got).toEqual([['first', 5], ['second', 2]]);
    // and a lane is taken at once when one is free
    lanes.give('a', 7);
    expect(await lanes.acquire('a')).toBe(7);
  });

  it('a waiting read passes over a lane given back that it must avoid, and gets null (guarded()\'s way) once no lane is held by this process and every free one is avoided', async () => {
    const lanes = new LanesInFlight();
    for (let i = 0; i < TRACE_LANES; i++) lanes.take('a');
    const avoided = new Set<number>();
    const waiting = lanes.acquire('a', (l) => avoided.has(l));
    // lane 0 comes back found held by another transaction (noted contended before it is given back)
    avoided.add(0);
    lanes.give('a', 0);
    lanes.give('a', 1);
    expect(await waiting).toBe(1);
    // every other lane comes back avoided: a second waiting read ends with null, not waiting for ever
    const last = lanes.acquire('a', (l) => avoided.has(l) || l !== 1);
    for (let l = 2; l < TRACE_LANES; l++) lanes.give('a', l);
    lanes.give('a', 1);
    await expect(last).resolves.toBe(1);
    // a read that must avoid every lane: null once the last lane held here comes back, and at once when none is
    const none = lanes.acquire('a', () => true);
    lanes.give('a', 1);
    await expect(none).resolves.toBeNull();
    await expect(lanes.acquire('a', () => true)).resolves.toBeNull();
  });
});

describe('RememberedLoads', () => {
  const load = (state: string) => ({ record: { row: {}, context: {}, identifiers: [] } as never, state, named: { patientKey: 'k' } });

  it('a lane keeps its last load until forgotten; past its bound, everything is forgotten, and the new one kept', () => {
    const r = new RememberedLoads(2);
    r.note('a:0', load('1'));
    r.note('a:0', load('2'));
    r.note('a:1', load('3'));
    expect([r.get('a:0')?.state, r.get('a:1')?.state]).toEqual(['2', '3']);
    r.forget('a:1');
    expect(r.get('a:1')).toBeUndefined();
    r.note('a:1', load('4'));
    r.note('b:0', load('5'));
    expect([r.get('a:0'), r.get('a:1'), r.get('b:0')?.state]).toEqual([undefined, undefined, '5']);
  });
});
