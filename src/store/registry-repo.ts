// Submission sets, folders, associations, and the global lookups that lead from an entryUUID or
// a uniqueId to the record that holds it.
import type {
  AssociationMetadata,
  AvailabilityStatus,
  FolderMetadata,
  StoredAssociation,
  StoredFolder,
  StoredSubmissionSet,
  SubmissionSetMetadata,
} from '../domain/model.js';
import type { VisibilityFilter } from '../domain/visibility.js';
import type { Statement } from './combined-writes.js';
import type { Queryable } from './db.js';
import { codeInListSql, codeJson, containedAnyOf, everyGroupSql } from './code-criteria-sql.js';
import { bareUuid } from './document-repo.js';
import { folderTimeSql } from './folder-time-sql.js';
import { SqlParams } from './sql-params.js';

export type RegistryObjectType = 'DocumentEntry' | 'SubmissionSet' | 'Folder' | 'Association';

export interface RegistryObjectRow {
  entryUuid: string;
  patientKey: string;
  type: RegistryObjectType;
}

/** The registry rows of several objects, one statement (a submission's, written together). */
export function registerObjectsStatement(rows: RegistryObjectRow[]): Statement {
  return {
    sql: 'INSERT INTO registry_object (entry_uuid, patient_key, object_type) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[])',
    params: [rows.map((r) => bareUuid(r.entryUuid)), rows.map((r) => r.patientKey), rows.map((r) => r.type)],
  };
}

export async function registerObject(q: Queryable, entryUuid: string, patientKey: string, type: RegistryObjectType): Promise<void> {
  await q.query('INSERT INTO registry_object (entry_uuid, patient_key, object_type) VALUES ($1, $2, $3)', [
    bareUuid(entryUuid),
    patientKey,
    type,
  ]);
}

export async function lookupObjects(q: Queryable, entryUuids: string[]): Promise<Array<{ entryUuid: string; patientKey: string; type: RegistryObjectType }>> {
  if (!entryUuids.length) return []; // nothing to ask: no round trip
  const r = await q.query<{ entry_uuid: string; patient_key: string; object_type: RegistryObjectType }>(
    'SELECT entry_uuid::text, patient_key::text, object_type FROM registry_object WHERE entry_uuid = ANY($1::uuid[])',
    [entryUuids.map(bareUuid)],
  );
  return r.rows.map((x) => ({ entryUuid: `urn:uuid:${x.entry_uuid}`, patientKey: x.patient_key, type: x.object_type }));
}

export interface UniqueIdRow {
  unique_id: string;
  patient_key: string;
  object_type: 'DocumentEntry' | 'SubmissionSet' | 'Folder';
  logical_id: string;
  sha1: string | null;
  size: number | null;
}

export async function lookupUniqueIds(q: Queryable, uniqueIds: string[]): Promise<UniqueIdRow[]> {
  const r = await q.query<UniqueIdRow>(
    'SELECT unique_id, patient_key::text, object_type, logical_id::text, sha1, size::int AS size FROM registry_unique_id WHERE unique_id = ANY($1::text[])',
    [uniqueIds],
  );
  return r.rows;
}

/** Several uniqueIds registered by one statement (a submission's, written together). */
export function registerUniqueIdsStatement(rows: UniqueIdRow[]): Statement {
  return {
    sql: `INSERT INTO registry_unique_id (unique_id, patient_key, object_type, logical_id, sha1, size)
      SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::bigint[])`,
    params: [
      rows.map((r) => r.unique_id),
      rows.map((r) => r.patient_key),
      rows.map((r) => r.object_type),
      rows.map((r) => bareUuid(r.logical_id)),
      rows.map((r) => r.sha1),
      rows.map((r) => r.size),
    ],
  };
}

export async function registerUniqueId(q: Queryable, row: UniqueIdRow): Promise<void> {
  await q.query(
    'INSERT INTO registry_unique_id (unique_id, patient_key, object_type, logical_id, sha1, size) VALUES ($1, $2, $3, $4, $5, $6)',
    [row.unique_id, row.patient_key, row.object_type, bareUuid(row.logical_id), row.sha1, row.size],
  );
}

