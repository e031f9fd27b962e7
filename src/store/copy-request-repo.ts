// PAT-07: the formal copy requests of a record.
import type { Queryable } from './db.js';

export interface CopyRequestRow {
  request_id: string;
  requested_by: string;
  reason: string;
  delivery: 'postal' | 'email';
  address: string | null;
  parts: string[];
  status: 'open' | 'handled' | 'rejected';
  created_at: Date;
  handled_at: Date | null;
}

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
    `SELECT request_id::text, requested_by, reason, delivery, address, parts, status, created_at, handled_at
     FROM copy_request WHERE patient_key = $1 ORDER BY created_at DESC`,
    [patientKey],
  );
  return r.rows;
}
