// The allowed types and excluded statuses written into the text of ITI-18's ids statement
// (visibility-sql.ts constantList): plain codes only, each quoted as it is; a list holding any
// other character goes as a parameter, as it does in every other statement, so that nothing of a
// code is ever read as SQL. The hidden codes and the reader's own ids stay parameters.
import { describe, expect, it } from '@jest/globals';
import type { VisibilityFilter } from '../../../src/domain/visibility.js';
import { SqlParams } from '../../../src/store/sql-params.js';
import { visibilitySql } from '../../../src/store/visibility-sql.js';

const filter = (allowedTypeCodes: string[] | null, excludedStatuses: string[] = []): VisibilityFilter =>
  ({ kind: 'some', allowedTypeCodes, hiddenCodes: ['MASQUE_PS'], hiddenExemptAuthorIds: ['810000000001'], excludedStatuses, onlyPatientAuthored: false }) as unknown as VisibilityFilter;

describe('visibilitySql with constant lists', () => {
  it('plain codes: constant arrays in the text, no parameter for them; the hidden codes and the exempt authors stay parameters', () => {
    const p = new SqlParams();
    const sql = visibilitySql(filter(['11488-4', 'ATTEST-ASS-COMPL', 'PRESC_1.2:x'], ['Deleted', 'Submitted']), p, 'd', true, { constantLists: true });
    expect(sql).toContain(`d.type_code = ANY(ARRAY['11488-4','ATTEST-ASS-COMPL','PRESC_1.2:x']::text[])`);
    expect(sql).toContain(`d.status <> ALL(ARRAY['Deleted','Submitted']::text[])`);
    expect(p.values).toEqual([['MASQUE_PS'], ['810000000001']]);
  });

  it('any other character in one code: the whole list as a parameter', () => {
    for (const odd of ["x'); DROP TABLE dmp; --", 'a b', 'é', 'a\\b', '']) {
      const p = new SqlParams();
      const sql = visibilitySql(filter(['11488-4', odd], ['Deleted', odd]), p, 'd', true, { constantLists: true });
      expect(sql).not.toContain('ARRAY[');
      expect(p.values).toEqual([['11488-4', odd], ['MASQUE_PS'], ['810000000001'], ['Deleted', odd]]);
    }
  });

  it('without the option, or with no list or an empty one, as before', () => {
    const p = new SqlParams();
    expect(visibilitySql(filter(['11488-4'], ['Deleted']), p)).not.toContain('ARRAY[');
    expect(p.values).toEqual([['11488-4'], ['MASQUE_PS'], ['810000000001'], ['Deleted']]);
    const none = new SqlParams();
    expect(visibilitySql(filter(null), none, 'd', true, { constantLists: true })).not.toContain('type_code');
    const empty = new SqlParams();
    expect(visibilitySql(filter([]), empty, 'd', true, { constantLists: true })).not.toContain('ARRAY[');
    expect(empty.values).toEqual([[], ['MASQUE_PS'], ['810000000001']]);
  });
});
