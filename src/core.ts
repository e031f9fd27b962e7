// The store and the services without the doors: what `carnet serve` builds its doors on (app.ts),
// and all that the commands serving nothing need. Kept apart from app.ts so that such a command
// loads neither the HTTP server nor the doors' modules.
import type { Logger } from 'pino';
import { patientAccessOptions } from './auth/access-options.js';
import type { Config } from './config/config.js';
import type { Policy } from './domain/policy.js';
import { asyncLogger, flushLog } from './http/log-destination.js';
import { loggerOptions } from './http/logging.js';
import { loadPolicy } from './profiles/load.js';
import { createServices, type Services } from './services/index.js';
import { systemClock, type Clock } from './services/deps.js';
import type { Db } from './store/db.js';
import { openMigratedDb } from './store/open.js';

export interface AppOptions {
  /** an already opened and migrated database (tests share one) */
  db?: Db;
  logger?: Logger;
  /** time as the rules see it (tests move it) */
  clock?: Clock;
  policy?: Policy;
}

/** What a command that serves no door needs: the store and the services on it. */
export interface Core {
  config: Config;
  db: Db;
  logger: Logger;
  services: Services;
  /** closes the database (when it was opened here) and flushes the log */
  close(): Promise<void>;
}

export function defaultLogger(config: Config): Logger {
  // Lines are buffered (a bounded buffer) and written by the event loop, never by the request that
  // logs them: a synchronous write per request cost 5-10% of the server's CPU. close() writes out
  // what is left, and so does pino when the process exits (log-destination.ts).
  return asyncLogger(loggerOptions(config.logLevel));
}

/** Opens (and migrates) the store unless one is given, and builds the services on it. */
export async function openServices(config: Config, options: AppOptions, logger: Logger, policy: Policy, access: ReturnType<typeof patientAccessOptions>): Promise<{ db: Db; ownsDb: boolean; services: Services }> {
  const ownsDb = !options.db;
  const db =
    options.db ??
    (await openMigratedDb({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      maxConnections: config.dbPoolSize,
      statementTimeoutMs: config.dbStatementTimeoutMs,
    }));
  const services = createServices({
    db,
    policy,
    clock: options.clock ?? systemClock,
    limits: {
      defaultPageSize: config.defaultPageSize,
      maxPageSize: config.maxPageSize,
      maxQueryResults: config.maxQueryResults,
      securityLogPerMinute: config.securityLogPerMinute,
      submissionMaxDocuments: config.limits.submissionMaxDocuments,
    },
    repositoryUniqueId: config.repositoryUniqueId,
  }, {
    access: { ...access, onRoundError: (err) => logger.warn({ err }, 'outbox round failed; its messages wait for the next jobs round') },
    supportEmail: config.patientAccess.supportEmail,
    regulationCentres: config.regulationCentres,
  });
  return { db, ownsDb, services };
}

/**
 * The services without the doors, for the commands that serve nothing (`carnet seed`,
 * `directory`, `jobs run`, `maintenance` on the store): neither the HTTP server with its routes
 * nor the bearer verifier and its signing key are built, which was a good part of such a
 * command's start.
 */
export async function createCore(config: Config, options: AppOptions = {}): Promise<Core> {
  const logger = options.logger ?? defaultLogger(config);
  const policy = options.policy ?? loadPolicy(config.profilesDir);
  const access = patientAccessOptions(config);
  const { db, ownsDb, services } = await openServices(config, options, logger, policy, access);
  let closing: Promise<void> | undefined;
  return {
    config,
    db,
    logger,
    services,
    close() {
      closing ??= (async () => {
        if (ownsDb) await db.close();
        await flushLog(logger);
      })();
      return closing;
    },
  };
}

