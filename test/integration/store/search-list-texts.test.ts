// A search's lists of codes travel as array parameters, whatever their length, so that no caller
// makes a new statement text per request (code-criteria-sql.ts): a text is kept prepared from its
// second run (src/store/kept-statements.ts), so a text per list would run unnamed, parsed and
// planned every time (before that rule, each was kept and pushed out everyone else's).
// The same rows as before for every shape of list: codes with and without their system, groups
// ANDed, an empty group.
import { beforeAll, expect, it } from '@jest/globals';
import type { VisibilityFilter } from '../../../src/domain/visibility.js';
import type { Queryable } from '../../../src/store/db.js';
import { documentWhere, findDocuments, ORDER, type DocumentQuery } from '../../../src/store/document-search.js';
import { SqlParams } from '../../../src/store/sql-params.js';
import { findFolders } from '../../../src/store/folder-repo.js';
import { findSubmissionSets } from '../../../src/store/submission-set-repo.js';
import { describeEachStore } from '../../support/stores.js';
import { adultRecord, as, makeWorld, proActor, submission, uid, type World } from '../../support/world.js';

const ALL: VisibilityFilter = { kind: 'some', allowedTypeCodes: null, hiddenCodes: [], hiddenExemptAuthorIds: [], excludedStatuses: ['Deleted', 'Submitted'], emergency: false };
const EV = '1.2.250.1.999.7';
const OTHER = '1.2.250.1.999.8';

/** The texts a store is sent, and the store. */
function spying(db: Queryable): { q: Queryable; texts: Set<string> } {
  const texts = new Set<string>();
  return { texts, q: { query: (sql, params) => (texts.add(sql), db.query(sql, params)) } };
}

