// TRACE-01/02: a trace row is bounded where it is built, whatever door forgot to bound its input.
// The selections service took a name of any length (only the FHIR door held it to 200
// characters), and any row took details and a target of any size: a call with a name of 900,000
// characters wrote a row of 900 KB into the patient's trace, which nothing may ever delete. Each
// text is now cut at 4,096 characters, a target at 256 and a row's details at 64 KiB, saying what
// was cut, before the row is hashed: the chain still verifies, and legitimate rows are kept whole.
import { beforeAll, expect, it } from '@jest/globals';
import { TRACE_MAX_DETAILS_CHARS, TRACE_MAX_TARGET_LENGTH, TRACE_MAX_TEXT_LENGTH } from '../../../src/domain/trace-bounds.js';
import { appendTrace, type TraceEntry } from '../../../src/store/trace-repo.js';
import { verifyTrace } from '../../../src/store/trace-verify.js';
import { describeEachStore } from '../../support/stores.js';
import { adultRecord, makeWorld, patientCaller, type World } from '../../support/world.js';

describeEachStore('TRACE-01: what one trace row may hold is bounded before it is hashed', (db) => {
  let w: World;
  let patientKey: string;
  beforeAll(async () => {
    w = await makeWorld(db());
    ({ patientKey } = await adultRecord(w));
  });

  /** the newest row of the record's trace of this action: its details as text and as data, its target */
  const lastRow = async (action: string) =>
    (
      await db().query<{ n: number; details: Record<string, unknown>; target_kind: string | null; target_id: string | null }>(
        'SELECT length(details::text)::int AS n, details, target_kind, target_id FROM access_trace WHERE chain_key = $1 AND action = $2 ORDER BY occurred_at DESC, seq DESC LIMIT 1',
        [patientKey, action],
      )
    ).rows[0]!;
  const entry = (over: Partial<TraceEntry>): TraceEntry => ({
    patientKey, occurredAt: new Date(), actor: { kind: 'support', id: 'agent' }, action: 'record.read', outcome: 'success', channel: 'test', ...over,
  });

  it('TRACE-01: a selection saved with a name of 900,000 characters leaves a row holding its first 4,096 and its length; the chain verifies', async () => {
    await w.services.selections.save(patientCaller(patientKey), patientKey, { name: 'n'.repeat(900_000), logicalIds: [] });
    const row = await lastRow('selection.manage');
    expect(row.n).toBeLessThan(TRACE_MAX_TEXT_LENGTH + 200);
    expect(row.details.name).toBe(`${'n'.repeat(TRACE_MAX_TEXT_LENGTH)}… [cut: 900000 characters]`);
    expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
  });

  it('TRACE-01: a row of 100,000 values and a target of 900,000 characters keeps the values that fit, says how many there were, and cuts the target', async () => {
    const objects = Array.from({ length: 100_000 }, (_, i) => `object-${i}`);
    await appendTrace(db(), entry({ action: 'record.metadata_update', target: { kind: 'account', id: '8'.repeat(900_000) }, details: { documents: 3, objects } }));
    const row = await lastRow('record.metadata_update');
    // the limit is on the row's JSON as hashed (compact); jsonb's text adds a space after each comma
    expect(JSON.stringify(row.details).length).toBeLessThanOrEqual(TRACE_MAX_DETAILS_CHARS);
    expect(row.details.documents).toBe(3);
    const kept = row.details.objects as string[];
    expect(kept.slice(0, 3)).toEqual(['object-0', 'object-1', 'object-2']);
    expect(kept.at(-1)).toBe(`[cut: ${kept.length - 1} of 100000 values]`);
    expect(row.target_id).toBe(`${'8'.repeat(TRACE_MAX_TARGET_LENGTH)}… [cut: 900000 characters]`);
    expect(row.target_kind).toBe('account');
    expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
  });

  it('TRACE-01: what legitimate rows hold is kept whole: a reason of 4,096 characters (its own limit), a search of 20 values of 200 characters per criterion', async () => {
    const reason = 'é'.repeat(TRACE_MAX_TEXT_LENGTH);
    const values = Array.from({ length: 20 }, (_, i) => `${i}`.padEnd(200, 'v'));
    const search = { authorPersons: values, classCodes: values, typeCodes: values, practiceSettingCodes: values, eventCodes: values };
    await appendTrace(db(), entry({ action: 'record.close', target: { kind: 'account', id: 'a'.repeat(64) }, details: { reason, search } }));
    const row = await lastRow('record.close');
    expect(row.details).toEqual({ reason, search });
    expect(row.target_id).toBe('a'.repeat(64));
    expect((await verifyTrace(db(), 2000, patientKey)).broken).toEqual([]);
  });
});
