// The relations between documents (RPLC, XFRM, APND, XFRM_RPLC, signs) of many source entries in
// one query, keeping only those whose target the caller may see: the same visibility SQL as the
// searches, so a relatesTo never reveals a hidden document (ACC-08).
import type { AssociationType } from '../domain/model.js';
import type { VisibilityFilter } from '../domain/visibility.js';
import type { Queryable } from './db.js';
import { bareUuid } from './document-repo.js';
import type { PageColumn } from './document-search.js';
import { SqlParams } from './sql-params.js';
import { constantList, visibilitySql } from './visibility-sql.js';

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

/**
 * findRelations as a column of a page of entries (findDocuments' `column`): each entry's relations
 * as a JSON array, in findRelations' order, under the same visibility filter — read in the page's
 * own statement rather than in one more round trip. `relationsOfPage` reads them back.
 */
export function relationsColumn(visibility: VisibilityFilter): PageColumn {
  // The relation types (the code's own) and the target's filter lists as constants, as in the
  // page's own WHERE (documentRowsSelect): a page statement whose generic plan PostgreSQL keeps
  return (p) => `(SELECT json_agg(json_build_object('type', a.type, 'target', a.target_uuid::text) ORDER BY a.stored_at, a.entry_uuid)
     FROM association a JOIN document_entry rt ON rt.patient_key = a.patient_key AND rt.entry_uuid = a.target_uuid
     WHERE a.patient_key = d.patient_key AND a.source_uuid = d.entry_uuid
       AND a.type = ANY(${RELATION_TYPES_CONSTANT ?? p.add([...RELATION_TYPES])}::text[]) AND a.status = 'Approved' AND ${visibilitySql(visibility, p, 'rt', false, { constantLists: true })})`;
}

const RELATION_TYPES_CONSTANT = constantList(RELATION_TYPES);

/** The relations of a page read with relationsColumn, by source entryUUID (entries without any left out). */
export function relationsOfPage(entryUuids: readonly string[], column: readonly unknown[]): Map<string, DocumentRelation[]> {
  const bySource = new Map<string, DocumentRelation[]>();
  entryUuids.forEach((sourceId, i) => {
    const raw = column[i];
    if (!raw) return;
    const rows = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<{ type: AssociationType; target: string }>;
    bySource.set(sourceId, rows.map((r) => ({ sourceId, type: r.type, targetId: `urn:uuid:${r.target}` })));
  });
  return bySource;
}
