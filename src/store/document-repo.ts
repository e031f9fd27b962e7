// Document entries (one row per metadata version) and their content. Searches always go
// through `findDocuments`, which ANDs the caller's visibility filter into the SQL so that
// counts and pages only ever see permitted rows (ACC-08). An entry read for a decision comes with
// the lineage it follows (ACC-09), read by the same SQL as the visibility filter's.
import type { LineageGate, MemberFacts } from '../domain/lineage.js';
import type { VisibilityFilter } from '../domain/visibility.js';
import type { AvailabilityStatus, DocumentEntryMetadata, StoredDocumentEntry } from '../domain/model.js';
import type { Queryable } from './db.js';
import type { Statement } from './combined-writes.js';
import { codeInListSql, codeJson, containedAnyOf, everyGroupSql } from './code-criteria-sql.js';
import { SqlParams } from './sql-params.js';
import { currentMemberSql, latestVersionSql, visibilitySql, type VisibilitySqlOptions } from './visibility-sql.js';

export interface DocumentRow {
  patient_key: string;
  entry_uuid: string;
  logical_id: string;
  version: number;
  is_latest: boolean;
  unique_id: string;
  status: AvailabilityStatus;
  submitted_by: string | null;
  submitted_by_structure: string | null;
  authored_by_patient: boolean;
  submission_set_uuid: string;
  content_sha256: string | null;
  stored_at: Date;
  status_changes: number;
  status_changed_at: Date | null;
  confidentiality: string[];
  metadata: DocumentEntryMetadata | string;
  /** with LINEAGE_COLUMNS: the member facts of the document's latest version and of the lineage's current member */
  lineage_latest?: MemberFacts | string | null;
  lineage_current?: MemberFacts | string | null;
}

/** The columns toStoredEntry reads but the metadata (document-stream.ts reads them too, with the metadata as text). */
export const COLUMNS_BUT_METADATA = `d.patient_key::text, d.entry_uuid::text, d.logical_id::text, d.version, d.is_latest, d.unique_id, d.status,
  d.submitted_by, d.submitted_by_structure, d.authored_by_patient, d.submission_set_uuid::text, d.content_sha256,
  d.stored_at, d.status_changes, d.status_changed_at, d.confidentiality`;

const COLUMNS = `${COLUMNS_BUT_METADATA}, d.metadata`;

/** The facts the visibility rule reads of the one-row subquery `alias` (see MemberFacts). */
const memberJson = (alias: string) =>
  `json_build_object('typeCode', ${alias}.type_code, 'confidentiality', ${alias}.confidentiality, 'status', ${alias}.status,
    'authorIds', ${alias}.author_ids, 'authoredByPatient', ${alias}.authored_by_patient)`;

/** ACC-09: what an entry read for a decision carries besides itself. */
const LINEAGE_COLUMNS = `(SELECT ${memberJson('lineage_latest')} FROM ${latestVersionSql('d', 'lineage_latest')}) AS lineage_latest,
  (SELECT ${memberJson('lineage_current')} FROM ${currentMemberSql('d', 'lineage_current')}) AS lineage_current`;

const ENTRY_FOR_DECISION = `SELECT ${COLUMNS}, ${LINEAGE_COLUMNS} FROM document_entry d`;

function parsed<T>(v: T | string): T {
  return typeof v === 'string' ? (JSON.parse(v) as T) : v;
}

/** Only entries read with LINEAGE_COLUMNS carry their lineage; the others are read by nobody (record.ts). */
function lineageOf(r: DocumentRow): LineageGate | undefined {
  if (!r.lineage_latest) return undefined;
  return { latest: parsed(r.lineage_latest), current: r.lineage_current ? parsed(r.lineage_current) : null };
}

