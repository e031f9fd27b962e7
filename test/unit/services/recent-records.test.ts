// Records as a process last loaded them, with the lane heads its reads in one statement left
// (src/services/recent-records.ts): a kept record is only ever offered with a head this process
// left after a load of that same record, forgotten on a miss, bounded in size.
import { describe, expect, it } from '@jest/globals';
import { RecentRecords } from '../../../src/services/recent-records.js';
import type { LoadedRecord } from '../../../src/store/record-repo.js';

const record = (patientKey: string, fingerprint?: string): LoadedRecord =>
  ({ row: {}, context: { patientKey }, identifiers: [], traceHead: { lane: 0, seq: 1, hash: 'h1' }, ...(fingerprint ? { fingerprint } : {}) }) as unknown as LoadedRecord;

describe('RecentRecords', () => {
  it('a loaded record is offered only once a head of that lane was left by an append, then until it is stale', () => {
    const r = new RecentRecords();
    r.loaded('a', record('k1', 'f1'));
    expect(r.get('a', 0)).toBeUndefined();
    r.appended('a', 'k1', { lane: 0, seq: 2, hash: 'h2' });
    expect(r.get('a', 0)).toEqual({ record: expect.objectContaining({ fingerprint: 'f1' }), head: { lane: 0, seq: 2, hash: 'h2' } });
    expect(r.get('a', 1)).toBeUndefined();
    r.stale('a', 0);
    expect(r.get('a', 0)).toBeUndefined();
  });

  it('a load of another fingerprint, or of another record by the same name, forgets the heads; a load without a fingerprint is not kept', () => {
    const r = new RecentRecords();
    r.loaded('a', record('k1', 'f1'));
    r.appended('a', 'k1', { lane: 3, seq: 5, hash: 'h5' });
    r.loaded('a', record('k1', 'f1'));
    expect(r.get('a', 3)?.head.seq).toBe(5);
    r.loaded('a', record('k1', 'f2'));
    expect(r.get('a', 3)).toBeUndefined();
    r.appended('a', 'k1', { lane: 3, seq: 6, hash: 'h6' });
    r.loaded('a', record('k2', 'f2'));
    expect(r.get('a', 3)).toBeUndefined();
    // an append to a record other than the one kept under the name leaves nothing
    r.appended('a', 'k1', { lane: 3, seq: 7, hash: 'h7' });
    expect(r.get('a', 3)).toBeUndefined();
    r.loaded('b', record('k3'));
    r.appended('b', 'k3', { lane: 0, seq: 2, hash: 'h2' });
    expect(r.get('b', 0)).toBeUndefined();
  });

  it('past its bound it forgets every record rather than grow', () => {
    const r = new RecentRecords(2);
    for (const k of ['a', 'b']) {
      r.loaded(k, record(k, 'f'));
      r.appended(k, k, { lane: 0, seq: 2, hash: 'h' });
    }
    r.loaded('c', record('c', 'f'));
    r.appended('c', 'c', { lane: 0, seq: 2, hash: 'h' });
    expect(['a', 'b', 'c'].map((k) => r.get(k, 0) !== undefined)).toEqual([false, false, true]);
  });
});
