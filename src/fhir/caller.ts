// Who calls the FHIR door: the bearer token is checked before any route runs (except the
// CapabilityStatement, which is public), and routes read the result with callerOf().
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { BearerVerifier } from '../auth/bearer.js';
import { CarnetError } from '../domain/errors.js';
import { noteActor } from '../http/request-facts.js';
import type { Caller } from '../services/deps.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

/** Paths under /fhir that answer without a token. */
const PUBLIC = new Set(['/fhir/metadata', '/fhir/.well-known/smart-configuration']);
/** The published conformance resources (profiles, terminologies, search parameters, operations) are public too. */
const PUBLIC_TYPES = /^\/fhir\/(StructureDefinition|CodeSystem|ValueSet|SearchParameter|OperationDefinition)(\/[^/]+)?$/;

export function requireBearer(app: FastifyInstance, verifier: BearerVerifier): void {
  app.addHook('onRequest', async (req) => {
    const path = req.url.split('?')[0].replace(/\/$/, '');
    if (PUBLIC.has(path) || (req.method === 'GET' && PUBLIC_TYPES.test(path))) return;
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!m) throw new CarnetError('unauthenticated', 'an Authorization: Bearer token is required');
    const { actor, claims } = await verifier.verify(m[1]);
    noteActor(actor);
    // AUTH-03: a session opened with a temporary password may only replace it (POST /auth/password).
    if (claims.pwd_temporary === true) {
      throw new CarnetError('forbidden', 'the temporary password must be replaced first (POST /auth/password)', { reason: 'password_change_required' });
    }
    req.caller = { actor, channel: 'fhir', requestId: req.id };
  });
}

export function callerOf(req: FastifyRequest): Caller {
  if (!req.caller) throw new CarnetError('unauthenticated', 'an Authorization: Bearer token is required');
  return req.caller;
}