export function toStoredEntry(r: DocumentRow): StoredDocumentEntry {
  const metadata = typeof r.metadata === 'string' ? (JSON.parse(r.metadata) as DocumentEntryMetadata) : r.metadata;
  const lineage = lineageOf(r);
  return {
    ...metadata,
    entryUuid: `urn:uuid:${r.entry_uuid}`,
    logicalId: `urn:uuid:${r.logical_id}`,
    version: r.version,
    availabilityStatus: r.status,
    latest: r.is_latest,
    patientKey: r.patient_key,
    submittedBy: r.submitted_by,
    submittedByStructure: r.submitted_by_structure,
    authoredByPatient: r.authored_by_patient,
    submissionSetUuid: `urn:uuid:${r.submission_set_uuid}`,
    storedAt: new Date(r.stored_at).toISOString(),
    ...(r.status_changes ? { statusChanges: r.status_changes } : {}),
    ...(r.status_changed_at ? { statusChangedAt: new Date(r.status_changed_at).toISOString() } : {}),
    contentKey: r.content_sha256,
    ...(lineage ? { lineage } : {}),
  };
}

/** `urn:uuid:x` or `x` -> `x` (the database stores bare UUIDs). */
export function bareUuid(id: string): string {
  return id.toLowerCase().startsWith('urn:uuid:') ? id.slice(9) : id;
}

export interface NewEntryVersion {
  patientKey: string;
  entryUuid: string;
  logicalId: string;
  version: number;
  status: AvailabilityStatus;
  metadata: DocumentEntryMetadata;
  /** derived, normalised columns the rules and searches use */
  typeCode: string;
  classCode: string;
  confidentiality: string[];
  authorIds: string[];
  authorStructures: string[];
  authoredByPatient: boolean;
  submittedBy: string | null;
  submittedByStructure: string | null;
  submissionSetUuid: string;
  contentSha256: string | null;
  creationTime: Date | null;
  serviceStartTime: Date | null;
  serviceStopTime: Date | null;
  storedAt: Date;
}

function lowerNames(m: DocumentEntryMetadata, part: 'family' | 'given'): string[] {
  return m.authors.map((a) => a.person?.[part]?.toLowerCase()).filter((v): v is string => !!v);
}

const ENTRY_COLUMNS = `INSERT INTO document_entry (patient_key, entry_uuid, logical_id, version, is_latest, unique_id, status, mime_type,
       type_code, class_code, format_code, facility_type_code, practice_setting_code, confidentiality, event_codes,
       reference_ids, author_ids, author_structures, author_family, author_given, authored_by_patient, creation_time,
       service_start_time, service_stop_time, submitted_by, submitted_by_structure, submission_set_uuid, content_sha256,
       stored_at, metadata, lineage_id, lineage_generation, lineage_shared)
     VALUES ($1, $2, $3, $4, true, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
       $23, $24, $25, $26, $27, $28, $29,`;

/** A later version: its document's place in the lineage, read from the versions already stored. */
const LATER_VERSION_SQL = `${ENTRY_COLUMNS}
       COALESCE((SELECT p.lineage_id FROM document_entry p WHERE p.patient_key = $1 AND p.logical_id = $3 LIMIT 1), $3),
       COALESCE((SELECT p.lineage_generation FROM document_entry p WHERE p.patient_key = $1 AND p.logical_id = $3 LIMIT 1), 1),
       COALESCE((SELECT p.lineage_shared FROM document_entry p WHERE p.patient_key = $1 AND p.logical_id = $3 LIMIT 1), false))`;

/**
 * A document's first version: a lineage of its own, what the lookup above answers when no version
 * of the logical id is stored yet. A new document's logical id is its new entryUUID, which no
 * stored object has (the submission checks it), so a deposit needs no lookup.
 */
const FIRST_VERSION_SQL = `${ENTRY_COLUMNS} $3, 1, false)`;

/**
 * Stores a new latest version (the caller has already marked the previous one not latest). A
 * version keeps its document's place in the lineage (ACC-09), read from its versions already
 * stored; a new document (version 1) starts its own.
 */
