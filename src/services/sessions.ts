// A patient-side session (a token this server signed) ended by its holder before its time: it is
// refused from then on, whoever presents it (a copy of it included), until it would have expired.
import { sessionEnded, endSession } from '../store/session-repo.js';
import type { ServiceDeps } from './deps.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function sessionService(deps: ServiceDeps) {
  return {
    /** Ends the session named by the token's id, until its expiry (seconds since the epoch). */
    async end(sessionId: string, expiresAtSeconds: number): Promise<void> {
      if (!UUID.test(sessionId)) return;
      await endSession(deps.db, sessionId, new Date(expiresAtSeconds * 1000), deps.clock.now());
    },
    /** Whether the session named by the token's id was ended. */
    async ended(sessionId: string): Promise<boolean> {
      return UUID.test(sessionId) ? sessionEnded(deps.db, sessionId) : false;
    },
  };
}

export type SessionService = ReturnType<typeof sessionService>;
