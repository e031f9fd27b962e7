// ITI-66: the submission sets of a record that a reader may see (ACC-08), paged and counted in
// SQL. Any depositing professional adds a set to the record with each deposit, so a search must
// not read every set there is to answer a page. domain/known-objects.ts hides a set whose every
// member leading to a document is hidden; SQL settles most sets alone, by the same rule:
//   - a set with a HasMember target that is a document the reader may see is known (that member is);
//   - a set none of whose HasMember targets is a document or an association leads to no document,
//     and is known.
// The others (a set of links only, or of hidden documents only) are read and judged on their own
// graph by knownObjects; the page is cut among the settled ones and those the judgement kept.
import type { StoredSubmissionSet } from '../domain/model.js';
import type { VisibilityFilter } from '../domain/visibility.js';
import type { Queryable } from './db.js';
import { bareUuid } from './document-repo.js';
import { SUBMISSION_SET_COLUMNS, SUBMISSION_SET_ORDER, submissionSetWhere, toSubmissionSet, type SubmissionSetQuery, type SubmissionSetRow } from './submission-set-repo.js';
import { SqlParams } from './sql-params.js';
import { visibilitySql } from './visibility-sql.js';

export interface KnownSetsQuery extends SubmissionSetQuery {
  /** the reader */
  visibility: VisibilityFilter;
  /** every set is judged outside SQL (a criterion SQL cannot test, such as an author's name search): none is settled here */
  judgeAll?: boolean;
}

/** Whether SQL settles set `s` as known to the reader (see the head of this file). */
function settledKnownSql(visibility: VisibilityFilter, p: SqlParams): string {
  const member = `m.patient_key = s.patient_key AND m.source_uuid = s.entry_uuid AND m.type = 'HasMember'`;
  return `(EXISTS (SELECT 1 FROM association m JOIN document_entry d ON d.patient_key = m.patient_key AND d.entry_uuid = m.target_uuid
                    WHERE ${member} AND ${visibilitySql(visibility, p, 'd')})
        OR NOT EXISTS (SELECT 1 FROM association m JOIN registry_object o ON o.patient_key = m.patient_key AND o.entry_uuid = m.target_uuid
                    WHERE ${member} AND o.object_type IN ('DocumentEntry', 'Association')))`;
}

/** The sets matching `query` that SQL does not settle for the reader: those to judge on their graph. */
export async function setsToJudge(q: Queryable, query: KnownSetsQuery): Promise<StoredSubmissionSet[]> {
  const p = new SqlParams();
  const where = submissionSetWhere(query, p);
  const unsettled = query.judgeAll ? '' : ` AND NOT ${settledKnownSql(query.visibility, p)}`;
  const r = await q.query<SubmissionSetRow>(`SELECT ${SUBMISSION_SET_COLUMNS} FROM submission_set s WHERE ${where}${unsettled} ORDER BY ${SUBMISSION_SET_ORDER}`, p.values);
  return r.rows.map(toSubmissionSet);
}

/**
 * The page of the sets matching `query` that the reader may see (settled in SQL, or among `judgedKnown`),
 * the latest submission first, and how many there are in all.
 */
export async function pageOfKnownSets(
  q: Queryable,
  query: KnownSetsQuery,
  judgedKnown: string[],
  page?: { offset: number; limit: number },
): Promise<{ sets: StoredSubmissionSet[]; total: number }> {
  const known = (p: SqlParams) => {
    const judged = `s.entry_uuid = ANY(${p.add(judgedKnown.map(bareUuid))}::uuid[])`;
    return `${submissionSetWhere(query, p)} AND ${query.judgeAll ? judged : `(${judged} OR ${settledKnownSql(query.visibility, p)})`}`;
  };
  const p = new SqlParams();
  const where = known(p);
  // the entryUUID orders sets of the same times alike on every page
  const cut = page ? `, s.entry_uuid LIMIT ${p.add(page.limit)} OFFSET ${p.add(page.offset)}` : '';
  const r = await q.query<SubmissionSetRow>(`SELECT ${SUBMISSION_SET_COLUMNS} FROM submission_set s WHERE ${where} ORDER BY ${SUBMISSION_SET_ORDER}${cut}`, p.values);
  const sets = r.rows.map(toSubmissionSet);
  if (!page) return { sets, total: sets.length };
  const c = new SqlParams();
  const counted = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM submission_set s WHERE ${known(c)}`, c.values);
  return { sets, total: counted.rows[0]!.n };
}
