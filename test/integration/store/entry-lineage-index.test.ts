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

/** The statement of a version `version` of a new logical id (only what its parameters read). */
function versionStatement(version: number) {
  const id = `urn:uuid:${randomUUID()}`;
  return insertEntryVersionStatement({
    patientKey: randomUUID(), entryUuid: id, logicalId: id, submissionSetUuid: id, version,
    metadata: { authors: [], eventCodes: [], referenceIds: [] },
  } as never);
}

describeEachStore('the lineage lookup of a new version', (db) => {
  it('is the lookup the version statement makes', () => {
    expect(versionStatement(2).sql.split(LOOKUP).length - 1).toBe(3);
  });

  it("ACC-09: a document's first version makes no lookup and starts a lineage of its own (a deposit)", async () => {
    const st = versionStatement(1);
    // no read of stored versions (the authors' names are folded by a SELECT of their own, over the parameters alone)
    expect(st.sql).not.toContain('FROM document_entry');
    expect(st.sql).not.toContain(LOOKUP);
    // what the lookup would answer, no version of the logical id being stored: the logical id, 1, false
    expect(st.sql).toMatch(/\$3, 1, false\)$/);
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