export function insertEntryVersionStatement(e: NewEntryVersion): Statement {
  const m = e.metadata;
  return {
    sql: e.version === 1 ? FIRST_VERSION_SQL : LATER_VERSION_SQL,
    params: [
      e.patientKey, bareUuid(e.entryUuid), bareUuid(e.logicalId), e.version, m.uniqueId, e.status, m.mimeType,
      e.typeCode, e.classCode, m.formatCode?.code ?? null, m.healthcareFacilityTypeCode?.code ?? null,
      m.practiceSettingCode?.code ?? null, e.confidentiality, m.eventCodes.map((c) => c.code), m.referenceIds,
      e.authorIds, e.authorStructures, lowerNames(m, 'family'), lowerNames(m, 'given'), e.authoredByPatient,
      e.creationTime, e.serviceStartTime, e.serviceStopTime, e.submittedBy, e.submittedByStructure,
      bareUuid(e.submissionSetUuid), e.contentSha256, e.storedAt, JSON.stringify(m),
    ],
  };
}

export async function insertEntryVersion(q: Queryable, e: NewEntryVersion): Promise<void> {
  const st = insertEntryVersionStatement(e);
  await q.query(st.sql, st.params);
}

/**
 * ACC-09: document `byLogicalId` replaces document `replacedLogicalId` (RPLC, XFRM_RPLC): it joins
 * that document's lineage as its newest generation (carnet_join_lineage, migration 0010).
 */
export async function joinLineage(q: Queryable, patientKey: string, byLogicalId: string, replacedLogicalId: string): Promise<void> {
  await q.query('SELECT carnet_join_lineage($1, $2, $3)', [patientKey, bareUuid(byLogicalId), bareUuid(replacedLogicalId)]);
}

/** A status changed in place is counted, with its time (migration 0060), when it is a change. */
const STATUS_CHANGE = `status = $3,
  status_changes = status_changes + (CASE WHEN status = $3 THEN 0 ELSE 1 END),
  status_changed_at = CASE WHEN status = $3 THEN status_changed_at ELSE $4::timestamptz END`;

export async function markNotLatest(q: Queryable, patientKey: string, entryUuid: string, status: AvailabilityStatus, at: Date): Promise<void> {
  await q.query(`UPDATE document_entry SET is_latest = false, ${STATUS_CHANGE} WHERE patient_key = $1 AND entry_uuid = $2`, [
    patientKey,
    bareUuid(entryUuid),
    status,
    at,
  ]);
}

export async function setEntryStatus(q: Queryable, patientKey: string, entryUuid: string, status: AvailabilityStatus, at: Date): Promise<void> {
  await q.query(`UPDATE document_entry SET ${STATUS_CHANGE} WHERE patient_key = $1 AND entry_uuid = $2`, [patientKey, bareUuid(entryUuid), status, at]);
}

export async function getEntry(q: Queryable, patientKey: string, entryUuid: string, forUpdate = false): Promise<StoredDocumentEntry | null> {
  const r = await q.query<DocumentRow>(
    `${ENTRY_FOR_DECISION} WHERE d.patient_key = $1 AND d.entry_uuid = $2${forUpdate ? ' FOR UPDATE OF d' : ''}`,
    [patientKey, bareUuid(entryUuid)],
  );
  return r.rows[0] ? toStoredEntry(r.rows[0]) : null;
}

/** The record's entries of these ids, in one statement (locked when asked, in the ids' order: two locking callers never wait on each other in turn). */
export async function getEntries(q: Queryable, patientKey: string, entryUuids: readonly string[], forUpdate = false): Promise<StoredDocumentEntry[]> {
  if (!entryUuids.length) return [];
  const r = await q.query<DocumentRow>(
    `${ENTRY_FOR_DECISION} WHERE d.patient_key = $1 AND d.entry_uuid = ANY($2::uuid[]) ORDER BY d.entry_uuid${forUpdate ? ' FOR UPDATE OF d' : ''}`,
    [patientKey, entryUuids.map(bareUuid)],
  );
  return r.rows.map(toStoredEntry);
}

export async function getLatestByLogicalId(q: Queryable, patientKey: string, logicalId: string, forUpdate = false): Promise<StoredDocumentEntry | null> {
  const r = await q.query<DocumentRow>(
    `${ENTRY_FOR_DECISION} WHERE d.patient_key = $1 AND d.logical_id = $2 AND d.is_latest${forUpdate ? ' FOR UPDATE OF d' : ''}`,
    [patientKey, bareUuid(logicalId)],
  );
  return r.rows[0] ? toStoredEntry(r.rows[0]) : null;
}

