// ITI-18 FindDocuments without the whole answer in memory: the entryUUIDs alone (an ObjectRef
// answer needs nothing else), or the rows a page at a time through a cursor (a LeafClass answer
// written as it is read). The WHERE clause is documentWhere's, the caller's visibility filter
// always in it (ACC-08), and the order is the search's own.
import type { Queryable, Tx } from './db.js';
import { COLUMNS_BUT_METADATA, type DocumentRow } from './document-repo.js';
import { countDocuments, documentWhere, ORDER, type DocumentQuery, type PageColumn } from './document-search.js';
import { knownVersionsParam } from './known-versions.js';
import { SqlParams } from './sql-params.js';
import { EntryUuidList } from '../util/entry-uuid-list.js';

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

/**
 * The entryUUIDs a search finds as one row: `found`, how many (at most `cap`), and `ids`, the
 * bare UUIDs in the search's order joined by commas ('' when none; idsOf() keeps them so, in an
 * EntryUuidList that gives them their `urn:uuid:` form where they are written). One row of one
 * text rather than a row per id: the driver reads one field, not a thousand rows of one (an
 * ObjectRef answer needs the ids and nothing else). The ids are gathered by an ARRAY() of the
 * ordered, limited select: its elements come in the order of that select's own ORDER BY, so the
 * order is made once — by the index of that order when the plan reads it (no sort at all) — where
 * a numbering window then an ordered aggregate sorted the rows a second time. The OFFSET 0 keeps
 * the array made once: without it the planner pulls the subquery up and builds the array once per
 * column that reads it. The prefix is not added in SQL: a concatenation per row cost PostgreSQL a
 * fifth of this select's CPU run alone (docs/PERFORMANCE.md), and one replace over the joined text
 * where the ids are written does the same.
 */
export function documentIdsSelect(p: SqlParams, query: DocumentQuery, cap: number): string {
  // the reader's allowed types and excluded statuses as constants: tested on every one of up to
  // thousands of rows, a parameter's list costs far more there (visibility-sql.ts constantList)
  const where = documentWhere(query, p, { constantLists: true });
  const order = ORDER[query.sort ?? 'date-desc'];
  return `SELECT cardinality(s.a) AS found, array_to_string(s.a, ',') AS ids FROM (SELECT ARRAY(
      SELECT d.entry_uuid::text FROM document_entry d WHERE ${where} ORDER BY ${order} LIMIT ${p.add(cap)}) AS a OFFSET 0) s`;
}

/** A row of documentIdsSelect. */
export interface DocumentIdsRow {
  found: number;
  ids: string | null;
}

/** The ids of a documentIdsSelect row, in order, kept as the joined text it holds (a UUID's text has no comma). */
export const idsOf = (row: DocumentIdsRow | undefined): EntryUuidList => EntryUuidList.fromJoined(row?.ids ?? null, row?.found ?? 0);

/** The entryUUIDs a search finds, in its order, at most `cap`. */
export async function findDocumentIds(q: Queryable, query: DocumentQuery, cap: number): Promise<EntryUuidList> {
  const p = new SqlParams();
  const r = await q.query<DocumentIdsRow>(documentIdsSelect(p, query, cap), p.values);
  return idsOf(r.rows[0]);
}

