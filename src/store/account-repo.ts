// Online accounts (AUTH-*, MIN-02), their global login lookup, and the one-time code challenges.
// Every row owned by a record carries its patient_key first; the two lookup tables
// (account_login, auth_challenge_index) are the only cross-record entry points.
import type { Queryable } from './db.js';

export interface AccountRow {
  /** the version of the terms of use this holder last accepted (null: none yet) */
  terms_version: string | null;
  patient_key: string;
  account_id: string;
  role: 'patient' | 'legal_representative';
  representative_id: string | null;
  login: string;
  password_hash: string;
  password_temporary: boolean;
  email: string | null;
  phone: string | null;
  code_channel: 'email' | 'sms';
  failed_attempts: number;
  locked_until: Date | null;
  last_login_at: Date | null;
  previous_login_at: Date | null;
  disabled_at: Date | null;
  created_at: Date;
  /** moved on by each new password: a session issued under an older one is refused (AUTH-03/04) */
  session_generation: number;
  /** the session that chose the current password, spared by it (AUTH-05) */
  session_kept: string | null;
}

const ACCOUNT_COLUMNS = `patient_key::text, account_id::text, role, representative_id::text, login, password_hash, password_temporary,
  email, phone, code_channel, failed_attempts, locked_until, last_login_at, previous_login_at, disabled_at, created_at, terms_version, session_generation, session_kept::text`;

export interface NewAccount {
  patientKey: string;
  accountId: string;
  role: AccountRow['role'];
  representativeId: string | null;
  login: string;
  passwordHash: string;
  email: string | null;
  phone: string | null;
  codeChannel: AccountRow['code_channel'];
  now: Date;
}

/** Claims the login globally; false if it is taken (the caller draws another). */
export async function claimLogin(q: Queryable, login: string, patientKey: string, accountId: string): Promise<boolean> {
  const r = await q.query(
    'INSERT INTO account_login (login, patient_key, account_id) VALUES ($1, $2, $3) ON CONFLICT (login) DO NOTHING',
    [login, patientKey, accountId],
  );
  return r.rowCount > 0;
}

export async function insertAccount(q: Queryable, a: NewAccount): Promise<void> {
  await q.query(
    `INSERT INTO account (patient_key, account_id, role, representative_id, login, password_hash, password_temporary,
       email, phone, code_channel, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, true, $7, $8, $9, $10)`,
    [a.patientKey, a.accountId, a.role, a.representativeId, a.login, a.passwordHash, a.email, a.phone, a.codeChannel, a.now],
  );
}

export async function findLogin(q: Queryable, login: string): Promise<{ patient_key: string; account_id: string } | null> {
  const r = await q.query<{ patient_key: string; account_id: string }>(
    'SELECT patient_key::text, account_id::text FROM account_login WHERE login = $1',
    [login],
  );
  return r.rows[0] ?? null;
}

export async function getAccount(q: Queryable, patientKey: string, accountId: string, forUpdate = false): Promise<AccountRow | null> {
  const r = await q.query<AccountRow>(
    `SELECT ${ACCOUNT_COLUMNS} FROM account WHERE patient_key = $1 AND account_id = $2${forUpdate ? ' FOR UPDATE' : ''}`,
    [patientKey, accountId],
  );
  return r.rows[0] ?? null;
}

/** The live account of a holder of the record (the patient, or one representative). */
export async function findHolderAccount(
  q: Queryable,
  patientKey: string,
  holder: { role: 'patient' } | { role: 'legal_representative'; representativeId: string },
  forUpdate = false,
): Promise<AccountRow | null> {
  const r =
    holder.role === 'patient'
      ? await q.query<AccountRow>(
          `SELECT ${ACCOUNT_COLUMNS} FROM account WHERE patient_key = $1 AND role = 'patient' AND disabled_at IS NULL${forUpdate ? ' FOR UPDATE' : ''}`,
          [patientKey],
        )
      : await q.query<AccountRow>(
          `SELECT ${ACCOUNT_COLUMNS} FROM account WHERE patient_key = $1 AND role = 'legal_representative' AND representative_id = $2
             AND disabled_at IS NULL${forUpdate ? ' FOR UPDATE' : ''}`,
          [patientKey, holder.representativeId],
        );
  return r.rows[0] ?? null;
}

