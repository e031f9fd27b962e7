// ITI-18 FindDocuments without the whole answer in memory: the entryUUIDs alone (an ObjectRef
// answer needs nothing else), or the rows a page at a time through a cursor (a LeafClass answer
// written as it is read). The WHERE clause is documentWhere's, the caller's visibility filter
// always in it (ACC-08), and the order is the search's own.
import type { Queryable, Tx } from './db.js';
import { COLUMNS_BUT_METADATA, documentWhere, ORDER, type DocumentQuery, type DocumentRow } from './document-repo.js';
import { SqlParams } from './sql-params.js';

/** A row with what identifies this version of it: its entryUUID and the transaction that wrote it. */
export interface VersionedDocumentRow extends DocumentRow {
  /** `<entry_uuid>:<xmin>`: any change to the row (a status, a new latest version) writes a new one */
  row_version: string;
}

/** The entryUUIDs (`urn:uuid:…`) a search finds, in its order, at most `query.limit`. */
export async function findDocumentIds(q: Queryable, query: DocumentQuery): Promise<string[]> {
  const p = new SqlParams();
  const where = documentWhere(query, p);
  const limit = query.limit !== undefined ? ` LIMIT ${p.add(query.limit)}` : '';
  const r = await q.query<{ id: string }>(
    `SELECT 'urn:uuid:' || d.entry_uuid::text AS id FROM document_entry d WHERE ${where} ORDER BY ${ORDER[query.sort ?? 'date-desc']}${limit}`,
    p.values,
  );
  return r.rows.map((row) => row.id);
}

/** How many entries a search finds, counted up to `cap` (enough to know it is past a limit). */
export async function countDocumentsUpTo(q: Queryable, query: DocumentQuery, cap: number): Promise<number> {
  const p = new SqlParams();
  const where = documentWhere(query, p);
  const r = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM document_entry d WHERE ${where} LIMIT ${p.add(cap)}) s`, p.values);
  return r.rows[0]!.n;
}

const CURSOR = 'carnet_document_pages';

/**
 * Reads a search's rows `pageSize` at a time, in its order, handing each page to `onPage` before
 * the next is fetched. A cursor, not keyset pages: one statement, so one snapshot for the whole
 * answer, as the single select it replaces had (pages of separate statements could show a
 * document twice or not at all when it is replaced meanwhile). The metadata stays JSON text:
 * a page whose entries the reader already holds in its own form is not parsed.
 */
export async function readDocumentPages(tx: Tx, query: DocumentQuery, pageSize: number, onPage: (rows: VersionedDocumentRow[]) => void | Promise<void>): Promise<void> {
  const p = new SqlParams();
  const where = documentWhere(query, p);
  await tx.query(
    `DECLARE ${CURSOR} NO SCROLL CURSOR FOR SELECT ${COLUMNS_BUT_METADATA}, d.metadata::text AS metadata, d.entry_uuid::text || ':' || d.xmin::text AS row_version
     FROM document_entry d WHERE ${where} ORDER BY ${ORDER[query.sort ?? 'date-desc']}`,
    p.values,
  );
  for (;;) {
    const page = await tx.query<VersionedDocumentRow>(`FETCH ${Math.max(1, Math.floor(pageSize))} FROM ${CURSOR}`);
    if (page.rows.length) await onPage(page.rows);
    if (page.rows.length < pageSize) break;
  }
  await tx.query(`CLOSE ${CURSOR}`);
}
