// What every use case needs: the store, the policy, a clock, and the limits of the deployment.
import type { Actor } from '../domain/actor.js';
import type { Policy } from '../domain/policy.js';
import type { Db } from '../store/db.js';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface ServiceLimits {
  defaultPageSize: number;
  maxPageSize: number;
  /** a stored query returning more objects than this fails (XDSTooManyResults) instead of running away */
  maxQueryResults: number;
  /** TRACE-05: rows the security log takes per minute; further refusals are only counted */
  securityLogPerMinute?: number;
  /** documents one submission deposits (CARNET_SUBMISSION_MAX_DOCUMENTS; its default when absent) */
  submissionMaxDocuments?: number;
}

export interface ServiceDeps {
  db: Db;
  policy: Policy;
  clock: Clock;
  limits: ServiceLimits;
  /** the repository uniqueId this server announces (XDS repositoryUniqueId) */
  repositoryUniqueId: string;
  /** DMP-06: throws `unavailable` while a maintenance window suspends the function */
  availability?: { ensureAvailable(fn: string): Promise<void> };
}

export type Channel = 'fhir' | 'xds' | 'auth' | 'cli' | 'job' | 'test';

/** Who calls, and through which door: every service call takes one. */
export interface Caller {
  actor: Actor;
  channel: Channel;
  requestId?: string;
}
