// Folders: their versions, the documents they gain (their time moves on), their status, and how
// they are searched with each reader's time of the folder (folder-time-sql.ts, ACC-08). One of the
// registry's object kinds, each in its own file; the global lookups are in registry-repo.ts.
import type { AvailabilityStatus, FolderMetadata, StoredFolder } from '../domain/model.js';
import type { VisibilityFilter } from '../domain/visibility.js';
import type { Statement } from './combined-writes.js';
import type { Queryable } from './db.js';
import { codeJson, containedAnyOf, everyGroupSql } from './code-criteria-sql.js';
import { bareUuid } from './document-repo.js';
import { folderTimeSql } from './folder-time-sql.js';
import { jsonColumn } from './json-column.js';
import { SqlParams } from './sql-params.js';

export interface NewFolderVersion {
  patientKey: string;
  entryUuid: string;
  logicalId: string;
  version: number;
  status: AvailabilityStatus;
  metadata: FolderMetadata;
  lastUpdateTime: Date;
  storedAt: Date;
}

export function insertFolderVersionStatement(f: NewFolderVersion): Statement {
  return {
    sql: `INSERT INTO folder (patient_key, entry_uuid, logical_id, version, is_latest, unique_id, status, code_list, last_update_time, stored_at, metadata)
     VALUES ($1, $2, $3, $4, true, $5, $6, $7, $8, $9, $10)`,
    params: [f.patientKey, bareUuid(f.entryUuid), bareUuid(f.logicalId), f.version, f.metadata.uniqueId, f.status,
      f.metadata.codeList.map((c) => c.code), f.lastUpdateTime, f.storedAt, JSON.stringify(f.metadata)],
  };
}

export async function insertFolderVersion(q: Queryable, f: NewFolderVersion): Promise<void> {
  const st = insertFolderVersionStatement(f);
  await q.query(st.sql, st.params);
}

/**
 * A document filed into a folder moves the folder's lastUpdateTime forward. XDS carries it as a
 * DTM to the second, so a change within the second of the previous one is dated one second later:
 * every change stays visible to a consumer comparing the values it read (12323). The HasMember
 * link that filed `document` (written before) keeps the time it gave the folder: a reader is shown
 * only the times of the filings it may see (folder-time-sql.ts, ACC-08).
 */
export async function touchFolder(q: Queryable, patientKey: string, entryUuid: string, at: Date, document: string): Promise<void> {
  await q.query(
    `WITH moved AS (
       UPDATE folder SET last_update_time = GREATEST($3::timestamptz, date_trunc('second', last_update_time) + interval '1 second')
        WHERE patient_key = $1 AND entry_uuid = $2 RETURNING last_update_time)
     UPDATE association SET folder_time = (SELECT last_update_time FROM moved)
      WHERE patient_key = $1 AND source_uuid = $2 AND target_uuid = $4 AND type = 'HasMember' AND folder_time IS NULL`,
    [patientKey, bareUuid(entryUuid), at, bareUuid(document)],
  );
}

export async function markFolderNotLatest(q: Queryable, patientKey: string, entryUuid: string): Promise<void> {
  await q.query("UPDATE folder SET is_latest = false, status = 'Deprecated' WHERE patient_key = $1 AND entry_uuid = $2", [
    patientKey,
    bareUuid(entryUuid),
  ]);
}

export async function setFolderStatus(q: Queryable, patientKey: string, entryUuid: string, status: AvailabilityStatus): Promise<void> {
  await q.query('UPDATE folder SET status = $3 WHERE patient_key = $1 AND entry_uuid = $2', [patientKey, bareUuid(entryUuid), status]);
}

interface FolderRow {
  patient_key: string;
  entry_uuid: string;
  logical_id: string;
  version: number;
  status: AvailabilityStatus;
  last_update_time: Date;
  metadata: FolderMetadata | string;
}

function toFolder(r: FolderRow): StoredFolder {
  return {
    ...jsonColumn(r.metadata),
    entryUuid: `urn:uuid:${r.entry_uuid}`,
    logicalId: `urn:uuid:${r.logical_id}`,
    version: r.version,
    availabilityStatus: r.status,
    patientKey: r.patient_key,
    lastUpdateTime: new Date(r.last_update_time).toISOString(),
  };
}

