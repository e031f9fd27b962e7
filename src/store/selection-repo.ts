// Personal selections of documents (DOC-07): named lists of logical documents, and what each
// change touched (migration 0086: each reader's version, domain/selection-versions.ts).
import type { SelectionChange } from '../domain/selection-versions.js';
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

/** The changes of a record's selections since migration 0086, oldest first, by selection. */
export async function listSelectionChanges(q: Queryable, patientKey: string): Promise<Map<string, SelectionChange[]>> {
  const r = await q.query<{ selection_id: string; changed_at: Date | string; renamed: boolean; touched: string[] }>(
    `SELECT selection_id::text, changed_at, renamed, touched::text[] AS touched FROM document_selection_change
     WHERE patient_key = $1 ORDER BY changed_at`,
    [patientKey],
  );
  const by = new Map<string, SelectionChange[]>();
  for (const row of r.rows) {
    const list = by.get(row.selection_id) ?? [];
    list.push({ at: new Date(row.changed_at), renamed: row.renamed, touched: row.touched });
    by.set(row.selection_id, list);
  }
  return by;
}

/** One change of a selection, in the transaction that made it (migration 0086). */
export async function insertSelectionChange(q: Queryable, patientKey: string, selectionId: string, change: SelectionChange): Promise<void> {
  await q.query('INSERT INTO document_selection_change (patient_key, selection_id, changed_at, renamed, touched) VALUES ($1, $2, $3, $4, $5)', [
    patientKey,
    selectionId,
    change.at,
    change.renamed,
    change.touched.map(bareUuid),
  ]);
}
