// What a request's log line says besides its method, path and status: who called (the actor's
// kind and id, nothing else) and, when the answer is an error, Carnet's error code and the rule's
// reason. The reason goes to the log only: an answer about a hidden document must look like one
// about an unknown id (ACC-08), so the integrator who quotes the request id finds it here.
// The doors note these facts where they learn them (identity checks, error mappings) on the
// request's own record (`req.facts`, made when the request begins), handed to the mappings that
// note them. An AsyncLocalStorage held it before, so that deep mappings needed no request object;
// on Node 20 that turns on a hook run for every promise the process makes, whatever the request:
// ~5% of the server's CPU per ITI-18 ObjectRef request (docs/PERFORMANCE.md).
import { actorId, type Actor } from '../domain/actor.js';
import { isCarnetError, retryAfterSeconds, type CarnetError } from '../domain/errors.js';
import { loggableError } from '../util/loggable-error.js';

/** PostgreSQL's own account of an error: its SQLSTATE, the routine that raised it, its message. */
export interface DatabaseCause {
  sqlState?: string;
  routine?: string;
  message: string;
}

export interface RequestFacts {
  actor?: { kind: Actor['kind']; id: string; mode?: string };
  /** Carnet's error code (`forbidden`, `not_found`...) and the rule's reason (`masked`...) */
  error?: { error: string; reason?: string };
  /**
   * DMP-06: seconds until a refusal that passes by itself (a maintenance window, an outage) is
   * over; the server answers them as Retry-After, whatever the door and the answer's status.
   */
  retryAfter?: number;
  /**
   * Why a kept statement could not run (answered 503 `database_changed`): for the operator, who
   * finds another process changing the tables (a migration run while serving), never the caller.
   */
  databaseCause?: DatabaseCause;
  /**
   * An error the rules did not raise that a door answered inside its own answer (an XDS
   * RegistryResponse Failure "internal error"): the server's log says it once the answer is sent.
   */
  unexpected?: unknown;
}

/** The record of a request's facts, or none (a request refused before it began, a test's call). */
export type FactsOf = RequestFacts | null | undefined;

/** The caller, once identified. */
export function noteActor(facts: FactsOf, actor: Actor): void {
  if (!facts) return;
  facts.actor = { kind: actor.kind, id: actorId(actor) };
  // An emergency access is worth seeing at a glance.
  if (actor.kind === 'professional' && actor.mode !== 'normal') facts.actor.mode = actor.mode;
}

/** The first error the request answers with: Carnet's code and the rule's reason. */
export function noteError(facts: FactsOf, error: unknown, fallback?: { code: string; reason?: string }): void {
  if (!facts || facts.error) return;
  const found = isCarnetError(error) ? { code: error.code, reason: error.reason } : fallback;
  if (found) facts.error = { error: found.code, ...(found.reason ? { reason: found.reason } : {}) };
  const retry = isCarnetError(error) ? retryAfterSeconds(error) : undefined;
  if (retry) facts.retryAfter = retry;
  const cause = isCarnetError(error) ? databaseCause(error) : undefined;
  if (cause) facts.databaseCause = cause;
}

/** An unexpected error answered as part of the answer (not by the error handlers, which log theirs). */
export function noteUnexpected(facts: FactsOf, error: unknown): void {
  if (facts && facts.unexpected === undefined) facts.unexpected = error;
}

/**
 * The database's own error behind a `database_changed` refusal (its `cause`), if it has one: its
 * SQLSTATE, routine and message as the log may show them (util/loggable-error.ts).
 */
function databaseCause(error: CarnetError): DatabaseCause | undefined {
  if (error.reason !== 'database_changed' || !(error.cause instanceof Error)) return undefined;
  const { sqlState, routine, message } = loggableError(error.cause);
  return {
    ...(sqlState ? { sqlState } : {}),
    ...(routine ? { routine } : {}),
    message: message ?? '',
  };
}