export interface FolderQuery {
  patientKey: string;
  latestOnly?: boolean;
  entryUuids?: string[];
  logicalIds?: string[];
  uniqueIds?: string[];
  statuses?: AvailabilityStatus[];
  lastUpdateTimeFrom?: Date;
  lastUpdateTimeTo?: Date;
  /** AND across the outer list, OR within */
  codeList?: Array<Array<{ code: string; system?: string }>>;
  /** the reader: each folder's lastUpdateTime (shown, searched, sorted) is the one it is shown (folder-time-sql.ts) */
  visibility?: VisibilityFilter;
}

/** The folders `query` matches, each with the reader's time, as the text of a subquery `shown`. */
function shownFolders(query: FolderQuery, p: SqlParams): string {
  const add = (v: unknown) => p.add(v);
  const where = [`f.patient_key = ${add(query.patientKey)}`];
  // the reader's time (ACC-08), or the time every filing moved for the writers' own checks
  const time = query.visibility ? folderTimeSql(query.visibility, p) : 'f.last_update_time';
  if (query.latestOnly !== false) where.push('f.is_latest');
  if (query.entryUuids) where.push(`f.entry_uuid = ANY(${add(query.entryUuids.map(bareUuid))}::uuid[])`);
  if (query.logicalIds) where.push(`f.logical_id = ANY(${add(query.logicalIds.map(bareUuid))}::uuid[])`);
  if (query.uniqueIds) where.push(`f.unique_id = ANY(${add(query.uniqueIds)}::text[])`);
  if (query.statuses) where.push(`f.status = ANY(${add(query.statuses)}::text[])`);
  if (query.codeList?.length) {
    // a code with its system against the metadata's list, a code alone against the codes' column
    const member = (m: string) => `(CASE WHEN ${m} ? 'system' THEN f.metadata->'codeList' @> jsonb_build_array(${m}) ELSE (${m}->>'code') = ANY(f.code_list) END)`;
    const group = (g: readonly ReturnType<typeof codeJson>[]) =>
      `(f.code_list && ${add(g.filter((c) => !c.system).map((c) => c.code))}::text[] OR f.metadata->'codeList' @> ANY(${containedAnyOf({ add }, g.filter((c) => c.system))}))`;
    where.push(everyGroupSql({ add }, query.codeList.map((g) => g.map(codeJson)), group, member));
  }
  const range: string[] = [];
  if (query.lastUpdateTimeFrom) {
    const from = add(query.lastUpdateTimeFrom);
    range.push(`shown.last_update_time >= ${from}`);
    // a reader's time is never past the one every filing moved (folder-time-sql.ts): the folders
    // that one leaves out need no reader's time computed
    if (query.visibility) where.push(`f.last_update_time >= ${from}`);
  }
  if (query.lastUpdateTimeTo) range.push(`shown.last_update_time < ${add(query.lastUpdateTimeTo)}`);
  // OFFSET 0: the range is tested on each folder's time once computed, not pushed down to compute it again
  return `(SELECT f.patient_key::text, f.entry_uuid::text, f.logical_id::text, f.version, f.status, ${time} AS last_update_time, f.metadata
       FROM folder f WHERE ${where.join(' AND ')}${range.length ? ' OFFSET 0' : ''}) shown
     ${range.length ? `WHERE ${range.join(' AND ')}` : ''}`;
}

/**
 * The folders `query` matches, the latest reader's time first; `page` cuts them in the statement
 * (ITI-66: a record may hold thousands, the caller reads a page).
 */
export async function findFolders(q: Queryable, query: FolderQuery, page?: { offset: number; limit: number }): Promise<StoredFolder[]> {
  const p = new SqlParams();
  const shown = shownFolders(query, p);
  // the entryUUID orders folders of the same time alike on every page
  const cut = page ? ` LIMIT ${p.add(page.limit)} OFFSET ${p.add(page.offset)}` : '';
  const r = await q.query<FolderRow>(`SELECT * FROM ${shown} ORDER BY shown.last_update_time DESC${page ? ', shown.entry_uuid' : ''}${cut}`, p.values);
  return r.rows.map(toFolder);
}

/** How many folders `query` matches (a search's total: the reader's, when it names the reader). */
export async function countFolders(q: Queryable, query: FolderQuery): Promise<number> {
  const p = new SqlParams();
  const r = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${shownFolders(query, p)}`, p.values);
  return r.rows[0]!.n;
}

// ---- associations ----
