// ITI-67's page (documentRowsSelect, read with its trace row in one statement) is kept prepared
// on each connection from its second run (src/store/kept-statements.ts), and PostgreSQL keeps its
// generic plan only when that plan's estimated cost is no higher than the custom plans'. With the
// reader's excluded statuses as a parameter, a store whose documents all have one status estimated
// the record's visible rows at 1, and the page's size as a parameter is costed as a tenth of the
// rows: the generic plan then read and sorted the whole record and cost more, so PostgreSQL
// planned the statement anew on every page (0 generic plans in 400 runs on the bench's store; about
// 1.2 ms of PostgreSQL's CPU per page, docs/PERFORMANCE.md). Written as constants, the generic plan
// is the custom one's and is kept. Statistics are read (ANALYZE) as the bench and a running store
// have them.
import { beforeAll, expect, it } from '@jest/globals';
import { bulkCopy } from '../../../bench/fair/bulk-copy.js';
import type { Queryable } from '../../../src/store/db.js';
import { describeEachStore } from '../../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, submission, type World } from '../../support/world.js';

const NURSE = proActor('nurse');
const RUNS = 8;
/** documents deposited per record, then copied: records of TEMPLATES × (COPIES + 1) documents */
const TEMPLATES = 20;
const COPIES = 49;
const DOCUMENTS = TEMPLATES * (COPIES + 1);

describeEachStore("the document page's statement kept prepared", (db, kind) => {
  let w: World;
  const records: string[] = [];
  beforeAll(async () => {
    w = await makeWorld(db());
    for (let r = 0; r < 2; r++) {
      const { patientKey, ins } = await adultRecord(w);
      await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: NURSE.idNatPs, effect: 'permit' });
      const docs = Array.from({ length: TEMPLATES }, (_, i) => ({ typeCode: ['11488-4', '11490-0', '34112-3'][i % 3], creationTime: `202601${String(10 + (i % 18)).padStart(2, '0')}093000` }));
      await w.services.submissions.submit(as(proActor('doctor')), submission(ins, docs));
      await bulkCopy(db(), patientKey, COPIES);
      records.push(patientKey);
    }
    await db().query('ANALYZE');
  });

  /**
   * The page statements prepared on the store's connections: generic and custom plans, summed. A lane's next read
   * names the record's state first (WITH record_state_now ..., target AS: traced-read.ts).
   */
  async function pagePlans(): Promise<{ statements: number; generic: number; custom: number }> {
    const read = async (q: Queryable) =>
      (
        await q.query<{ generic: number; custom: number }>(
          "SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE statement LIKE 'WITH %target AS (%' AND statement LIKE '%AS page_total%'",
        )
      ).rows;
    let rows: Array<{ generic: number; custom: number }>;
    if (kind === 'pglite') rows = await read(db());
    else {
      // a prepared statement belongs to its connection: every connection of the pool (4) held at once, each read
      let arrived = 0;
      let all!: () => void;
      const together = new Promise<void>((resolve) => (all = resolve));
      const each = await Promise.all(
        Array.from({ length: 4 }, () =>
          db().transaction(async (tx) => {
            const mine = await read(tx);
            if (++arrived === 4) all();
            await together;
            return mine;
          }),
        ),
      );
      rows = each.flat();
    }
    return { statements: rows.length, generic: rows.reduce((n, r) => n + r.generic, 0), custom: rows.reduce((n, r) => n + r.custom, 0) };
  }

  it('is planned once and its generic plan kept, for a restricted professional and for the patient, with the same pages as a transaction reads', async () => {
    const [a, b] = records as [string, string];
    for (let i = 0; i < RUNS; i++) {
      for (const patientKey of [a, b]) {
        for (const caller of [as(NURSE), patientCaller(patientKey)]) {
          // one after another: each on a connection the last one left
          const page = await w.services.documents.findVersioned(caller, { patientKey }, { limit: 20, countTotal: true, statuses: ['Approved'] }, {}, () => []);
          expect(page.rows).toHaveLength(20);
          expect(page.total).toBe(DOCUMENTS);
        }
      }
    }
    const plans = await pagePlans();
    expect(plans.statements).toBeGreaterThan(0);
    // a statement runs 5 custom plans before PostgreSQL weighs the generic one; planned anew on
    // every run, it would have 0 generic plans
    expect(plans.generic).toBeGreaterThan(0);
    expect(plans.generic).toBeGreaterThan(plans.custom);
    // the same rows and order as find() reads in a transaction of its own
    const found = await w.services.documents.find(as(NURSE), { patientKey: a }, { limit: 20, countTotal: true, statuses: ['Approved'] });
    const page = await w.services.documents.findVersioned(as(NURSE), { patientKey: a }, { limit: 20, countTotal: true, statuses: ['Approved'] }, {}, () => []);
    expect(page.rows.map((r) => `urn:uuid:${r.entryUuid}`)).toEqual(found.entries.map((e) => e.entryUuid));
    expect(page.total).toBe(found.total);
  });
});
