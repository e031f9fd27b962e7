// `carnet serve`: starts the server and stops it cleanly on SIGTERM / SIGINT.
import type { AddressInfo } from 'node:net';
import type { createApp } from '../app.js';
import { loadConfig } from '../config/config.js';
import { redactUrl } from '../config/env.js';
import type { Command } from './commands.js';
import { startServeJobs } from './jobs.js';
import { statisticsWarning } from './statistics-warning.js';

export const serveCommand: Command = {
  async run() {
    const config = loadConfig();
    // The server's modules (~0.7 s of CPU) are loaded once the settings are known to be right: a
    // wrongly set variable is said at once.
    const app = await (await import('../app.js')).createApp(config);
    // Nothing is loaded ahead of need. The FHIR definitions: the event loop needs them only to
    // write a FHIR XML answer, and indexes them then (~200 ms of CPU, once; fhir/definitions.ts).
    // The FHIR worker thread (XML bodies, profile checks) starts with the first request that
    // needs it, and loads what it needs before that request's time budget starts
    // (workers/pool.ts): ~0.6 s of CPU and ~60 MB that a server answering other requests, or
    // none, does not spend.
    const address = await app.http.listen({ host: config.host, port: config.port });
    // On an ephemeral port (CARNET_PORT=0) the default public URL names the port the server got.
    const port = (app.http.server.address() as AddressInfo | null)?.port;
    if (config.port === 0 && port && config.publicUrl === 'http://localhost:0') config.publicUrl = `http://localhost:${port}`;
    app.logger.info(
      { address, store: config.databaseUrl ? redactUrl(config.databaseUrl) : `pglite:${config.dataDir}` },
      'carnet is listening',
    );
    // Outbox, MIN-03 notices, DMP-05 purge, pruning, statistics: every CARNET_JOBS_INTERVAL_SECONDS.
    const jobs = startServeJobs(app);
    await warnOfStaleStatistics(app);

    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        app.logger.info({ signal }, 'shutting down: finishing in-flight requests');
        // A request that never ends must not keep the process up for ever.
        const force = setTimeout(() => {
          app.logger.error('shutdown timed out; exiting');
          process.exit(1);
        }, config.shutdownTimeoutMs);
        force.unref();
        jobs.stop().then(() => app.close()).then(
          () => {
            app.logger.info('stopped');
            resolve();
          },
          (e) => {
            app.logger.error({ err: e }, 'error while stopping');
            process.exitCode = 1;
            resolve();
          },
        );
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
  },
};

/** Says at start who keeps the planner's statistics fresh, when it is not PostgreSQL's autovacuum. */
async function warnOfStaleStatistics(app: Awaited<ReturnType<typeof createApp>>): Promise<void> {
  const jobsIntervalSeconds = app.config.patientAccess.jobsIntervalSeconds;
  const db = app.services.deps.db;
  const warning = await statisticsWarning(db, jobsIntervalSeconds);
  if (warning) app.logger.warn({ store: db.kind, jobsIntervalSeconds }, warning);
}