type AccountChange = Partial<
  Pick<
    AccountRow,
    | 'terms_version'
    | 'password_hash'
    | 'password_temporary'
    | 'email'
    | 'phone'
    | 'code_channel'
    | 'failed_attempts'
    | 'locked_until'
    | 'last_login_at'
    | 'previous_login_at'
    | 'disabled_at'
  >
> & { terms_accepted_at?: Date };

/** Updates some columns; column names come from the code, never from input. */
export async function updateAccount(q: Queryable, patientKey: string, accountId: string, changes: AccountChange): Promise<void> {
  const entries = Object.entries(changes);
  if (!entries.length) return;
  await q.query(
    `UPDATE account SET ${entries.map(([c], i) => `${c} = $${i + 3}`).join(', ')} WHERE patient_key = $1 AND account_id = $2`,
    [patientKey, accountId, ...entries.map(([, v]) => v)],
  );
}

// ---- one-time code challenges (AUTH-01) ---------------------------------------------------

export interface ChallengeRow {
  patient_key: string;
  challenge_id: string;
  account_id: string;
  code_hmac: string;
  purpose: 'login' | 'login_temporary';
  attempts: number;
  expires_at: Date;
  used_at: Date | null;
  created_at: Date;
}

export async function insertChallenge(
  q: Queryable,
  c: { patientKey: string; challengeId: string; accountId: string; codeHmac: string; purpose: ChallengeRow['purpose']; expiresAt: Date; now: Date },
): Promise<void> {
  // Only the latest code of an account is valid: earlier open ones are closed.
  await q.query('UPDATE auth_challenge SET used_at = $3 WHERE patient_key = $1 AND account_id = $2 AND used_at IS NULL', [
    c.patientKey,
    c.accountId,
    c.now,
  ]);
  await q.query(
    `INSERT INTO auth_challenge (patient_key, challenge_id, account_id, code_hmac, purpose, expires_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [c.patientKey, c.challengeId, c.accountId, c.codeHmac, c.purpose, c.expiresAt, c.now],
  );
  await q.query('INSERT INTO auth_challenge_index (challenge_id, patient_key) VALUES ($1, $2)', [c.challengeId, c.patientKey]);
}

export async function getChallengeForUpdate(q: Queryable, challengeId: string): Promise<ChallengeRow | null> {
  const r = await q.query<ChallengeRow>(
    `SELECT c.patient_key::text, c.challenge_id::text, c.account_id::text, c.code_hmac, c.purpose, c.attempts, c.expires_at,
       c.used_at, c.created_at
     FROM auth_challenge_index i JOIN auth_challenge c ON c.patient_key = i.patient_key AND c.challenge_id = i.challenge_id
     WHERE i.challenge_id = $1 FOR UPDATE OF c`,
    [challengeId],
  );
  return r.rows[0] ?? null;
}

export async function updateChallenge(
  q: Queryable,
  patientKey: string,
  challengeId: string,
  changes: Partial<Pick<ChallengeRow, 'attempts' | 'used_at'>>,
): Promise<void> {
  const entries = Object.entries(changes);
  if (!entries.length) return;
  await q.query(
    `UPDATE auth_challenge SET ${entries.map(([c], i) => `${c} = $${i + 3}`).join(', ')} WHERE patient_key = $1 AND challenge_id = $2`,
    [patientKey, challengeId, ...entries.map(([, v]) => v)],
  );
}

/** Challenges are worth nothing once expired: the jobs delete them after a day. */
export async function pruneChallenges(q: Queryable, before: Date): Promise<number> {
  await q.query(
    `DELETE FROM auth_challenge_index i USING auth_challenge c
     WHERE c.patient_key = i.patient_key AND c.challenge_id = i.challenge_id AND c.expires_at < $1`,
    [before],
  );
  const r = await q.query('DELETE FROM auth_challenge WHERE expires_at < $1', [before]);
  return r.rowCount;
}
