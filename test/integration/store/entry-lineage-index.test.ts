// Storing a document version reads its lineage from the versions of the same logical id already
// stored, after the previous one was marked not latest (document-repo insertEntryVersionStatement).
// That lookup must be served by an index on both columns whatever is_latest says (migration 0082):
// without it, every deposit read the depositor's whole record (issue 13). The plan is read with
// sequential scans disabled, so that a test store's few rows do not make a scan the cheaper plan.
import { expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { insertEntryVersionStatement } from '../../../src/store/document-repo.js';
import { describeEachStore } from '../../support/stores.js';

/** The lookup as the statement writes it: the record and the logical id, every version. */
const LOOKUP = 'p.patient_key = $1 AND p.logical_id = $3';

describeEachStore('the lineage lookup of a new version', (db) => {
  it('is the lookup the version statement makes', () => {
    const id = `urn:uuid:${randomUUID()}`;
    // only what the statement's parameters read: the text is the same for every version
    const st = insertEntryVersionStatement({
      patientKey: randomUUID(), entryUuid: id, logicalId: id, submissionSetUuid: id,
      metadata: { authors: [], eventCodes: [], referenceIds: [] },
    } as never);
    expect(st.sql.split(LOOKUP).length - 1).toBe(3);
  });

  it('reads one index on the record and the logical id, not latest versions only', async () => {
    const sql = `EXPLAIN SELECT p.lineage_id FROM document_entry p
      WHERE p.patient_key = '${randomUUID()}' AND p.logical_id = '${randomUUID()}' LIMIT 1`;
    const plan = await db().transaction(async (tx) => {
      await tx.exec('SET LOCAL enable_seqscan = off');
      const r = await tx.query<{ 'QUERY PLAN': string }>(sql);
      return r.rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('document_entry_by_logical_id');
    expect(plan).toMatch(/Index Cond: \(\(patient_key = .*\) AND \(logical_id = .*\)\)/);
    expect(plan).not.toContain('Filter:');
  });
});
