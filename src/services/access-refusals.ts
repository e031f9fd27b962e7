// Refused identities (TRACE-05): a request whose caller could not be established (no identity;
// an unsigned, badly signed, expired, untrusted or foreign assertion or token) goes to the
// server's security log, never to a patient's trace: anyone can write a real INS and a real
// professional id into an unsigned assertion, so what such a request claims is kept there as an
// unverified claim. The log is rate-limited (security-log-repo.ts).
import type { Tx } from '../store/db.js';
import { appendSecurityEvent, type SecurityLogLimit } from '../store/security-log-repo.js';
import type { Channel, ServiceDeps } from './deps.js';
import { wholeCharactersWithin } from '../domain/trace-bounds.js';

export interface AuthenticationRefusal {
  channel: Channel;
  requestId?: string;
  /** why the identity was refused (e.g. `expired`, `unsigned`) */
  reason: string;
  /** the transaction or route asked for (e.g. `ITI-18`, `GET /fhir/DocumentReference`) */
  operation?: string;
  /** the client's address */
  clientAddress?: string;
  /** what the request claimed (subject, patient...), unverified */
  claims?: Record<string, string | undefined>;
}

/** One minute windows; at most this many rows in each by default. */
export const SECURITY_LOG_WINDOW_MS = 60_000;
export const DEFAULT_SECURITY_LOG_PER_MINUTE = 120;

/** A claim is kept short: it is the caller's text, not ours. */
const CLAIM_LENGTH = 64;

function keptClaims(claims: AuthenticationRefusal['claims']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(claims ?? {})) if (typeof v === 'string' && v !== '') out[k] = wholeCharactersWithin(v, CLAIM_LENGTH);
  return out;
}

function limitOf(deps: ServiceDeps): SecurityLogLimit {
  return { perWindow: deps.limits.securityLogPerMinute ?? DEFAULT_SECURITY_LOG_PER_MINUTE, windowMs: SECURITY_LOG_WINDOW_MS };
}

function eventOf(r: AuthenticationRefusal, occurredAt: Date) {
  return {
    occurredAt,
    channel: r.channel,
    operation: r.operation ?? null,
    reason: r.reason,
    clientAddress: r.clientAddress ?? null,
    requestId: r.requestId ?? null,
    claims: keptClaims(r.claims),
  };
}

/**
 * The same log, written in the transaction of work that goes on for an unidentified caller (a
 * wrong password counts towards the account's lock, a support request is filed): the row commits
 * with that work or not at all. Only the database's limit applies here: such work reaches the
 * database anyway, and has rate limits of its own (login.ts).
 */
export async function logUnidentifiedIn(tx: Tx, deps: ServiceDeps, r: AuthenticationRefusal): Promise<void> {
  await appendSecurityEvent(tx, eventOf(r, deps.clock.now()), limitOf(deps));
}

/**
 * The limit is kept twice. In the database, for all servers together: past it a refusal only
 * adds to a counter. And in this process: once this server alone has reached it in the current
 * window, a flood does not even reach the database (no connection, no lock); its refusals are
 * counted here and handed to the next row this server writes. So a flood costs at most the
 * limit in transactions per minute per server, and nothing it causes goes uncounted for long.
 */
export function accessRefusalService(deps: ServiceDeps) {
  const limit = limitOf(deps);
  const local = { window: -1, seen: 0, uncounted: 0 };
  return {
    /** Logs the refusal of an unidentified request; returns whether a row was written (false: counted only). */
    async logUnauthenticated(r: AuthenticationRefusal): Promise<boolean> {
      const occurredAt = deps.clock.now();
      const window = Math.floor(occurredAt.getTime() / limit.windowMs);
      if (window !== local.window) Object.assign(local, { window, seen: 0 });
      if (++local.seen > limit.perWindow) {
        local.uncounted++;
        return false;
      }
      const carried = local.uncounted;
      local.uncounted = 0;
      try {
        const { written } = await deps.db.transaction((tx) =>
          appendSecurityEvent(tx, eventOf(r, occurredAt), limit, carried),
        );
        return written;
      } catch (e) {
        local.uncounted += carried;
        throw e;
      }
    },
  };
}

export type AccessRefusalService = ReturnType<typeof accessRefusalService>;
