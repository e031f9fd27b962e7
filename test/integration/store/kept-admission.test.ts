// A caller going through the combinations of a search's criteria makes a new statement text per
// request (each criterion present or not changes the text). A text is kept prepared only from its
// second run among those run lately, and texts kept but never run again are pushed out before
// those run again (src/store/kept-statements.ts): such a caller must leave ITI-67's page, which
// every reader's request runs, prepared as it was (the same statement, no new custom plan), and
// keep none of its own texts. On one connection (PostgreSQL: a pool of one on the test store's
// schema), where the statements counted are the ones the requests ran on.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { VisibilityFilter } from '../../../src/domain/visibility.js';
import type { Db } from '../../../src/store/db.js';
import { documentWhere } from '../../../src/store/document-search.js';
import { SqlParams } from '../../../src/store/sql-params.js';
import type { DocumentCriteria } from '../../../src/services/documents.js';
import type { Services } from '../../../src/services/index.js';
import { describeEachStore } from '../../support/stores.js';
import { adultRecord, as, makeWorld, patientCaller, proActor, servicesOn, submission, type World } from '../../support/world.js';

const NURSE = proActor('nurse');
const HOT: DocumentCriteria = { limit: 20, countTotal: true, statuses: ['Approved'] };
const DAY = new Date('2026-01-15T00:00:00Z');
const ALL: VisibilityFilter = { kind: 'some', allowedTypeCodes: null, hiddenCodes: [], hiddenExemptAuthorIds: [], excludedStatuses: [], emergency: false };

/** The i-th combination (1 to 2^11 - 1) of eleven criteria, each present or not: a text of its own. */
function combination(i: number): DocumentCriteria {
  const c: DocumentCriteria = { ...HOT };
  const on = (bit: number) => (i & (1 << bit)) !== 0;
  if (on(0)) c.typeCodes = [{ code: '11488-4' }];
  if (on(1)) c.classCodes = [{ code: '10' }];
  if (on(2)) c.formatCodes = [{ code: 'urn:ihe:iti:xds:2017:mimeTypeSufficient' }];
  if (on(3)) c.facilityTypeCodes = [{ code: 'SA01' }];
  if (on(4)) c.practiceSettingCodes = [{ code: 'AMBULATOIRE' }];
  if (on(5)) c.creationFrom = DAY;
  if (on(6)) c.creationTo = DAY;
  if (on(7)) c.serviceStartFrom = DAY;
  if (on(8)) c.serviceStartTo = DAY;
  if (on(9)) c.authorFamily = 'a';
  if (on(10)) c.storedFrom = DAY;
  return c;
}

describeEachStore('a caller making a new statement text per request', (db, kind) => {
  let w: World;
  let patientKey: string;
  /** the services on one connection */
  let one: Services;
  let oneDb: Db;

  beforeAll(async () => {
    w = await makeWorld(db());
    const rec = await adultRecord(w);
    patientKey = rec.patientKey;
    await w.services.consent.addGrant(patientCaller(patientKey), patientKey, { subjectKind: 'professional', subjectId: NURSE.idNatPs, effect: 'permit' });
    await w.services.submissions.submit(as(proActor('doctor')), submission(rec.ins, [{}, {}, {}]));
    if (kind === 'pglite') oneDb = db();
    else {
      const { openPostgres } = await import('../../../src/store/pg-db.js');
      const schema = (await db().query<{ s: string }>('SELECT current_schema() AS s')).rows[0]!.s;
      oneDb = openPostgres({ connectionString: process.env.DATABASE_URL!, maxConnections: 1, schema });
    }
    one = servicesOn(oneDb, w.clock);
  });

  afterAll(async () => {
    if (oneDb && oneDb !== db()) await oneDb.close();
  });

  const page = (criteria: DocumentCriteria) => one.documents.findVersioned(as(NURSE), { patientKey }, criteria, {}, () => []);

  /**
   * ITI-67's page statements prepared on the connection (the hot one and the caller's, all of the same shape). A lane's next read
   * names the record's state first (WITH record_state_now ..., target AS: traced-read.ts).
   */
  const pages = async () =>
    (
      await oneDb.query<{ name: string; generic: number; custom: number }>(
        "SELECT name, generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE statement LIKE 'WITH %target AS (%' AND statement LIKE '%AS page_total%' ORDER BY name",
      )
    ).rows;

  it('1,023 combinations sent once each, then each of another 600 sent twice (more than the 500 a connection keeps): the page every reader runs stays prepared with its generic plan, no text sent once is kept', async () => {
    // the combinations make distinct texts: their conditions differ
    const texts = new Set(Array.from({ length: 2047 }, (_, i) => documentWhere({ patientKey, visibility: ALL, ...combination(i + 1) }, new SqlParams())));
    expect(texts.size).toBe(2047);

    for (let i = 0; i < 8; i++) expect((await page(HOT)).rows).toHaveLength(3);
    const [hot, ...others] = await pages();
    expect(others).toEqual([]);
    // its generic plan after 5 custom ones
    expect(hot).toEqual({ name: expect.any(String), generic: expect.any(Number), custom: 5 });
    expect(hot!.generic).toBeGreaterThan(0);
    /** the page, run once more: the same statement, its generic plan, no new custom one */
    const stillPrepared = async () => {
      expect((await page(HOT)).rows).toHaveLength(3);
      const now = await pages();
      expect(now.find((p) => p.name === hot!.name)).toEqual({ ...hot, generic: ++hot!.generic });
      return now;
    };

    // each combination once: none kept
    for (let i = 1; i < 1024; i++) await page(combination(i));
    expect((await stillPrepared()).length).toBe(1);

    // each combination twice (the second run keeps it): they push out each other, not the page
    // run again and again
    for (let i = 1024; i < 1624; i++) {
      await page(combination(i));
      await page(combination(i));
    }
    const after = await stillPrepared();
    // and within the bound
    expect(after.length).toBeLessThanOrEqual(500);
  });
});
