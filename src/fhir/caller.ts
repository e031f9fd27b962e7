// Who calls the FHIR door: the bearer token is checked before any route runs (except the
// CapabilityStatement, which is public), and routes read the result with callerOf(). A refused
// token is logged in the server's security log (TRACE-05).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { BearerVerifier } from '../auth/bearer.js';
import { verifyRequestBearer } from '../auth/request-bearer.js';
import type { Actor } from '../domain/actor.js';
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
/** The published conformance resources (profiles, terminologies, search parameters, operations) are public too, and the maintenance announcement (DMP-06, Communication). */
const PUBLIC_TYPES = /^\/fhir\/(StructureDefinition|CodeSystem|ValueSet|SearchParameter|OperationDefinition|Communication)(\/[^/]+)?$/;

export function requireBearer(
  app: FastifyInstance,
  verifier: BearerVerifier,
  services: Parameters<typeof verifyRequestBearer>[2],
  /** what the directory adds to the identity (ACC-05: a regulation centre) */
  standing: (actor: Actor) => Promise<Actor>,
): void {
  app.addHook('onRequest', async (req) => {
    const path = req.url.split('?')[0].replace(/\/$/, '');
    if (PUBLIC.has(path) || (req.method === 'GET' && PUBLIC_TYPES.test(path))) return;
    const { actor, claims } = await verifyRequestBearer(req, verifier, services, 'fhir');
    noteActor(req.facts, actor);
    // AUTH-03: a session opened with a temporary password may only replace it (POST /auth/password).
    if (claims.pwd_temporary === true) {
      throw new CarnetError('forbidden', 'the temporary password must be replaced first (POST /auth/password)', { reason: 'password_change_required' });
    }
    if (claims.terms_pending !== undefined) {
      throw new CarnetError('forbidden', 'the terms of use changed: accept them first (POST /auth/terms)', { reason: 'terms_acceptance_required' });
    }
    req.caller = { actor: await standing(actor), channel: 'fhir', requestId: req.id };
  });
}

export function callerOf(req: FastifyRequest): Caller {
  if (!req.caller) throw new CarnetError('unauthenticated', 'an Authorization: Bearer token is required');
  return req.caller;
}