export async function getLatestByUniqueId(q: Queryable, patientKey: string, uniqueId: string): Promise<StoredDocumentEntry | null> {
  const r = await q.query<DocumentRow>(
    `${ENTRY_FOR_DECISION} WHERE d.patient_key = $1 AND d.unique_id = $2 AND d.is_latest`,
    [patientKey, uniqueId],
  );
  return r.rows[0] ? toStoredEntry(r.rows[0]) : null;
}

/** A code criterion: any of the values (OR); the system is checked when given. */
export type CodeCriterion = Array<{ code: string; system?: string }>;

export type DocumentSort = 'date-desc' | 'date-asc' | 'author' | 'stored-desc';

export interface DocumentQuery {
  patientKey: string;
  visibility: VisibilityFilter;
  /** false: every metadata version (GetDocuments by UUID); default: latest versions only */
  latestOnly?: boolean;
  statuses?: AvailabilityStatus[];
  entryUuids?: string[];
  logicalIds?: string[];
  /** entryUUIDs or logicalIds, either matching (FHIR `identifier` does not say which it names) */
  entryOrLogicalIds?: string[];
  uniqueIds?: string[];
  typeCodes?: CodeCriterion;
  classCodes?: CodeCriterion;
  formatCodes?: CodeCriterion;
  facilityTypeCodes?: CodeCriterion;
  practiceSettingCodes?: CodeCriterion;
  /** AND across the outer list, OR within each inner list */
  eventCodes?: CodeCriterion[];
  confidentialityCodes?: CodeCriterion[];
  creationFrom?: Date;
  creationTo?: Date;
  serviceStartFrom?: Date;
  serviceStartTo?: Date;
  serviceStopFrom?: Date;
  serviceStopTo?: Date;
  /** FHIR DocumentReference.date: the source's date if it gave one, else when the registry stored the version */
  storedFrom?: Date;
  storedTo?: Date;
  /** XDS authorPerson patterns (% and _ wildcards) matched against the XCN strings */
  authorPersons?: string[];
  authorFamily?: string;
  authorGiven?: string;
  referenceIds?: string[];
  /** XDS referenceIdList: AND across the outer list, OR within each inner list */
  referenceIdGroups?: string[][];
  /** XDS objectType (an entry that names none is stable); empty or absent: any */
  objectTypes?: Array<'stable' | 'on-demand'>;
  sort?: DocumentSort;
  limit?: number;
  /**
   * The page's size may be written as a number in the statement's text (documentRowsSelect), so
   * that PostgreSQL keeps the page's generic plan. Only for a few sizes (the service's usual
   * ones): each size written so is one more statement text kept on every connection, and a
   * caller free to pick any `_count` would otherwise multiply them and push the others out.
   */
  limitInText?: boolean;
  offset?: number;
  countTotal?: boolean;
}

export interface DocumentPage {
  entries: StoredDocumentEntry[];
  total?: number;
}

const CODE_COLUMNS = {
  typeCodes: ['type_code', 'typeCode'],
  classCodes: ['class_code', 'classCode'],
  formatCodes: ['format_code', 'formatCode'],
  facilityTypeCodes: ['facility_type_code', 'healthcareFacilityTypeCode'],
  practiceSettingCodes: ['practice_setting_code', 'practiceSettingCode'],
} as const;

function codeMatch(p: SqlParams, column: string, jsonKey: string, values: CodeCriterion): string {
  return codeInListSql(p, `d.${column}`, `d.metadata->'${jsonKey}'->>'system'`, values);
}

/** AND across the groups, OR within: the metadata's list holds one of each group's codes. */
function listMatch(p: SqlParams, jsonKey: 'eventCodes' | 'confidentialityCodes', groups: CodeCriterion[]): string {
  const list = `d.metadata->'${jsonKey}'`;
  return everyGroupSql(p, groups.map((g) => g.map(codeJson)), (g) => `${list} @> ANY(${containedAnyOf(p, g)})`, (m) => `${list} @> jsonb_build_array(${m})`);
}

