// `carnet jobs run`: runs the scheduled jobs once (outbox, MIN-03 majority transition, DMP-05
// purge, pruning) and prints what they did. `carnet serve` runs the same jobs every
// CARNET_JOBS_INTERVAL_SECONDS (startServeJobs).
import type { App } from '../app.js';
import { createCore } from '../core.js';
import { loadConfig } from '../config/config.js';
import { runJobs, startJobsLoop, type JobsLoop, type JobsReport } from '../services/jobs.js';
import type { Command } from './commands.js';

export const jobsCommand: Command = {
  async run(args) {
    if (args[0] !== 'run') {
      console.error('usage: carnet jobs run');
      return 2;
    }
    const app = await createCore({ ...loadConfig(), logLevel: 'warn' });
    try {
      const report = await runJobs(app.services, { actor: { kind: 'system', component: 'carnet-cli' }, channel: 'cli' });
      console.log(JSON.stringify(report));
      return report.errors.length ? 1 : 0;
    } finally {
      await app.close();
    }
  },
};

function worthLogging(r: JobsReport): boolean {
  return (
    r.errors.length > 0 ||
    Object.values({ ...r.outbox, ...r.majority, ...r.purge, ...r.prune }).some((n) => typeof n === 'number' && n > 0)
  );
}

/** The loop of `carnet serve`; off when CARNET_JOBS_INTERVAL_SECONDS is 0. */
export function startServeJobs(app: App): JobsLoop {
  const interval = app.config.patientAccess.jobsIntervalSeconds;
  if (interval <= 0) return { stop: async () => {} };
  return startJobsLoop(
    app.services,
    interval,
    (report) => {
      if (!worthLogging(report)) return;
      if (report.errors.length) app.logger.warn({ jobs: report }, 'scheduled jobs ran with errors');
      else app.logger.info({ jobs: report }, 'scheduled jobs ran');
    },
    (e) => app.logger.error({ err: e }, 'scheduled jobs failed'),
  );
}
