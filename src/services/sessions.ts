// A patient-side session (a token this server signed) refused before its time, whoever presents
// it (a copy of it included): ended by its holder (logout), or issued before the login's password
// changed (AUTH-03/04: a new password ends the other sessions), or its account disabled.
import { sessionRefusal, type SessionRefusal } from '../domain/sessions.js';
import { endSession, sessionFacts } from '../store/session-repo.js';
import { isUuid } from './auth-trace.js';
import type { ServiceDeps } from './deps.js';

export type { SessionRefusal };

const uuidOrNull = (v: unknown) => (isUuid(v) ? v : null);

/** The password generation a token's claims carry: a token from before they were counted is of the first one. */
export function generationOf(claims: { session_gen?: unknown }): number {
  const gen = claims.session_gen;
  return typeof gen === 'number' && Number.isInteger(gen) ? Math.max(0, Math.min(gen, 2 ** 31 - 1)) : 0;
}

export function sessionService(deps: ServiceDeps) {
  return {
    /** Ends the session named by the token's id, until its expiry (seconds since the epoch). */
    async end(sessionId: string, expiresAtSeconds: number): Promise<void> {
      if (!isUuid(sessionId)) return;
      await endSession(deps.db, sessionId, new Date(expiresAtSeconds * 1000), deps.clock.now());
    },
    /** Why the session these claims describe is refused, if it is (one statement). */
    async refusal(claims: { jti?: unknown; patient_key?: unknown; account_id?: unknown; session_gen?: unknown }): Promise<SessionRefusal | undefined> {
      const sessionId = uuidOrNull(claims.jti);
      const facts = await sessionFacts(deps.db, { sessionId, patientKey: uuidOrNull(claims.patient_key), accountId: uuidOrNull(claims.account_id) });
      return sessionRefusal(facts, { sessionId, generation: generationOf(claims) });
    },
  };
}

export type SessionService = ReturnType<typeof sessionService>;