/** Builds the WHERE clause of a document search; the visibility filter is always part of it. */
export function documentWhere(query: DocumentQuery, p: SqlParams, options: VisibilitySqlOptions = {}): string {
  const latestOnly = query.latestOnly !== false;
  const where = [`d.patient_key = ${p.add(query.patientKey)}`, visibilitySql(query.visibility, p, 'd', latestOnly, options)];
  if (latestOnly) where.push('d.is_latest');
  if (query.statuses) where.push(`d.status = ANY(${p.add(query.statuses)}::text[])`);
  if (query.entryUuids) where.push(`d.entry_uuid = ANY(${p.add(query.entryUuids.map(bareUuid))}::uuid[])`);
  if (query.logicalIds) where.push(`d.logical_id = ANY(${p.add(query.logicalIds.map(bareUuid))}::uuid[])`);
  if (query.entryOrLogicalIds) {
    const ids = p.add(query.entryOrLogicalIds.map(bareUuid));
    where.push(`(d.entry_uuid = ANY(${ids}::uuid[]) OR d.logical_id = ANY(${ids}::uuid[]))`);
  }
  if (query.uniqueIds) where.push(`d.unique_id = ANY(${p.add(query.uniqueIds)}::text[])`);
  for (const [key, [column, jsonKey]] of Object.entries(CODE_COLUMNS)) {
    const values = query[key as keyof typeof CODE_COLUMNS];
    if (values) where.push(codeMatch(p, column, jsonKey, values));
  }
  if (query.eventCodes?.length) where.push(listMatch(p, 'eventCodes', query.eventCodes));
  if (query.confidentialityCodes?.length) where.push(listMatch(p, 'confidentialityCodes', query.confidentialityCodes));
  const range = (column: string, from?: Date, to?: Date) => {
    const at = column.includes('(') ? column : `d.${column}`;
    if (from) where.push(`${at} >= ${p.add(from)}`);
    if (to) where.push(`${at} < ${p.add(to)}`);
  };
  range('creation_time', query.creationFrom, query.creationTo);
  range('service_start_time', query.serviceStartFrom, query.serviceStartTo);
  range('service_stop_time', query.serviceStopFrom, query.serviceStopTo);
  // DocumentReference.date: the source's own date when a FHIR source gave one (see model.ts)
  range(`COALESCE((d.metadata->>'referenceDate')::timestamptz, d.stored_at)`, query.storedFrom, query.storedTo);
  if (query.authorPersons?.length) {
    where.push(
      `EXISTS (SELECT 1 FROM jsonb_array_elements(d.metadata->'authors') a WHERE a->'person'->>'raw' LIKE ANY(${p.add(query.authorPersons)}::text[]))`,
    );
  }
  if (query.authorFamily) {
    where.push(`EXISTS (SELECT 1 FROM unnest(d.author_family) f WHERE f LIKE ${p.add(`${likeEscape(query.authorFamily.toLowerCase())}%`)})`);
  }
  if (query.authorGiven) {
    where.push(`EXISTS (SELECT 1 FROM unnest(d.author_given) g WHERE g LIKE ${p.add(`${likeEscape(query.authorGiven.toLowerCase())}%`)})`);
  }
  if (query.referenceIds?.length) where.push(`d.reference_ids && ${p.add(query.referenceIds)}::text[]`);
  if (query.referenceIdGroups?.length) where.push(everyGroupSql(p, query.referenceIdGroups, (g) => `d.reference_ids && ${p.add(g)}::text[]`, (m) => `(${m} #>> '{}') = ANY(d.reference_ids)`));
  if (query.objectTypes?.length) where.push(`COALESCE(d.metadata->>'objectType', 'stable') = ANY(${p.add(query.objectTypes)}::text[])`);
  return where.join(' AND ');
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export const ORDER: Record<DocumentSort, string> = {
  'date-desc': 'd.creation_time DESC NULLS LAST, d.stored_at DESC, d.entry_uuid',
  'date-asc': 'd.creation_time ASC NULLS LAST, d.stored_at ASC, d.entry_uuid',
  author: 'd.author_family[1] ASC NULLS LAST, d.creation_time DESC NULLS LAST, d.entry_uuid',
  'stored-desc': 'd.stored_at DESC, d.entry_uuid',
};

/**
 * One more value per entry of a page, read in the page's own statement: an SQL expression over
 * the page's row `d` (a correlated subquery, evaluated for the rows of the page only), its
 * parameters added to `p`.
 */
export type PageColumn = (p: SqlParams) => string;

export async function findDocuments(q: Queryable, query: DocumentQuery, column?: PageColumn): Promise<DocumentPage & { column?: unknown[] }> {
  const p = new SqlParams();
  const where = documentWhere(query, p);
  // The count rides in the page's own statement (an uncorrelated subquery, computed once): one
  // round trip for both.
  const total = query.countTotal ? `, (SELECT count(*)::int FROM document_entry d WHERE ${documentWhere(query, p)}) AS page_total` : '';
  const extra = column ? `, ${column(p)} AS page_column` : '';
  const limit = query.limit !== undefined ? ` LIMIT ${p.add(query.limit)}` : '';
  const offset = query.offset ? ` OFFSET ${p.add(query.offset)}` : '';
  const rows = await q.query<DocumentRow & { page_total?: number; page_column?: unknown }>(
    `SELECT ${COLUMNS}${total}${extra} FROM document_entry d WHERE ${where} ORDER BY ${ORDER[query.sort ?? 'date-desc']}${limit}${offset}`,
    p.values,
  );
  const page: DocumentPage & { column?: unknown[] } = { entries: rows.rows.map(toStoredEntry) };
  if (column) page.column = rows.rows.map((r) => r.page_column);
  if (query.countTotal) {
    const first = rows.rows[0];
    // An empty page past the first, or a page of no rows (_count=0), says nothing of the count:
    // then it is asked on its own.
    page.total = first ? Number(first.page_total) : query.offset || query.limit === 0 ? await countDocuments(q, query) : 0;
  }
  return page;
}

export async function countDocuments(q: Queryable, query: DocumentQuery): Promise<number> {
  const p = new SqlParams();
  const c = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM document_entry d WHERE ${documentWhere(query, p)}`, p.values);
  return c.rows[0].n;
}

/** A content as it is stored: its bytes and what was decided of them at deposit (content-hash.ts). */
export interface ContentToStore {
  sha256: string;
  sha1: string;
  /** whether the bytes are UTF-8 (migration 0065) */
  utf8: boolean;
  bytes: Uint8Array;
}

/**
 * A document's content, kept once per record whatever the number of entries that hold it. The
 * same bytes again change nothing, except to store whether they are UTF-8 in a row written
 * before that was kept (migration 0065).
 */
export function putContentStatement(patientKey: string, content: ContentToStore, now: Date): Statement {
  return {
    sql: `INSERT INTO document_content (patient_key, sha256, sha1, size, is_utf8, bytes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (patient_key, sha256) DO UPDATE SET is_utf8 = EXCLUDED.is_utf8 WHERE document_content.is_utf8 IS NULL`,
    params: [patientKey, content.sha256, content.sha1, content.bytes.byteLength, content.utf8, content.bytes, now],
  };
}

export async function putContent(q: Queryable, patientKey: string, content: ContentToStore, now: Date): Promise<void> {
  const st = putContentStatement(patientKey, content, now);
  await q.query(st.sql, st.params);
}

export async function getContent(q: Queryable, patientKey: string, sha256: string): Promise<Buffer | null> {
  const r = await q.query<{ bytes: Uint8Array }>('SELECT bytes FROM document_content WHERE patient_key = $1 AND sha256 = $2', [
    patientKey,
    sha256,
  ]);
  const bytes = r.rows[0]?.bytes;
  if (!bytes) return null;
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
