// Personal selections of documents (DOC-07): named lists of logical documents.
import type { Queryable } from './db.js';
import { bareUuid } from './document-repo.js';

export interface SelectionRow {
  selection_id: string;
  name: string;
  logical_ids: string[];
  created_at: Date;
  updated_at: Date;
}

export async function listSelections(q: Queryable, patientKey: string): Promise<SelectionRow[]> {
  const r = await q.query<SelectionRow>(
    'SELECT selection_id::text, name, logical_ids::text[] AS logical_ids, created_at, updated_at FROM document_selection WHERE patient_key = $1 ORDER BY name',
    [patientKey],
  );
  return r.rows;
}

export async function putSelection(q: Queryable, patientKey: string, s: { selectionId: string; name: string; logicalIds: string[]; now: Date }): Promise<void> {
  await q.query(
    `INSERT INTO document_selection (patient_key, selection_id, name, logical_ids, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
     ON CONFLICT (patient_key, selection_id) DO UPDATE SET name = excluded.name, logical_ids = excluded.logical_ids, updated_at = excluded.updated_at`,
    [patientKey, s.selectionId, s.name, s.logicalIds.map(bareUuid), s.now],
  );
}

export async function deleteSelection(q: Queryable, patientKey: string, selectionId: string): Promise<boolean> {
  const r = await q.query('DELETE FROM document_selection WHERE patient_key = $1 AND selection_id = $2', [patientKey, selectionId]);
  return r.rowCount > 0;
}
