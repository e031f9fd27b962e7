// The records one login reaches (MIN-01/02): the one account_login names, plus those where the
// same person holds a representative's account joined to that login. Like account_login, a
// cross-record lookup: every account it names lives in its own record.
import type { Queryable } from './db.js';

export interface LoginRecord {
  patient_key: string;
  account_id: string;
}

export async function joinLogin(q: Queryable, login: string, patientKey: string, accountId: string, now: Date): Promise<void> {
  await q.query('INSERT INTO login_record (login, patient_key, account_id, created_at) VALUES ($1, $2, $3, $4)', [login, patientKey, accountId, now]);
}

/** The login's own account first, then the joined ones in the order they were joined. */
export async function recordsOfLogin(q: Queryable, login: string): Promise<LoginRecord[]> {
  const r = await q.query<LoginRecord>(
    `SELECT patient_key::text, account_id::text FROM (
       SELECT patient_key, account_id, 0 AS rank, NULL::timestamptz AS created_at FROM account_login WHERE login = $1
       UNION ALL
       SELECT patient_key, account_id, 1, created_at FROM login_record WHERE login = $1
     ) x ORDER BY rank, created_at`,
    [login],
  );
  return r.rows;
}

/** Whether this account is reached through another account's login (it has no password of its own). */
export async function isJoinedAccount(q: Queryable, patientKey: string, accountId: string): Promise<boolean> {
  const r = await q.query('SELECT 1 FROM login_record WHERE patient_key = $1 AND account_id = $2', [patientKey, accountId]);
  return r.rows.length > 0;
}