/** How many entries a search finds, counted up to `cap` (enough to know it is past a limit). */
export async function countDocumentsUpTo(q: Queryable, query: DocumentQuery, cap: number): Promise<number> {
  const p = new SqlParams();
  const where = documentWhere(query, p);
  const r = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM document_entry d WHERE ${where} LIMIT ${p.add(cap)}) s`, p.values);
  return r.rows[0]!.n;
}

/** The known-version test: the row is at a version the reader said it knew. */
const knownTest = (knownParam: string) => `d.entry_uuid::text || ':' || d.xmin::text = ANY(${knownParam}::text[])`;

/**
 * The rows of a search's version-aware read: the row's version, and its columns only when the
 * reader does not know that version (`known`: `<entry_uuid>:<version>`). The OFFSET 0 keeps the
 * test inside the lateral subquery, run before its columns are made (see readDocumentPages).
 */
function versionedSelect(knownParam: string): { columns: string; from: string } {
  return {
    columns: `d.entry_uuid::text AS row_uuid, d.xmin::text AS row_version, f.entry_uuid IS NOT NULL AS row_read, f.*`,
    from: `document_entry d
     LEFT JOIN LATERAL (SELECT ${COLUMNS_BUT_METADATA}, d.metadata::text AS metadata
       WHERE NOT (${knownTest(knownParam)}) OFFSET 0) f ON true`,
  };
}

/**
 * One page of a search as findDocuments reads it — its total and its extra column in the same
 * statement — each row with the version of its row, and without its columns when the reader
 * said it knew that version (`known`, as readDocumentPages takes it).
 */
export async function findDocumentRows(
  q: Queryable,
  query: DocumentQuery,
  known: readonly string[],
  column?: PageColumn,
): Promise<DocumentRowsPage> {
  const p = new SqlParams();
  const r = await q.query<DocumentRowsRow>(documentRowsSelect(p, query, known, column), p.values);
  const page = documentRowsPage(r.rows, query);
  // as findDocuments: a page of no rows says nothing of the count past the first page
  if (query.countTotal && page.total === undefined) page.total = await countDocuments(q, query);
  return page;
}

export interface DocumentRowsPage {
  rows: PagedDocumentRow[];
  total?: number;
  column: unknown[];
}

/** A row of documentRowsSelect. */
export type DocumentRowsRow = PagedDocumentRow & { row_uuid: string; page_total?: number; page_column?: unknown };

/**
 * findDocumentRows' statement, on parameters added to `p`; `gate`, if given, is one more
 * condition of its WHERE (appendTraceWithRead's: the rows only if the trace row was written).
 */
export function documentRowsSelect(p: SqlParams, query: DocumentQuery, known: readonly string[], column?: PageColumn, gate?: string): string {
  const select = versionedSelect(p.add(knownVersionsParam(known)));
  // The reader's allowed types and excluded statuses as constants, and the page's size as a
  // number: so PostgreSQL keeps this statement's generic plan, where it planned it anew on every
  // request (0 generic plans in 400 runs on the bench's store). As parameters, the excluded
  // statuses made the generic plan's estimate of the record's rows 1 (`status <> ALL($n)` in a
  // store whose documents all have one status estimates to nothing), so it read and sorted the
  // whole record, and a LIMIT parameter is costed as a tenth of the rows: that plan cost more
  // than the custom ones, which cost PostgreSQL ~1.2 ms of planning per page
  // (docs/PERFORMANCE.md, "ITI-67's page planned once").
  const where = documentWhere(query, p, { constantLists: true });
  const total = query.countTotal ? `, (SELECT count(*)::int FROM document_entry d WHERE ${documentWhere(query, p, { constantLists: true })}) AS page_total` : '';
  const extra = column ? `, ${column(p)} AS page_column` : '';
  const limit = query.limit !== undefined ? ` LIMIT ${limitText(p, query.limit, query.limitInText)}` : '';
  const offset = query.offset ? ` OFFSET ${p.add(query.offset)}` : '';
  return `SELECT ${select.columns}${total}${extra} FROM ${select.from} WHERE ${where}${gate ? ` AND ${gate}` : ''} ORDER BY ${ORDER[query.sort ?? 'date-desc']}${limit}${offset}`;
}

/**
 * A page's size in a statement's text: a number when the service says it is one of its usual
 * sizes (DocumentQuery.limitInText: a few texts in all) and it is a whole number; any other size
 * a parameter, so that no caller can multiply the texts kept on every connection.
 */
function limitText(p: SqlParams, limit: number, inText: boolean | undefined): string {
  return inText && Number.isSafeInteger(limit) && limit >= 0 ? String(limit) : p.add(limit);
}

/**
 * The page of documentRowsSelect's rows. Its total is left undefined only when the total was
 * asked and a page of no rows cannot tell it (a page past the first, or of no rows asked): the
 * caller counts then.
 */
export function documentRowsPage(rows: DocumentRowsRow[], query: DocumentQuery): DocumentRowsPage {
  for (const row of rows) row.entry_uuid = row.row_uuid;
  const page: DocumentRowsPage = { rows, column: rows.map((row) => row.page_column) };
  if (query.countTotal) {
    const first = rows[0];
    if (first) page.total = Number(first.page_total);
    else if (!(query.offset || query.limit === 0)) page.total = 0;
  }
  return page;
}

const CURSOR = 'carnet_document_pages';

/**
 * A row of a streamed read: its entryUUID, the version of its row, and — only when the reader did
 * not know that version — the row's columns as one JSON text (`documentRowOf` reads it).
 */
export interface StreamedDocumentRow {
  entry_uuid: string;
  row_version: string;
  row_json: string | null;
}

/** The columns of a row read unknown, as toStoredEntry takes them (only such rows pay for it). */
export function documentRowOf(json: string): DocumentRow {
  const r = JSON.parse(json) as Omit<DocumentRow, 'stored_at' | 'status_changed_at'> & { stored_at: string; status_changed_at: string | null };
  return { ...r, stored_at: new Date(r.stored_at), status_changed_at: r.status_changed_at === null ? null : new Date(r.status_changed_at) };
}

/** The columns of COLUMNS_BUT_METADATA and the metadata, as one JSON object per row. */
const ROW_JSON = `json_build_object(${[
  ...COLUMNS_BUT_METADATA.split(',').map((c) => c.trim().replace(/::text$/, '')),
  'd.metadata',
]
  .map((c) => `'${c.slice(2)}', ${c}`)
  .join(', ')})::text`;

/**
 * Reads a search's rows a page at a time (`pages.first` rows, then `pages.next`), in its order, handing each page to `onPage` before
 * the next is fetched. A cursor, not keyset pages: one statement, so one snapshot for the whole
 * answer, as the single select it replaces had (pages of separate statements could show a
 * document twice or not at all when it is replaced meanwhile). The rows whose version the reader
 * already knows (`known`: `<entry_uuid>:<version>`) come as three short columns, their id, version
 * and a null: neither their columns made nor sent nor parsed. The others bring their columns as one
 * JSON text, parsed only if the reader needs the entry. (A row of a dozen null columns costs the
 * driver a dozen fields to read and an object of as many properties, a thousand times an answer:
 * a LeafClass answer held whole is almost only such rows.) The OFFSET 0 keeps the known-version
 * test inside the lateral subquery, as a filter run before its columns are made: pulled up into
 * the join (as PostgreSQL does without it), the metadata was turned into text for every row,
 * known or not, then dropped (EXPLAIN in `npm run bench -- scale`).
 */
export async function readDocumentPages(
  tx: Tx,
  query: DocumentQuery,
  pages: { first: number; next: number },
  known: readonly string[],
  onPage: (rows: StreamedDocumentRow[]) => void | Promise<void>,
): Promise<void> {
  const p = new SqlParams();
  const where = documentWhere(query, p);
  const knownParam = p.add(knownVersionsParam(known));
  await tx.query(
    `DECLARE ${CURSOR} NO SCROLL CURSOR FOR SELECT d.entry_uuid::text AS entry_uuid, d.xmin::text AS row_version, f.row_json
     FROM document_entry d LEFT JOIN LATERAL (SELECT ${ROW_JSON} AS row_json WHERE NOT (${knownTest(knownParam)}) OFFSET 0) f ON true
     WHERE ${where} ORDER BY ${ORDER[query.sort ?? 'date-desc']}`,
    p.values,
  );
  for (let size = pages.first; ; size = pages.next) {
    const n = Math.max(1, Math.floor(size));
    const page = await tx.query<StreamedDocumentRow>(`FETCH ${n} FROM ${CURSOR}`);
    if (page.rows.length) await onPage(page.rows);
    if (page.rows.length < n) break;
  }
  await tx.query(`CLOSE ${CURSOR}`);
}
