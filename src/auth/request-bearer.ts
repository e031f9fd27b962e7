// The bearer token of an HTTP request (the FHIR door, the /auth session routes), checked. A
// request whose token is missing or refused goes to the server's security log (TRACE-05), with
// what the token claimed kept as an unverified claim; it never reaches a patient's trace.
import type { FastifyRequest } from 'fastify';
import { decodeJwt, type JWTPayload } from 'jose';
import type { Actor } from '../domain/actor.js';
import { CarnetError } from '../domain/errors.js';
import type { Channel } from '../services/deps.js';
import type { AccessRefusalService } from '../services/access-refusals.js';
import type { SessionRefusal, SessionService } from '../services/sessions.js';
import type { BearerVerifier } from './bearer.js';
import type { CarnetClaims } from './claims.js';

const REFUSED: Record<SessionRefusal, string> = {
  session_ended: 'the session has ended (logged out)',
  session_superseded: 'the session has ended: the password was changed since it was opened; log in again',
  account_inactive: 'this account is no longer active',
};

/** Who the token says it is and what it is about, read without trusting it. */
function unverifiedClaims(token: string | undefined): Record<string, string | undefined> {
  if (!token) return {};
  try {
    const c = decodeJwt(token) as CarnetClaims & JWTPayload;
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return { subject: text(c.sub), subjectType: text(c.subject_type), patient: text(c.person_id) ?? text(c.extensions?.ihe_iua?.person_id) ?? text(c.patient_key) };
  } catch {
    return {};
  }
}

/** The route asked for: its pattern when one matched (no ids), else the path, shortened. */
function operationOf(req: FastifyRequest): string {
  const path = req.routeOptions?.url ?? req.url.split('?')[0]!;
  return `${req.method} ${path}`.slice(0, 200);
}

export async function verifyRequestBearer(
  req: FastifyRequest,
  verifier: BearerVerifier,
  services: { accessRefusals: Pick<AccessRefusalService, 'logUnauthenticated'>; sessions: Pick<SessionService, 'refusal'> },
  channel: Channel,
): Promise<{ actor: Actor; claims: CarnetClaims & JWTPayload }> {
  const refusals = services.accessRefusals;
  const header = req.headers.authorization;
  const token = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
  try {
    if (!token) throw new CarnetError('unauthenticated', 'an Authorization: Bearer token is required', { reason: 'missing' });
    const verified = await verifier.verify(token);
    // A patient-side session is this server's token: its holder may have ended it (POST
    // /auth/logout) before it expires, or a new password ended it (AUTH-03/04), and a copy of it
    // ends with it.
    const { actor, claims } = verified;
    if (actor.kind === 'patient' || actor.kind === 'legal_representative') {
      const refused = await services.sessions.refusal(claims);
      if (refused) throw new CarnetError('unauthenticated', REFUSED[refused], { reason: refused });
    }
    return verified;
  } catch (e) {
    if (e instanceof CarnetError && e.code === 'unauthenticated') {
      // The refusal stands even if the log cannot be written; the failure is the operator's to see.
      await refusals
        .logUnauthenticated({ channel, requestId: req.id, reason: e.reason ?? 'refused', operation: operationOf(req), clientAddress: req.ip, claims: unverifiedClaims(token) })
        .catch((err: unknown) => req.log.error({ err }, 'the security log could not be written'));
    }
    throw e;
  }
}
