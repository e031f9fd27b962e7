// Document entries (one row per metadata version): their row, how it is read back, and the
// writes of a new version, a status or a lineage. Searches are in document-search.ts (always
// through the caller's visibility filter, ACC-08) and the bytes in document-content-repo.ts. An
// entry read for a decision comes with the lineage it follows (ACC-09), read by the same SQL as
// the visibility filter's.
import type { LineageGate, MemberFacts } from '../domain/lineage.js';
import type { AvailabilityStatus, DocumentEntryMetadata, StoredDocumentEntry } from '../domain/model.js';
import type { Queryable } from './db.js';
import type { Statement } from './combined-writes.js';
import { currentMemberSql, latestVersionSql } from './visibility-sql.js';
import { foldedNamesSql } from './string-search-sql.js';

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

/** Every column toStoredEntry reads (the searches of document-search.ts read them too). */
export const COLUMNS = `${COLUMNS_BUT_METADATA}, d.metadata`;

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

/** The authors' names as given; the statement stores them folded (foldedNamesSql). */
function authorNames(m: DocumentEntryMetadata, part: 'family' | 'given'): string[] {
  return m.authors.map((a) => a.person?.[part]).filter((v): v is string => !!v);
}

const ENTRY_COLUMNS = `INSERT INTO document_entry (patient_key, entry_uuid, logical_id, version, is_latest, unique_id, status, mime_type,
       type_code, class_code, format_code, facility_type_code, practice_setting_code, confidentiality, event_codes,
       reference_ids, author_ids, author_structures, author_family, author_given, authored_by_patient, creation_time,
       service_start_time, service_stop_time, submitted_by, submitted_by_structure, submission_set_uuid, content_sha256,
       stored_at, metadata, lineage_id, lineage_generation, lineage_shared)
     VALUES ($1, $2, $3, $4, true, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, ${foldedNamesSql('$18::text[]')},
       ${foldedNamesSql('$19::text[]')}, $20, $21, $22,
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
      e.authorIds, e.authorStructures, authorNames(m, 'family'), authorNames(m, 'given'), e.authoredByPatient,
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
