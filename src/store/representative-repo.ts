// Legal representatives and tutors of a record (MIN-01..04).
import type { Queryable } from './db.js';

export interface RepresentativeRow {
  representative_id: string;
  relationship: 'parent' | 'tutor';
  given: string | null;
  family: string;
  email: string | null;
  phone: string | null;
  doctor_presence_required: boolean;
  access_ends_at: Date | null;
  majority_notice_sent_at: Date | null;
  ended_at: Date | null;
  created_at: Date;
}

const COLUMNS = `representative_id::text, relationship, given, family, email, phone, doctor_presence_required, access_ends_at,
  majority_notice_sent_at, ended_at, created_at`;

export async function listRepresentatives(q: Queryable, patientKey: string): Promise<RepresentativeRow[]> {
  const r = await q.query<RepresentativeRow>(`SELECT ${COLUMNS} FROM legal_representative WHERE patient_key = $1 ORDER BY created_at`, [patientKey]);
  return r.rows;
}

export async function insertRepresentative(
  q: Queryable,
  patientKey: string,
  r: { representativeId: string; relationship: string; given?: string; family: string; email?: string; phone?: string; accessEndsAt: Date | null; now: Date },
): Promise<void> {
  await q.query(
    `INSERT INTO legal_representative (patient_key, representative_id, relationship, given, family, email, phone, access_ends_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [patientKey, r.representativeId, r.relationship, r.given ?? null, r.family, r.email ?? null, r.phone ?? null, r.accessEndsAt, r.now],
  );
}

export async function updateRepresentative(
  q: Queryable,
  patientKey: string,
  representativeId: string,
  changes: Partial<Pick<RepresentativeRow, 'doctor_presence_required' | 'ended_at' | 'majority_notice_sent_at' | 'email' | 'phone'>>,
): Promise<boolean> {
  const entries = Object.entries(changes);
  if (!entries.length) return false;
  const r = await q.query(
    `UPDATE legal_representative SET ${entries.map(([c], i) => `${c} = $${i + 3}`).join(', ')} WHERE patient_key = $1 AND representative_id = $2`,
    [patientKey, representativeId, ...entries.map(([, v]) => v)],
  );
  return r.rowCount > 0;
}

/** Records with active representatives whose majority is due on or before `until` (MIN-03 job). */
export async function representativesEndingBefore(q: Queryable, until: Date): Promise<Array<{ patient_key: string } & RepresentativeRow>> {
  const r = await q.query<{ patient_key: string } & RepresentativeRow>(
    `SELECT patient_key::text, ${COLUMNS} FROM legal_representative
     WHERE ended_at IS NULL AND access_ends_at IS NOT NULL AND access_ends_at <= $1 ORDER BY access_ends_at`,
    [until],
  );
  return r.rows;
}

/**
 * Marks the majority notice as sent, unless another run already did: true only for the one
 * transaction that claims it, so two job runners never send it twice (MIN-03).
 */
export async function claimMajorityNotice(q: Queryable, patientKey: string, representativeId: string, at: Date): Promise<boolean> {
  const r = await q.query(
    'UPDATE legal_representative SET majority_notice_sent_at = $3 WHERE patient_key = $1 AND representative_id = $2 AND majority_notice_sent_at IS NULL',
    [patientKey, representativeId, at],
  );
  return r.rowCount === 1;
}
