// The allowed types written into the text of ITI-18's ids statement (visibility-sql.ts
// typesConstant): plain codes only, each quoted as it is; a list holding any other character goes
// as a parameter, as it does in every other statement, so that nothing of a code is ever read as SQL.
import { describe, expect, it } from '@jest/globals';
import type { VisibilityFilter } from '../../../src/domain/visibility.js';
import { SqlParams } from '../../../src/store/sql-params.js';
import { visibilitySql } from '../../../src/store/visibility-sql.js';

const filter = (allowedTypeCodes: string[] | null): VisibilityFilter =>
  ({ kind: 'some', allowedTypeCodes, hiddenCodes: [], hiddenExemptAuthorIds: [], excludedStatuses: [], onlyPatientAuthored: false }) as unknown as VisibilityFilter;

describe('visibilitySql with the allowed types inline', () => {
  it('plain codes: a constant array in the text, no parameter for them', () => {
    const p = new SqlParams();
    const sql = visibilitySql(filter(['11488-4', 'ATTEST-ASS-COMPL', 'PRESC_1.2:x']), p, 'd', true, { typesInline: true });
    expect(sql).toContain(`d.type_code = ANY(ARRAY['11488-4','ATTEST-ASS-COMPL','PRESC_1.2:x']::text[])`);
    expect(p.values).toEqual([]);
  });

  it('any other character in one code: the whole list as a parameter', () => {
    for (const odd of ["x'); DROP TABLE dmp; --", 'a b', 'é', 'a\\b', '']) {
      const p = new SqlParams();
      const sql = visibilitySql(filter(['11488-4', odd]), p, 'd', true, { typesInline: true });
      expect(sql).not.toContain('ARRAY[');
      expect(p.values).toEqual([['11488-4', odd]]);
    }
  });

  it('without the option, or with no list or an empty one, as before', () => {
    const p = new SqlParams();
    expect(visibilitySql(filter(['11488-4']), p)).not.toContain('ARRAY[');
    expect(p.values).toEqual([['11488-4']]);
    const none = new SqlParams();
    expect(visibilitySql(filter(null), none, 'd', true, { typesInline: true })).not.toContain('type_code');
    const empty = new SqlParams();
    expect(visibilitySql(filter([]), empty, 'd', true, { typesInline: true })).not.toContain('ARRAY[');
    expect(empty.values).toEqual([[]]);
  });
});
