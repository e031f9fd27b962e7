// Submission sets: their rows, how they read back and how they are searched (the conditions are
// shared with the paged listing of submission-set-pages.ts). One of the registry's object kinds,
// each in its own file; the global lookups are in registry-repo.ts.
import type { AvailabilityStatus, StoredSubmissionSet, SubmissionSetMetadata } from '../domain/model.js';
import type { Statement } from './combined-writes.js';
import type { Queryable } from './db.js';
import { codeInListSql } from './code-criteria-sql.js';
import { bareUuid } from './document-repo.js';
import { jsonColumn } from './json-column.js';
import { SqlParams } from './sql-params.js';

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
    ...jsonColumn(r.metadata),
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
