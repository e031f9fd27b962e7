// `carnet serve`: starts the server and stops it cleanly on SIGTERM / SIGINT.
import type { AddressInfo } from 'node:net';
import { createApp } from '../app.js';
import { loadConfig } from '../config/config.js';
import { redactUrl } from '../config/env.js';
import type { Command } from './commands.js';
import { startServeJobs } from './jobs.js';

export const serveCommand: Command = {
  async run() {
    const config = loadConfig();
    const app = await createApp(config);
    // The FHIR definitions are not indexed here: the event loop needs them only to write a FHIR
    // XML answer, and indexes them then (~200 ms of CPU, once; fhir/definitions.ts). The FHIR
    // worker threads, which need them for every XML body and profile check, load them in the
    // background below, once the port is open.
    const address = await app.http.listen({ host: config.host, port: config.port });
    // On an ephemeral port (CARNET_PORT=0) the default public URL names the port the server got.
    const port = (app.http.server.address() as AddressInfo | null)?.port;
    if (config.port === 0 && port && config.publicUrl === 'http://localhost:0') config.publicUrl = `http://localhost:${port}`;
    app.logger.info(
      { address, store: config.databaseUrl ? redactUrl(config.databaseUrl) : `pglite:${config.dataDir}` },
      'carnet is listening',
    );
    let stopping = false;
    app.http.fhirWork
      .warm()
      .then(() => app.logger.info('the FHIR worker threads are ready'))
      // Stopped before they were ready: the pool was closed on purpose, nothing to report.
      .catch((err: unknown) => stopping || app.logger.error({ err }, 'the FHIR worker threads did not start'));
    // Outbox, MIN-03 notices, DMP-05 purge, pruning: every CARNET_JOBS_INTERVAL_SECONDS.
    const jobs = startServeJobs(app);

    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        stopping = true;
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
