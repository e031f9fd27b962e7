// PAT-01: the record's documents counted per category (classCode) and availability, in SQL and
// under the reader's visibility filter, so that a hidden document is never counted (ACC-08).
import type { DocumentQuery } from './document-search.js';
import { documentWhere } from './document-search.js';
import type { Queryable } from './db.js';
import { SqlParams } from './sql-params.js';

export interface ClassCount {
  classCode: string;
  /** the coding scheme of the class as deposited (the same for every document of a class) */
  system: string | null;
  display: string | null;
  /** current documents: Approved (not archived) */
  current: number;
  archived: number;
}

/** Latest versions only, Approved or Archived, grouped by class. */
export async function countByClass(q: Queryable, query: Pick<DocumentQuery, 'patientKey' | 'visibility'>): Promise<ClassCount[]> {
  const p = new SqlParams();
  const where = documentWhere({ ...query, statuses: ['Approved', 'Archived'] }, p);
  const r = await q.query<{ class_code: string; system: string | null; display: string | null; current: number; archived: number }>(
    `SELECT d.class_code, min(d.metadata->'classCode'->>'system') AS system, min(d.metadata->'classCode'->>'display') AS display,
       (count(*) FILTER (WHERE d.status = 'Approved'))::int AS current, (count(*) FILTER (WHERE d.status = 'Archived'))::int AS archived
     FROM document_entry d WHERE ${where} GROUP BY d.class_code ORDER BY d.class_code`,
    p.values,
  );
  return r.rows.map((row) => ({ classCode: row.class_code, system: row.system, display: row.display, current: row.current, archived: row.archived }));
}