describeEachStore('search lists as array parameters', (db) => {
  let w: World;
  let patientKey: string;
  /** uniqueId by name */
  const u: Record<string, string> = {};
  let folderUid: string;

  beforeAll(async () => {
    w = await makeWorld(db());
    const rec = await adultRecord(w);
    patientKey = rec.patientKey;
    const doctor = proActor('doctor');
    const sub = submission(rec.ins, [{ authorId: doctor.idNatPs }, { authorId: doctor.idNatPs, typeCode: '34112-3' }, { authorId: doctor.idNatPs }]);
    const [a, b, c] = sub.documents.map((d) => d.metadata);
    a!.eventCodes = [{ code: 'E1', system: EV }, { code: 'E2', system: EV }];
    b!.eventCodes = [{ code: 'E1', system: OTHER }];
    c!.eventCodes = [{ code: 'E3', system: EV }];
    a!.referenceIds = ['ref-a^^^&1.2.3&ISO'];
    b!.referenceIds = ['ref-b^^^&1.2.3&ISO', 'ref-c^^^&1.2.3&ISO'];
    [u.a, u.b, u.c] = [a!.uniqueId, b!.uniqueId, c!.uniqueId];
    folderUid = uid();
    sub.folders = [{ id: 'Folder01', metadata: { uniqueId: folderUid, patientId: rec.ins, codeList: [{ code: 'F1', system: EV }] } }];
    sub.associations.push({ id: 'hmf', type: 'HasMember', sourceId: 'SubmissionSet01', targetId: 'Folder01', submissionSetStatus: 'Original' });
    await w.services.submissions.submit(as(doctor), sub);
  });

  const names = (uniqueIds: string[]) => Object.keys(u).filter((k) => uniqueIds.includes(u[k]!)).sort();
  const docs = async (q: Queryable, criteria: Partial<DocumentQuery>) =>
    names((await findDocuments(q, { patientKey, visibility: ALL, ...criteria })).entries.map((e) => e.uniqueId));

  it('type codes: any length, with or without systems, four texts in all (one code alone or with its system, several alone, several some with a system)', async () => {
    const { q, texts } = spying(db());
    expect(await docs(q, { typeCodes: [{ code: '34112-3' }] })).toEqual(['b']);
    expect(await docs(q, { typeCodes: [{ code: '34112-3' }, { code: 'X' }, { code: 'Y' }] })).toEqual(['b']);
    expect(await docs(q, { typeCodes: [{ code: '34112-3', system: '2.16.840.1.113883.6.1' }, { code: '11488-4' }] })).toEqual(['a', 'b', 'c']);
    expect(await docs(q, { typeCodes: [{ code: '11488-4' }, { code: '34112-3', system: 'no-such-system' }] })).toEqual(['a', 'c']);
    expect(await docs(q, { typeCodes: [{ code: '34112-3', system: 'no-such-system' }] })).toEqual([]);
    expect(await docs(q, { typeCodes: [{ code: '34112-3', system: '2.16.840.1.113883.6.1' }] })).toEqual(['b']);
    expect(await docs(q, { typeCodes: [{ code: 'X' }, { code: 'Y' }, { code: 'Z', system: 'S' }, { code: '11488-4' }] })).toEqual(['a', 'c']);
    expect(texts.size).toBe(4);
  });

  it('event codes and reference ids: groups ANDed, codes ORed within, one text per number of groups up to four and one past it, whatever the codes', async () => {
    const { q, texts } = spying(db());
    expect(await docs(q, { eventCodes: [[{ code: 'E1' }]] })).toEqual(['a', 'b']);
    expect(await docs(q, { eventCodes: [[{ code: 'E1', system: EV }]] })).toEqual(['a']);
    expect(await docs(q, { eventCodes: [[{ code: 'E1', system: EV }, { code: 'E3' }, { code: 'X' }]] })).toEqual(['a', 'c']);
    expect(texts.size).toBe(1);
    expect(await docs(q, { eventCodes: [[{ code: 'E1' }, { code: 'E3' }], [{ code: 'E2', system: EV }, { code: 'E3' }]] })).toEqual(['a', 'c']);
    expect(await docs(q, { eventCodes: [[{ code: 'E1' }], []] })).toEqual([]);
    expect(texts.size).toBe(2);
    expect(await docs(q, { eventCodes: [[{ code: 'E1' }], [{ code: 'E2' }], [{ code: 'E1', system: EV }]] })).toEqual(['a']);
    // past four groups, all of them in one JSON parameter: the same rows, one text for any number
    const five = [[{ code: 'E1' }], [{ code: 'E2' }], [{ code: 'E1', system: EV }], [{ code: 'E2', system: EV }], [{ code: 'E1' }, { code: 'X' }]];
    expect(await docs(q, { eventCodes: five })).toEqual(['a']);
    expect(await docs(q, { eventCodes: [...five, [{ code: 'E3' }]] })).toEqual([]);
    expect(await docs(q, { eventCodes: [...five, []] })).toEqual([]);
    expect(texts.size).toBe(4);
    const refs = spying(db());
    expect(await docs(refs.q, { referenceIdGroups: [['ref-a^^^&1.2.3&ISO', 'ref-b^^^&1.2.3&ISO']] })).toEqual(['a', 'b']);
    expect(await docs(refs.q, { referenceIdGroups: [['ref-b^^^&1.2.3&ISO'], ['ref-c^^^&1.2.3&ISO', 'x']] })).toEqual(['b']);
    expect(await docs(refs.q, { referenceIdGroups: [['ref-a^^^&1.2.3&ISO'], ['ref-c^^^&1.2.3&ISO']] })).toEqual([]);
    const fiveRefs = [['ref-b^^^&1.2.3&ISO'], ['ref-c^^^&1.2.3&ISO', 'x'], ['ref-b^^^&1.2.3&ISO'], ['ref-b^^^&1.2.3&ISO'], ['ref-c^^^&1.2.3&ISO']];
    expect(await docs(refs.q, { referenceIdGroups: fiveRefs })).toEqual(['b']);
    expect(await docs(refs.q, { referenceIdGroups: [...fiveRefs, ['ref-a^^^&1.2.3&ISO']] })).toEqual([]);
    expect(refs.texts.size).toBe(3);
  });

  it('event code groups stay filters of the document scan: no anti-join over the groups, the page read in its index order', async () => {
    // The groups as one JSON parameter under NOT EXISTS were an anti-join PostgreSQL estimated at
    // one row: a record's page then read its index row by row (two groups: 3.5 ms against 1.4).
    const p = new SqlParams();
    const where = documentWhere({ patientKey, visibility: ALL, eventCodes: [[{ code: 'E1', system: EV }, { code: 'E3' }], [{ code: 'E2' }]] }, p);
    const plan = await db().transaction(async (tx) => {
      await tx.exec('SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off');
      const r = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT d.entry_uuid FROM document_entry d WHERE ${where} ORDER BY ${ORDER['date-desc']} LIMIT 20`, p.values);
      return r.rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    expect(plan).not.toMatch(/Join|Sort|jsonb_array_elements/);
    expect(plan).toMatch(/Index Scan using document_entry_by_date_desc/);
  });

  it("folders' code lists and submission sets' content types: the same rows, one text whatever the lists", async () => {
    const { q, texts } = spying(db());
    const folders = async (codeList: Array<Array<{ code: string; system?: string }>>) =>
      (await findFolders(q, { patientKey, codeList })).map((f) => f.uniqueId);
    expect(await folders([[{ code: 'F1' }]])).toEqual([folderUid]);
    expect(await folders([[{ code: 'X' }, { code: 'F1', system: EV }], [{ code: 'F1' }]])).toEqual([folderUid]);
    expect(await folders([[{ code: 'F1', system: OTHER }]])).toEqual([]);
    expect(await folders([[{ code: 'F1', system: OTHER }], [{ code: 'F1' }]])).toEqual([]);
    expect(texts.size).toBe(2);
    const sets = spying(db());
    const found = async (contentTypeCodes: Array<{ code: string; system?: string }>) => (await findSubmissionSets(sets.q, { patientKey, contentTypeCodes })).length;
    expect(await found([{ code: '04' }, { code: 'X' }])).toBe(1);
    expect(await found([{ code: 'X' }, { code: '04', system: '1.2.250.1.213.1.1.4.2' }])).toBe(1);
    expect(await found([{ code: '04', system: OTHER }, { code: 'Y', system: OTHER }, { code: 'Z' }])).toBe(0);
    expect(await found([{ code: 'Y' }, { code: 'Z' }, { code: 'W' }])).toBe(0);
    expect(sets.texts.size).toBe(2);
  });

  it('a list of codes with their systems stays a filter of the document scan: no join with the list, the page read in its index order without a sort', async () => {
    // An EXISTS over the list's unnest() was pulled up by PostgreSQL into a semi-join with the
    // scan, and a page made of a join's rows was sorted whole: on a record of 1,000, a FHIR
    // category of two codes read and sorted every match (8 ms instead of 1.3).
    const p = new SqlParams();
    const where = documentWhere(
      { patientKey, visibility: ALL, classCodes: [{ code: '10', system: '1.2.250.1.213.1.1.4.1' }, { code: '11', system: '1.2.250.1.213.1.1.4.1' }] },
      p,
    );
    const plan = await db().transaction(async (tx) => {
      // a test record's few rows would be read whole whatever the statement: the index paths only
      await tx.exec('SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off');
      const r = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT d.entry_uuid FROM document_entry d WHERE ${where} ORDER BY ${ORDER['date-desc']} LIMIT 20`, p.values);
      return r.rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    expect(plan).not.toMatch(/Join|Sort|unnest/);
    expect(plan).toMatch(/Index Scan using document_entry_by_date_desc/);
    expect(await docs(db(), { classCodes: [{ code: '10', system: '1.2.250.1.213.1.1.4.1' }, { code: '11', system: 'no-such-system' }] })).toEqual(['a', 'b', 'c']);
  });
});
