// Authorisations (permit) and blocks (deny) of professionals and structures (ACC-01/03/04).
import type { Queryable } from './db.js';

export interface GrantRow {
  grant_id: string;
  subject_kind: 'professional' | 'structure';
  subject_id: string;
  effect: 'permit' | 'deny';
  created_at: Date;
  created_by: string;
  on_patient_request: boolean;
  revoked_at: Date | null;
  revoked_by: string | null;
}

const COLUMNS = 'grant_id::text, subject_kind, subject_id, effect, created_at, created_by, on_patient_request, revoked_at, revoked_by';

export async function listGrants(q: Queryable, patientKey: string, includeRevoked = false): Promise<GrantRow[]> {
  const r = await q.query<GrantRow>(
    `SELECT ${COLUMNS} FROM access_grant WHERE patient_key = $1${includeRevoked ? '' : ' AND revoked_at IS NULL'} ORDER BY created_at, grant_id`,
    [patientKey],
  );
  return r.rows;
}

export async function getGrant(q: Queryable, patientKey: string, grantId: string): Promise<GrantRow | null> {
  const r = await q.query<GrantRow>(`SELECT ${COLUMNS} FROM access_grant WHERE patient_key = $1 AND grant_id = $2`, [patientKey, grantId]);
  return r.rows[0] ?? null;
}

export async function insertGrant(
  q: Queryable,
  g: { patientKey: string; grantId: string; subjectKind: string; subjectId: string; effect: string; createdBy: string; onPatientRequest: boolean; now: Date },
): Promise<void> {
  await q.query(
    `INSERT INTO access_grant (patient_key, grant_id, subject_kind, subject_id, effect, created_at, created_by, on_patient_request)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [g.patientKey, g.grantId, g.subjectKind, g.subjectId, g.effect, g.now, g.createdBy, g.onPatientRequest],
  );
}

export async function revokeGrant(q: Queryable, patientKey: string, grantId: string, by: string, now: Date): Promise<boolean> {
  const r = await q.query(
    'UPDATE access_grant SET revoked_at = $3, revoked_by = $4 WHERE patient_key = $1 AND grant_id = $2 AND revoked_at IS NULL',
    [patientKey, grantId, now, by],
  );
  return r.rowCount > 0;
}
