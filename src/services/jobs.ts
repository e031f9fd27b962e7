// The scheduled jobs: `carnet jobs run` once, or every CARNET_JOBS_INTERVAL_SECONDS while
// serving. Each step runs on its own: one failing does not stop the others.
// - send the outbox (mail, SMS);
// - MIN-03: notice one month before majority, end of the representatives' access at majority;
// - DMP-05: purge closed records whose retention has expired;
// - prune old rate-limit windows and code challenges, and remove expired codes from the outbox;
// - keep the planner's statistics fresh when the database does not (store/statistics-repo.ts).
import { pruneChallenges } from '../store/account-repo.js';
import { scrubExpiredSecrets } from '../store/outbox-repo.js';
import { pruneRateLimits } from '../store/rate-limit-repo.js';
import { hitRateLimit } from '../store/rate-limit-repo.js';
import { analyzeStaleTables, autovacuumRuns } from '../store/statistics-repo.js';
import { loggableSummary } from '../util/loggable-error.js';
import type { Caller } from './deps.js';
import type { Services } from './index.js';
import { CODE_TTL_MS } from './login.js';
import { SECRET_KINDS } from './outbox.js';

export const JOBS_CALLER: Caller = { actor: { kind: 'system', component: 'jobs' }, channel: 'job' };

export interface JobsReport {
  outbox?: { sent: number; failed: number; abandoned: number };
  majority?: { noticed: number; ended: number };
  purge?: { purged: number };
  prune?: { rateLimits: number; challenges: number; scrubbed: number };
  /** tables ANALYZEd by this run (none when the database's autovacuum does it) */
  statistics?: { analyzed: number; vacuumed: number };
  /** what failed, as the log may say it (util/loggable-error.ts): the report is logged and printed */
  errors: Array<{ job: string; message: string }>;
}

const DAY_MS = 24 * 3600_000;

export async function runJobs(services: Services, caller: Caller = JOBS_CALLER): Promise<JobsReport> {
  const { deps } = services;
  const report: JobsReport = { errors: [] };
  const step = async <K extends Exclude<keyof JobsReport, 'errors'>>(job: K, run: () => Promise<JobsReport[K]>) => {
    try {
      report[job] = await run();
    } catch (e) {
      report.errors.push({ job, message: loggableSummary(e) });
    }
  };
  await step('majority', () => services.representatives.runMajorityTransition(caller));
  await step('purge', () => services.records.purgeExpired(caller));
  await step('prune', async () => {
    const now = deps.clock.now();
    return {
      rateLimits: await pruneRateLimits(deps.db, new Date(now.getTime() - DAY_MS)),
      challenges: await pruneChallenges(deps.db, new Date(now.getTime() - DAY_MS)),
      // each secret's message is worth keeping as long as its code lives (DMP-02: weeks, not minutes)
      scrubbed:
        (await scrubExpiredSecrets(deps.db, SECRET_KINDS.filter((k) => k !== 'creation_code'), new Date(now.getTime() - 2 * CODE_TTL_MS), now)) +
        (await scrubExpiredSecrets(deps.db, ['creation_code'], new Date(now.getTime() - services.selfCreation.codeTtlMs), now)),
    };
  });
  await step('statistics', async () => {
    if (await autovacuumRuns(deps.db)) return { analyzed: 0, vacuumed: 0 };
    const done = await analyzeStaleTables(deps.db);
    return { analyzed: done.analyzed.length, vacuumed: done.vacuumed.length };
  });
  // Last, so that the notices of this run leave in this run.
  await step('outbox', () => services.outbox.sendDue());
  return report;
}

/**
 * Whether this instance runs this period's jobs: the first instance to claim the period (a row
 * of the rate_limit table) does; the others skip it. A lost claim only delays to the next period.
 */
export async function claimJobsPeriod(services: Services, periodMs: number): Promise<boolean> {
  const { hits } = await hitRateLimit(services.deps.db, 'jobs:period', periodMs, services.deps.clock.now());
  return hits === 1;
}

export interface JobsLoop {
  stop(): Promise<void>;
}

/** Runs the jobs every `intervalSeconds` (never two runs at once); `onReport` sees each run. */
export function startJobsLoop(services: Services, intervalSeconds: number, onReport: (r: JobsReport) => void, onError: (e: unknown) => void): JobsLoop {
  let current: Promise<void> | null = null;
  const tick = () => {
    if (current) return;
    current = (async () => {
      // Mail is sent by every instance (claims keep it single); the other jobs by one per period.
      if (await claimJobsPeriod(services, intervalSeconds * 1000)) onReport(await runJobs(services));
      else onReport({ outbox: await services.outbox.sendDue(), errors: [] });
    })()
      .catch(onError)
      .finally(() => {
        current = null;
      });
  };
  const timer = setInterval(tick, intervalSeconds * 1000);
  timer.unref();
  setImmediate(tick);
  return {
    async stop() {
      clearInterval(timer);
      await current;
    },
  };
}
