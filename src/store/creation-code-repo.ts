// DMP-02: the creation codes the support service issues for online self-creation. One live code
// per identity (a newer one revokes the older); the code itself is only an HMAC here.
import type { PatientIdentifier } from '../domain/model.js';
import type { Queryable } from './db.js';

export interface CreationCodeRow {
  code_id: string;
  identifier_system: string;
  identifier_value: string;
  family: string;
  given: string;
  /** YYYY-MM-DD */
  birth_date: string;
  gender: string | null;
  emancipated: boolean;
  delivery: 'email' | 'post';
  email: string | null;
  code_hmac: string;
  failed_attempts: number;
  locked_until: Date | null;
  issued_by: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  patient_key: string | null;
}

export interface NewCreationCode {
  codeId: string;
  identifier: PatientIdentifier;
  family: string;
  given: string;
  birthDate: string;
  gender: string | null;
  emancipated: boolean;
  delivery: 'email' | 'post';
  email: string | null;
  codeHmac: string;
  issuedBy: string;
  supportRequestId: string | null;
  now: Date;
  expiresAt: Date;
}

const COLUMNS = `code_id::text, identifier_system, identifier_value, family, given, birth_date::text, gender, emancipated,
  delivery, email, code_hmac, failed_attempts, locked_until, issued_by, created_at, expires_at, used_at, patient_key::text`;

/** Revokes the identity's live code, if any, then stores the new one. */
export async function insertCreationCode(q: Queryable, c: NewCreationCode): Promise<void> {
  await q.query(
    `UPDATE creation_code SET revoked_at = $3
     WHERE identifier_system = $1 AND identifier_value = $2 AND used_at IS NULL AND revoked_at IS NULL`,
    [c.identifier.system, c.identifier.value, c.now],
  );
  await q.query(
    `INSERT INTO creation_code (code_id, identifier_system, identifier_value, family, given, birth_date, gender, emancipated,
       delivery, email, code_hmac, issued_by, support_request_id, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
    [
      c.codeId, c.identifier.system, c.identifier.value, c.family, c.given, c.birthDate, c.gender, c.emancipated,
      c.delivery, c.email, c.codeHmac, c.issuedBy, c.supportRequestId, c.now, c.expiresAt,
    ],
  );
}

/** The identity's live code (neither used nor revoked), locked for the check that follows. */
export async function findLiveCreationCode(q: Queryable, identifier: PatientIdentifier): Promise<CreationCodeRow | null> {
  const r = await q.query<CreationCodeRow>(
    `SELECT ${COLUMNS} FROM creation_code
     WHERE identifier_system = $1 AND identifier_value = $2 AND used_at IS NULL AND revoked_at IS NULL FOR UPDATE`,
    [identifier.system, identifier.value],
  );
  return r.rows[0] ?? null;
}

export async function recordCodeFailure(q: Queryable, codeId: string, lock: { failedAttempts: number; lockedUntil: Date | null }): Promise<void> {
  await q.query('UPDATE creation_code SET failed_attempts = $2, locked_until = $3 WHERE code_id = $1', [codeId, lock.failedAttempts, lock.lockedUntil]);
}

/** Single use: the code is spent by the record it created. */
export async function spendCreationCode(q: Queryable, codeId: string, patientKey: string, now: Date): Promise<void> {
  await q.query('UPDATE creation_code SET used_at = $3, patient_key = $2, failed_attempts = 0, locked_until = NULL WHERE code_id = $1', [codeId, patientKey, now]);
}
