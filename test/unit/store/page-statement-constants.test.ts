// The document page's statement (documentRowsSelect: ITI-67's page, its total and its relations
// column) writes the reader's allowed types and excluded statuses, the relation types and the
// page's size into its text, so that PostgreSQL keeps its generic plan (document-stream.ts,
// test/integration/store/page-generic-plan.test.ts). Only plain codes and whole numbers are
// written so; anything else goes as a parameter, and a request's own values (the statuses it
// asks for, the record, the reader's ids) always do.
import { describe, expect, it } from '@jest/globals';
import type { VisibilityFilter } from '../../../src/domain/visibility.js';
import type { DocumentQuery } from '../../../src/store/document-search.js';
import { documentRowsSelect } from '../../../src/store/document-stream.js';
import { relationsColumn } from '../../../src/store/relations-repo.js';
import { SqlParams } from '../../../src/store/sql-params.js';
import { constantList } from '../../../src/store/visibility-sql.js';
import { isUsualPageSize } from '../../../src/services/record-searches.js';

const KEY = '00000000-0000-4000-8000-000000000001';
const filter = (allowedTypeCodes: string[]): VisibilityFilter =>
  ({ kind: 'some', allowedTypeCodes, hiddenCodes: ['MASQUE_PS'], hiddenExemptAuthorIds: ['810000000004'], excludedStatuses: ['Deleted', 'Submitted'], onlyPatientAuthored: false }) as unknown as VisibilityFilter;
const query = (visibility: VisibilityFilter, limit: number, limitInText = true): DocumentQuery => ({ patientKey: KEY, visibility, statuses: ['Approved'], limit, limitInText, countTotal: true });

describe("the document page's statement", () => {
  it('plain codes and a whole size: in the text; the record, the asked statuses, the hidden codes and the reader stay parameters', () => {
    const p = new SqlParams();
    const v = filter(['11488-4', 'PRESC-BIO']);
    const sql = documentRowsSelect(p, query(v, 20), [], relationsColumn(v));
    expect(sql).toContain(`d.type_code = ANY(ARRAY['11488-4','PRESC-BIO']::text[])`);
    expect(sql).toContain(`rt.type_code = ANY(ARRAY['11488-4','PRESC-BIO']::text[])`);
    expect(sql).toContain(`d.status <> ALL(ARRAY['Deleted','Submitted']::text[])`);
    expect(sql).toContain(`a.type = ANY(ARRAY['RPLC','XFRM','APND','XFRM_RPLC','signs']::text[])`);
    expect(sql).toMatch(/ LIMIT 20$/);
    // the known versions (none), then for the page and its total the record, hidden codes, exempt
    // ids and asked statuses, then the relations' hidden codes and exempt ids
    const reader = [['MASQUE_PS'], ['810000000004']];
    expect(p.values).toEqual(['{}', KEY, ...reader, ['Approved'], KEY, ...reader, ['Approved'], ...reader]);
  });

  it('a code of any other character: its list as a parameter; a size not a whole number: a parameter', () => {
    const p = new SqlParams();
    const v = filter(['11488-4', "x'); DROP TABLE dmp; --"]);
    const sql = documentRowsSelect(p, query(v, 2.5), [], relationsColumn(v));
    expect(sql).not.toContain('DROP TABLE');
    expect(sql).not.toContain(`ARRAY['11488-4'`);
    expect(p.values).toContainEqual(['11488-4', "x'); DROP TABLE dmp; --"]);
    expect(sql).toMatch(/ LIMIT \$\d+$/);
    expect(p.values.at(-1)).toBe(2.5);
  });

  it('a whole size the service does not call usual: a parameter, so that no caller multiplies the kept texts', () => {
    const p = new SqlParams();
    const v = filter(['11488-4']);
    const sql = documentRowsSelect(p, query(v, 37, false), [], relationsColumn(v));
    expect(sql).toMatch(/ LIMIT \$\d+$/);
    expect(p.values.at(-1)).toBe(37);
    const texts = new Set(Array.from({ length: 101 }, (_, n) => documentRowsSelect(new SqlParams(), query(v, n, isUsualPageSize(n, { defaultPageSize: 20, maxPageSize: 100 })), [], relationsColumn(v))));
    // every _count from 0 to 100: the usual sizes' texts (10, 20, 25, 50, 100) and one for all the others
    expect(texts.size).toBe(6);
  });

  it('a list kept once made is found by its own codes only: two codes are not one code holding a NUL', () => {
    expect(constantList(['a', 'b'])).toBe(`ARRAY['a','b']`);
    expect(constantList(['a\u0000b'])).toBeUndefined();
    expect(constantList(['a', 'b'])).toBe(`ARRAY['a','b']`);
    expect(constantList(['a', "b'"])).toBeUndefined();
  });
});
