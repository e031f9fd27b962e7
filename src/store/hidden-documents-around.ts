// TRACE-05 with ACC-08 (domain/history-visibility.ts `hiddenObjectsAround`): what the history
// needs to know of the objects around the documents a reader may not read. One statement: the
// versions whose document's latest version the reader's history filter does not admit, and every
// association or submission set that leads to one (an association with such an end, recursively;
// a submission set holding one by HasMember). Only these may not exist for the reader: the domain
// decides which, over the registry graph read around them (registry-graph.ts).
import type { VisibilityFilter } from '../domain/visibility.js';
import type { Queryable } from './db.js';
import { SqlParams } from './sql-params.js';
import { visibilitySql } from './visibility-sql.js';

export interface HiddenDocumentsAround {
  /** the versions hidden from the reader (bare lower-case entryUUIDs) */
  documents: Set<string>;
  /** the associations and submission sets that lead to one of them (bare lower-case entryUUIDs) */
  around: string[];
}

export async function hiddenDocumentsAround(q: Queryable, patientKey: string, filter: VisibilityFilter): Promise<HiddenDocumentsAround> {
  const p = new SqlParams();
  const key = p.add(patientKey);
  const r = await q.query<{ id: string; document: boolean }>(
    `WITH RECURSIVE hidden AS (
       SELECT d.entry_uuid FROM document_entry d
        WHERE d.patient_key = ${key}
          AND NOT EXISTS (SELECT 1 FROM document_entry h WHERE h.patient_key = d.patient_key AND h.logical_id = d.logical_id AND h.is_latest AND ${visibilitySql(filter, p, 'h', true)})
     ), up(id) AS (
       SELECT entry_uuid FROM hidden
       UNION
       SELECT v.id FROM association a JOIN up ON a.patient_key = ${key} AND (a.source_uuid = up.id OR a.target_uuid = up.id)
         CROSS JOIN LATERAL (VALUES (a.entry_uuid),
           (CASE WHEN a.type = 'HasMember' AND a.target_uuid = up.id
                  AND EXISTS (SELECT 1 FROM registry_object o WHERE o.entry_uuid = a.source_uuid AND o.patient_key = ${key} AND o.object_type = 'SubmissionSet')
                 THEN a.source_uuid END)) v(id)
        WHERE v.id IS NOT NULL
     )
     SELECT up.id::text AS id, EXISTS (SELECT 1 FROM hidden WHERE hidden.entry_uuid = up.id) AS document FROM up`,
    p.values,
  );
  return { documents: new Set(r.rows.filter((x) => x.document).map((x) => x.id)), around: r.rows.filter((x) => !x.document).map((x) => x.id) };
}