function parse<T>(v: T | string): T {
  return typeof v === 'string' ? (JSON.parse(v) as T) : v;
}

// ---- submission sets ----

export interface NewSubmissionSet {
  patientKey: string;
  entryUuid: string;
  metadata: SubmissionSetMetadata;
  submissionTime: Date | null;
  authorIds: string[];
  submittedBy: string | null;
  storedAt: Date;
}

export function insertSubmissionSetStatement(s: NewSubmissionSet): Statement {
  return {
    sql: `INSERT INTO submission_set (patient_key, entry_uuid, unique_id, source_id, status, submission_time, content_type_code,
       author_ids, submitted_by, stored_at, metadata) VALUES ($1, $2, $3, $4, 'Approved', $5, $6, $7, $8, $9, $10)`,
    params: [s.patientKey, bareUuid(s.entryUuid), s.metadata.uniqueId, s.metadata.sourceId, s.submissionTime,
      s.metadata.contentTypeCode?.code ?? null, s.authorIds, s.submittedBy, s.storedAt, JSON.stringify(s.metadata)],
  };
}

export async function insertSubmissionSet(q: Queryable, s: NewSubmissionSet): Promise<void> {
  const st = insertSubmissionSetStatement(s);
  await q.query(st.sql, st.params);
}

export interface SubmissionSetRow {
  patient_key: string;
  entry_uuid: string;
  status: AvailabilityStatus;
  stored_at: Date;
  metadata: SubmissionSetMetadata | string;
}

export function toSubmissionSet(r: SubmissionSetRow): StoredSubmissionSet {
  return {
    ...parse(r.metadata),
    entryUuid: `urn:uuid:${r.entry_uuid}`,
    availabilityStatus: r.status,
    patientKey: r.patient_key,
    storedAt: new Date(r.stored_at).toISOString(),
  };
}

export interface SubmissionSetQuery {
  patientKey: string;
  entryUuids?: string[];
  uniqueIds?: string[];
  sourceIds?: string[];
  submissionTimeFrom?: Date;
  submissionTimeTo?: Date;
  contentTypeCodes?: Array<{ code: string; system?: string }>;
  statuses?: AvailabilityStatus[];
  authorPersons?: string[];
}

/** The conditions of `query` on submission_set row `s`, its values added to `p`. */
export function submissionSetWhere(query: SubmissionSetQuery, p: SqlParams): string {
  const add = (v: unknown) => p.add(v);
  const where = [`s.patient_key = ${add(query.patientKey)}`];
  if (query.entryUuids) where.push(`s.entry_uuid = ANY(${add(query.entryUuids.map(bareUuid))}::uuid[])`);
  if (query.uniqueIds) where.push(`s.unique_id = ANY(${add(query.uniqueIds)}::text[])`);
  if (query.sourceIds) where.push(`s.source_id = ANY(${add(query.sourceIds)}::text[])`);
  if (query.submissionTimeFrom) where.push(`s.submission_time >= ${add(query.submissionTimeFrom)}`);
  if (query.submissionTimeTo) where.push(`s.submission_time < ${add(query.submissionTimeTo)}`);
  if (query.statuses) where.push(`s.status = ANY(${add(query.statuses)}::text[])`);
  if (query.contentTypeCodes) where.push(codeInListSql({ add }, 's.content_type_code', `s.metadata->'contentTypeCode'->>'system'`, query.contentTypeCodes));
  if (query.authorPersons?.length) {
    where.push(`EXISTS (SELECT 1 FROM jsonb_array_elements(s.metadata->'authors') a WHERE a->'person'->>'raw' LIKE ANY(${add(query.authorPersons)}::text[]))`);
  }
  return where.join(' AND ');
}

/** What a submission set's row reads as (alias `s`), and the order sets are listed in: the latest submission first. */
export const SUBMISSION_SET_COLUMNS = 's.patient_key::text, s.entry_uuid::text, s.status, s.stored_at, s.metadata';
export const SUBMISSION_SET_ORDER = 's.submission_time DESC NULLS LAST, s.stored_at DESC';

