// ITI-18 FindDocuments without the whole answer in memory: the entryUUIDs alone (an ObjectRef
// answer needs nothing else), or the rows a page at a time through a cursor (a LeafClass answer
// written as it is read). The WHERE clause is documentWhere's, the caller's visibility filter
// always in it (ACC-08), and the order is the search's own.
import type { Queryable, Tx } from './db.js';
import { COLUMNS_BUT_METADATA, documentWhere, ORDER, type DocumentQuery, type DocumentRow } from './document-repo.js';
import { SqlParams } from './sql-params.js';

/**
 * A row of a paged read: its entryUUID and the version of the row (the transaction that wrote
 * it: any change to the row writes a new one); the other columns are null when the reader said it
 * knew this version already.
 */
export interface PagedDocumentRow extends DocumentRow {
  row_version: string;
  /** false: the reader knew this version, its columns were not read */
  row_read: boolean;
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
 * Reads a search's rows a page at a time (`pages.first` rows, then `pages.next`), in its order, handing each page to `onPage` before
 * the next is fetched. A cursor, not keyset pages: one statement, so one snapshot for the whole
 * answer, as the single select it replaces had (pages of separate statements could show a
 * document twice or not at all when it is replaced meanwhile). The rows whose version the reader
 * already knows (`known`: `<entry_uuid>:<version>`) come without their columns, neither sent nor
 * parsed; the metadata comes as JSON text, parsed only if the reader needs the entry. The OFFSET 0
 * keeps the known-version test inside the lateral subquery, as a filter run before its columns
 * are made: pulled up into the join (as PostgreSQL does without it), the metadata was turned into
 * text for every row, known or not, then dropped (EXPLAIN in `npm run bench -- scale`).
 */
export async function readDocumentPages(
  tx: Tx,
  query: DocumentQuery,
  pages: { first: number; next: number },
  known: readonly string[],
  onPage: (rows: PagedDocumentRow[]) => void | Promise<void>,
): Promise<void> {
  const p = new SqlParams();
  const where = documentWhere(query, p);
  const knownParam = p.add(known);
  await tx.query(
    `DECLARE ${CURSOR} NO SCROLL CURSOR FOR
     SELECT d.entry_uuid::text AS row_uuid, d.xmin::text AS row_version, f.entry_uuid IS NOT NULL AS row_read, f.*
     FROM document_entry d
     LEFT JOIN LATERAL (SELECT ${COLUMNS_BUT_METADATA}, d.metadata::text AS metadata
       WHERE NOT (d.entry_uuid::text || ':' || d.xmin::text = ANY(${knownParam}::text[])) OFFSET 0) f ON true
     WHERE ${where} ORDER BY ${ORDER[query.sort ?? 'date-desc']}`,
    p.values,
  );
  for (let size = pages.first; ; size = pages.next) {
    const n = Math.max(1, Math.floor(size));
    const page = await tx.query<PagedDocumentRow & { row_uuid: string }>(`FETCH ${n} FROM ${CURSOR}`);
    for (const r of page.rows) r.entry_uuid = r.row_uuid;
    if (page.rows.length) await onPage(page.rows);
    if (page.rows.length < n) break;
  }
  await tx.query(`CLOSE ${CURSOR}`);
}
