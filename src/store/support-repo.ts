// Lost-credential requests to the support service (AUTH-04).
import type { Queryable } from './db.js';

export interface SupportRequestRow {
  request_id: string;
  patient_key: string | null;
  login_hint: string | null;
  channel: string;
  details: Record<string, unknown>;
  status: 'open' | 'handled' | 'rejected';
  kind: SupportRequestKind;
  created_at: Date;
  handled_by: string | null;
  handled_at: Date | null;
}

/** credentials lost; an internet account asked for; another intervention asked of the service */
export const SUPPORT_REQUEST_KINDS = ['credentials', 'account', 'intervention'] as const;
export type SupportRequestKind = (typeof SUPPORT_REQUEST_KINDS)[number];

const COLUMNS = 'request_id::text, patient_key::text, login_hint, channel, details, status, kind, created_at, handled_by, handled_at';

export async function insertSupportRequest(
  q: Queryable,
  r: { requestId: string; patientKey: string | null; loginHint: string | null; channel: string; details: Record<string, unknown>; kind: SupportRequestKind; now: Date },
): Promise<void> {
  await q.query(
    `INSERT INTO support_request (request_id, patient_key, login_hint, channel, details, status, kind, created_at)
     VALUES ($1, $2, $3, $4, $5, 'open', $6, $7)`,
    [r.requestId, r.patientKey, r.loginHint, r.channel, JSON.stringify(r.details), r.kind, r.now],
  );
}

export async function getSupportRequest(q: Queryable, requestId: string, forUpdate = false): Promise<SupportRequestRow | null> {
  const r = await q.query<SupportRequestRow>(
    `SELECT ${COLUMNS} FROM support_request WHERE request_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [requestId],
  );
  return r.rows[0] ?? null;
}

export async function listSupportRequests(q: Queryable, status: SupportRequestRow['status'], limit: number, kind?: SupportRequestKind): Promise<SupportRequestRow[]> {
  const r = await q.query<SupportRequestRow>(
    `SELECT ${COLUMNS} FROM support_request WHERE status = $1 AND ($3::text IS NULL OR kind = $3) ORDER BY created_at LIMIT $2`,
    [status, limit, kind ?? null],
  );
  return r.rows;
}

export async function closeSupportRequest(
  q: Queryable,
  requestId: string,
  c: { status: 'handled' | 'rejected'; patientKey: string | null; handledBy: string; now: Date },
): Promise<void> {
  await q.query(
    `UPDATE support_request SET status = $2, patient_key = COALESCE($3, patient_key), handled_by = $4, handled_at = $5
     WHERE request_id = $1`,
    [requestId, c.status, c.patientKey, c.handledBy, c.now],
  );
}
