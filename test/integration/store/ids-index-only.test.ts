// ITI-18 FindDocuments as ObjectRef reads only entryUUIDs, in the date order, through the reader's
// visibility filter (ACC-08). The date index carries every column that filter reads (migration
// 0091), so on rows the visibility map marks all-visible (after a VACUUM: autovacuum's runs, or the
// bench's loader) the ids come from the index alone, without a heap visit per document.
import { beforeAll, expect, it } from '@jest/globals';
import { captureQueries, type QueryCapture } from '../../../bench/scale/query-capture.js';
import { describeEachStore } from '../../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, type World } from '../../support/world.js';

describeEachStore("the ObjectRef search's ids read from the date index alone", (db) => {
  let w: World;
  let capture: QueryCapture;
  beforeAll(async () => {
    capture = captureQueries(db());
    w = await makeWorld(capture.db);
  });

  it('ACC-08: a professional\'s filtered ids are an index-only scan of document_entry_by_date_desc once the table is vacuumed, and the same ids as the page', async () => {
    const author = proActor('doctor');
    const reader = proActor('doctor2');
    const { patientKey, ins } = await adultRecord(w);
    await w.services.submissions.submit(as(author), submission(ins, [{}, { confidentiality: ['N', 'MASQUE_PS'], authorId: author.idNatPs }, {}, {}]));
    await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: reader.idNatPs, effect: 'permit' });
    await db().query('VACUUM (ANALYZE) document_entry');
    capture.start();
    const found = (await w.services.documents.findIds(as(reader), ins, { statuses: ['Approved'] })).toArray();
    const ids = capture.stop().find((s) => s.sql.startsWith('WITH found AS MATERIALIZED'));
    expect(ids).toBeDefined();
    // the masked document left out, the others in the page's order
    const page = await w.services.documents.find(as(reader), { patientKey }, { statuses: ['Approved'] });
    expect(found).toEqual(page.entries.map((e) => e.entryUuid));
    expect(found).toHaveLength(3);
    const plan = await db().transaction(async (tx) => {
      // a test record's few rows would be read whole whatever the statement: the index paths only
      await tx.exec('SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off');
      const r = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${ids!.sql}`, ids!.params);
      return r.rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/Index Only Scan using document_entry_by_date_desc on document_entry d/);
    expect(plan).not.toMatch(/Sort Key/);
  });
});
