// The relations between documents (RPLC, XFRM, APND, XFRM_RPLC, signs) of many source entries in
// one query, keeping only those whose target the caller may see: the same visibility SQL as the
// searches, so a relatesTo never reveals a hidden document (ACC-08).
import type { AssociationType } from '../domain/model.js';
import type { VisibilityFilter } from '../domain/visibility.js';
import type { Queryable } from './db.js';
import { bareUuid } from './document-repo.js';
import { SqlParams } from './sql-params.js';
import { visibilitySql } from './visibility-sql.js';

export const RELATION_TYPES: readonly AssociationType[] = ['RPLC', 'XFRM', 'APND', 'XFRM_RPLC', 'signs'];

export interface DocumentRelation {
  /** urn:uuid: entryUUID of the entry that relates */
  sourceId: string;
  type: AssociationType;
  /** urn:uuid: entryUUID of the entry it relates to */
  targetId: string;
}

export async function findRelations(q: Queryable, patientKey: string, sourceIds: string[], visibility: VisibilityFilter): Promise<DocumentRelation[]> {
  if (sourceIds.length === 0) return [];
  const p = new SqlParams();
  const r = await q.query<{ source: string; type: AssociationType; target: string }>(
    `SELECT a.source_uuid::text AS source, a.type, a.target_uuid::text AS target
     FROM association a JOIN document_entry d ON d.patient_key = a.patient_key AND d.entry_uuid = a.target_uuid
     WHERE a.patient_key = ${p.add(patientKey)} AND a.source_uuid = ANY(${p.add(sourceIds.map(bareUuid))}::uuid[])
       AND a.type = ANY(${p.add([...RELATION_TYPES])}::text[]) AND a.status = 'Approved' AND ${visibilitySql(visibility, p)}
     ORDER BY a.stored_at, a.entry_uuid`,
    p.values,
  );
  return r.rows.map((row) => ({ sourceId: `urn:uuid:${row.source}`, type: row.type, targetId: `urn:uuid:${row.target}` }));
}
