// TRACE-02 across the move to lanes (migration 0062): the single chain each record had became its
// lane 0, so a lane-0 row must hash exactly as a row hashed before lanes existed, or every trace
// written before would stop verifying. The expected hash below was computed by the code before
// lanes, for this very row.
import { describe, expect, it } from '@jest/globals';
import { chainHash } from '../../../src/domain/trace-chain.js';
import { canonicalJson } from '../../../src/store/canonical-json.js';
import { traceRowHash, type TraceRow } from '../../../src/store/trace-repo.js';

const ROW: Omit<TraceRow, 'hash'> = {
  chain_key: '3f2b8c1e-5a4d-4e6f-8a9b-0c1d2e3f4a5b', lane: 0, seq: 7, trace_id: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a',
  occurred_at: new Date('2026-03-04T05:06:07.089Z'), actor_kind: 'professional', actor_id: '810000000003', actor_name: 'Jeanne Martin',
  actor_profession: '10', actor_specialty: null, actor_structure: '1750000001', action: 'document.read', outcome: 'success', reason: null,
  access_mode: 'normal', on_patient_request: false, document_logical_id: null, document_entry_uuid: null, document_unique_id: null,
  target_kind: null, target_id: null, channel: 'fhir', request_id: 'req-1', details: { emergency: true }, prev_hash: 'ab'.repeat(32),
};
const BEFORE_LANES = '10164de7a1e180e7d9bb478d0b714405df80add4223c19c3af656990f77a7bd0';

describe('the hash of a trace row (TRACE-02)', () => {
  it('TRACE-02: a row of lane 0 hashes as the rows of the single chain did before lanes', () => {
    expect(traceRowHash(ROW)).toBe(BEFORE_LANES);
  });

  it('TRACE-02: the lane of any other lane is hashed: the same row in lane 3 hashes otherwise, and each lane differently', () => {
    const hashes = [1, 2, 3, 7].map((lane) => traceRowHash({ ...ROW, lane }));
    expect(hashes).not.toContain(BEFORE_LANES);
    expect(new Set(hashes).size).toBe(4);
  });

  it('TRACE-02: the hash is SHA-256 over the previous hash and the canonical JSON of the content (the columns, the lane unless 0), whatever the values', () => {
    /** the content as the chain's construction defines it, canonicalised by canonicalJson itself */
    const byDefinition = (row: Omit<TraceRow, 'hash'>) => {
      const content: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) {
        if (k === 'lane' || k === 'prev_hash') continue;
        content[k] = v instanceof Date ? v.toISOString() : v === undefined ? null : k === 'seq' ? Number(v) : v;
      }
      if (Number(row.lane) !== 0) content.lane = Number(row.lane);
      return chainHash(row.prev_hash, canonicalJson(content));
    };
    const details = [
      {},
      { emergency: true },
      { b: 1, a: [3, { z: null, y: 'é"\\\n\u2028' }], '10': 'ten', '2': 'two', nested: { when: new Date('2026-01-02T03:04:05.006Z'), n: -0, big: 1e21, small: 5e-7 } },
    ];
    const rows: Omit<TraceRow, 'hash'>[] = [];
    for (const lane of [0, 1, 7]) {
      for (const d of details) {
        rows.push({ ...ROW, lane, details: d as Record<string, unknown> });
        rows.push({ ...ROW, lane, details: d as Record<string, unknown>, seq: '12' as unknown as number, actor_name: 'Ça "cite" <x> & \u0000', reason: undefined as unknown as null, on_patient_request: true });
      }
    }
    for (const row of rows) expect(traceRowHash(row)).toBe(byDefinition(row));
  });
});
