// Patient-side sessions refused before their time: one ended by its holder (POST /auth/logout),
// kept until it would have expired; every session of a login issued before its password changed.
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

export type SessionRefusal = 'session_ended' | 'session_superseded' | 'account_inactive';

/**
 * Why a session is refused, if it is: ended by its holder, issued before the password changed
 * (generation `generation`; a token without a session id is never the one a change kept), or its
 * account disabled. One statement; ids not given match nothing.
 */
export async function sessionRefusal(
  q: Queryable,
  s: { sessionId: string | null; patientKey: string | null; accountId: string | null; generation: number },
): Promise<SessionRefusal | undefined> {
  const r = await q.query<{ ended: boolean; account: SessionRefusal | null }>(
    `SELECT EXISTS (SELECT 1 FROM ended_session WHERE session_id = $1::uuid) AS ended,
       (SELECT CASE WHEN a.disabled_at IS NOT NULL THEN 'account_inactive'
                    WHEN a.session_generation > $4::int AND ($1::uuid IS NULL OR a.session_kept IS DISTINCT FROM $1::uuid) THEN 'session_superseded' END
          FROM account a WHERE a.patient_key = $2::uuid AND a.account_id = $3::uuid) AS account`,
    [s.sessionId, s.patientKey, s.accountId, s.generation],
  );
  const row = r.rows[0];
  return row?.ended ? 'session_ended' : (row?.account ?? undefined);
}
