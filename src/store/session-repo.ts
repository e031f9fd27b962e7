// What makes a patient-side session end before its time: one ended by its holder (POST
// /auth/logout), kept until it would have expired; a login's password change, which moves its
// accounts' session generation on. Which session is still valid is src/domain/sessions.ts's rule.
import type { SessionFacts } from '../domain/sessions.js';
import type { Queryable } from './db.js';

/** Records that the session `sessionId` has ended; clears those whose tokens have expired since. */
export async function endSession(q: Queryable, sessionId: string, expiresAt: Date, now: Date): Promise<void> {
  await q.query(
    `WITH cleared AS (DELETE FROM ended_session WHERE ends_at < $3)
     INSERT INTO ended_session (session_id, ends_at) VALUES ($1, $2) ON CONFLICT (session_id) DO NOTHING`,
    [sessionId, expiresAt, now],
  );
}

/**
 * AUTH-03/04: the login's password changed: every account it reaches (its own, and those joined
 * to it) moves to a new session generation; `keptSessionId`, if any, stays open.
 */
export async function supersedeSessions(q: Queryable, login: string, keptSessionId: string | null): Promise<void> {
  await q.query(
    `UPDATE account a SET session_generation = a.session_generation + 1, session_kept = $2::uuid
      FROM (SELECT patient_key, account_id FROM account_login WHERE login = $1
            UNION ALL SELECT patient_key, account_id FROM login_record WHERE login = $1) l
     WHERE a.patient_key = l.patient_key AND a.account_id = l.account_id`,
    [login, keptSessionId],
  );
}

/**
 * What the store knows of a session, in one statement, for the rule of src/domain/sessions.ts:
 * whether its holder ended it, and its account's state (null: no such account). Ids not given
 * match nothing.
 */
export async function sessionFacts(
  q: Queryable,
  s: { sessionId: string | null; patientKey: string | null; accountId: string | null },
): Promise<SessionFacts> {
  const r = await q.query<{ ended: boolean; disabled: boolean | null; generation: number | null; kept: string | null }>(
    `SELECT EXISTS (SELECT 1 FROM ended_session WHERE session_id = $1::uuid) AS ended,
            a.disabled_at IS NOT NULL AS disabled, a.session_generation AS generation, a.session_kept::text AS kept
       FROM (SELECT 1) one
       LEFT JOIN account a ON a.patient_key = $2::uuid AND a.account_id = $3::uuid`,
    [s.sessionId, s.patientKey, s.accountId],
  );
  const row = r.rows[0]!;
  return { ended: row.ended, account: row.generation === null ? null : { disabled: row.disabled === true, generation: row.generation, kept: row.kept } };
}
