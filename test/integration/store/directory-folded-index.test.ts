// The directory's family-name search folds case and accents in SQL (string-search-sql.ts); a
// national directory holds hundreds of thousands of professionals, so the prefix search must be
// served by the index on the folded names (migration 0093) and not read every row: before it, the
// fold made PGlite's search of 50,000 names 90 ms against 2 ms for the former lower(family) index.
// The plan is read with sequential scans disabled, so that a test store's few rows do not make a
// scan the cheaper plan; what is checked is that the search's expression is the index's.
import { expect, it } from '@jest/globals';
import { startsWithSql } from '../../../src/store/string-search-sql.js';
import { describeEachStore } from '../../support/stores.js';

describeEachStore('the directory search by family name', (db) => {
  it('reads the index of folded family names for a prefix, whatever case and accents the value has', async () => {
    for (const value of ['démo', 'DE\u0301MO']) {
      const params: unknown[] = [];
      const sql = `EXPLAIN SELECT id_nat_ps FROM professional WHERE ${startsWithSql((v) => `$${params.push(v)}`, 'family', value)}`;
      const plan = await db().transaction(async (tx) => {
        await tx.exec('SET LOCAL enable_seqscan = off');
        const r = await tx.query<{ 'QUERY PLAN': string }>(sql, params);
        return r.rows.map((row) => row['QUERY PLAN']).join('\n');
      });
      expect({ value, usesIndex: plan.includes('professional_by_folded_family'), prefix: /Index Cond: .*>=.*'demo'/.test(plan) }).toEqual({ value, usesIndex: true, prefix: true });
    }
  });
});