export async function findSubmissionSets(q: Queryable, query: SubmissionSetQuery): Promise<StoredSubmissionSet[]> {
  const p = new SqlParams();
  const r = await q.query<SubmissionSetRow>(`SELECT ${SUBMISSION_SET_COLUMNS} FROM submission_set s WHERE ${submissionSetWhere(query, p)} ORDER BY ${SUBMISSION_SET_ORDER}`, p.values);
  return r.rows.map(toSubmissionSet);
}

// ---- folders ----

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
    ...parse(r.metadata),
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

export interface NewAssociation {
  patientKey: string;
  entryUuid: string;
  metadata: AssociationMetadata;
  status?: AvailabilityStatus;
  storedAt: Date;
}

export function insertAssociationStatement(a: NewAssociation): Statement {
  return {
    sql: `INSERT INTO association (patient_key, entry_uuid, type, source_uuid, target_uuid, status, submission_set_status, stored_at, metadata)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    params: [a.patientKey, bareUuid(a.entryUuid), a.metadata.type, bareUuid(a.metadata.sourceId), bareUuid(a.metadata.targetId),
      a.status ?? 'Approved', a.metadata.submissionSetStatus ?? null, a.storedAt, JSON.stringify(a.metadata)],
  };
}

export async function insertAssociation(q: Queryable, a: NewAssociation): Promise<void> {
  const st = insertAssociationStatement(a);
  await q.query(st.sql, st.params);
}

export async function setAssociationStatus(q: Queryable, patientKey: string, entryUuid: string, status: AvailabilityStatus): Promise<void> {
  await q.query('UPDATE association SET status = $3 WHERE patient_key = $1 AND entry_uuid = $2', [patientKey, bareUuid(entryUuid), status]);
}

interface AssociationRow {
  patient_key: string;
  entry_uuid: string;
  status: AvailabilityStatus;
  metadata: AssociationMetadata | string;
}

function toAssociation(r: AssociationRow): StoredAssociation {
  const m = parse(r.metadata);
  return {
    ...m,
    sourceId: m.sourceId.startsWith('urn:uuid:') ? m.sourceId : `urn:uuid:${m.sourceId}`,
    targetId: m.targetId.startsWith('urn:uuid:') ? m.targetId : `urn:uuid:${m.targetId}`,
    entryUuid: `urn:uuid:${r.entry_uuid}`,
    availabilityStatus: r.status,
    patientKey: r.patient_key,
  };
}

export interface AssociationQuery {
  patientKey: string;
  /** associations whose source or target is one of these */
  touching?: string[];
  sources?: string[];
  targets?: string[];
  types?: string[];
  entryUuids?: string[];
  statuses?: AvailabilityStatus[];
}

export async function findAssociations(q: Queryable, query: AssociationQuery): Promise<StoredAssociation[]> {
  const params: unknown[] = [query.patientKey];
  const add = (v: unknown) => `$${params.push(v)}`;
  const where = ['a.patient_key = $1'];
  if (query.touching) {
    const ids = add(query.touching.map(bareUuid));
    where.push(`(a.source_uuid = ANY(${ids}::uuid[]) OR a.target_uuid = ANY(${ids}::uuid[]))`);
  }
  if (query.sources) where.push(`a.source_uuid = ANY(${add(query.sources.map(bareUuid))}::uuid[])`);
  if (query.targets) where.push(`a.target_uuid = ANY(${add(query.targets.map(bareUuid))}::uuid[])`);
  if (query.types) where.push(`a.type = ANY(${add(query.types)}::text[])`);
  if (query.entryUuids) where.push(`a.entry_uuid = ANY(${add(query.entryUuids.map(bareUuid))}::uuid[])`);
  if (query.statuses) where.push(`a.status = ANY(${add(query.statuses)}::text[])`);
  const r = await q.query<AssociationRow>(
    `SELECT a.patient_key::text, a.entry_uuid::text, a.status, a.metadata FROM association a WHERE ${where.join(' AND ')} ORDER BY a.stored_at, a.entry_uuid`,
    params,
  );
  return r.rows.map(toAssociation);
}
