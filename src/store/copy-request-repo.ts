// PAT-07: the formal copy requests of a record.
import type { Queryable } from './db.js';

export interface CopyRequestRow {
  request_id: string;
  requested_by: string;
  reason: string;
  delivery: 'postal' | 'email';
  address: string | null;
  parts: string[];
  status: CopyRequestStatus;
  created_at: Date;
  handled_at: Date | null;
  handled_by: string | null;
  handling_note: string | null;
}

export const COPY_REQUEST_STATUSES = ['open', 'in_progress', 'handled', 'rejected'] as const;
export type CopyRequestStatus = (typeof COPY_REQUEST_STATUSES)[number];

const COLUMNS = 'request_id::text, requested_by, reason, delivery, address, parts, status, created_at, handled_at, handled_by, handling_note';

export interface NewCopyRequest {
  requestId: string;
  requestedBy: string;
  reason: string;
  delivery: 'postal' | 'email';
  address: string | null;
  parts: string[];
  now: Date;
}

export async function insertCopyRequest(q: Queryable, patientKey: string, r: NewCopyRequest): Promise<void> {
  await q.query(
    `INSERT INTO copy_request (patient_key, request_id, requested_by, reason, delivery, address, parts, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [patientKey, r.requestId, r.requestedBy, r.reason, r.delivery, r.address, r.parts, r.now],
  );
}

export async function listCopyRequests(q: Queryable, patientKey: string): Promise<CopyRequestRow[]> {
  const r = await q.query<CopyRequestRow>(
    `SELECT ${COLUMNS} FROM copy_request WHERE patient_key = $1 ORDER BY created_at DESC`,
    [patientKey],
  );
  return r.rows;
}

/** The support desk's work list, every record's, oldest first (PAT-07). */
export async function listCopyRequestsByStatus(q: Queryable, status: CopyRequestStatus, limit: number): Promise<Array<CopyRequestRow & { patient_key: string }>> {
  const r = await q.query<CopyRequestRow & { patient_key: string }>(
    `SELECT patient_key::text, ${COLUMNS} FROM copy_request WHERE status = $1 ORDER BY created_at LIMIT $2`,
    [status, limit],
  );
  return r.rows;
}

export async function getCopyRequest(q: Queryable, patientKey: string, requestId: string): Promise<CopyRequestRow | null> {
  const r = await q.query<CopyRequestRow>(`SELECT ${COLUMNS} FROM copy_request WHERE patient_key = $1 AND request_id = $2 FOR UPDATE`, [patientKey, requestId]);
  return r.rows[0] ?? null;
}

export async function updateCopyRequest(
  q: Queryable,
  patientKey: string,
  requestId: string,
  c: { status: CopyRequestStatus; handledBy: string; note: string | null; now: Date },
): Promise<void> {
  await q.query(
    `UPDATE copy_request SET status = $3, handled_by = $4, handling_note = COALESCE($5, handling_note), handled_at = $6
     WHERE patient_key = $1 AND request_id = $2`,
    [patientKey, requestId, c.status, c.handledBy, c.note, c.now],
  );
}
