// Composition: configuration -> store -> services -> doors. Nothing here decides anything.
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import type { Config } from './config/config.js';
import { registerFhirDoor } from './fhir/door.js';
import { registerHealth } from './http/health.js';
import { registerDevOutbox } from './http/dev-outbox.js';
import { registerMaintenance } from './http/maintenance.js';
import { registerMaintenanceAdmin } from './http/admin-maintenance.js';
import { registerWebPage } from './http/web-page.js';
import { loggerOptions } from './http/logging.js';
import { buildHttpServer } from './http/server.js';
import { patientAccessOptions } from './auth/access-options.js';
import { createBearerVerifier, type BearerVerifier } from './auth/bearer.js';
import { serverSigningKeys } from './auth/server-keys.js';
import { registerAuthRoutes } from './auth/routes.js';
import type { Policy } from './domain/policy.js';
import { loadPolicy } from './profiles/load.js';
import { createServices, type Services } from './services/index.js';
import { systemClock, type Clock } from './services/deps.js';
import type { Db } from './store/db.js';
import { openMigratedDb } from './store/open.js';
import { registerXdsDoor } from './xds/door.js';

export interface App {
  config: Config;
  db: Db;
  http: FastifyInstance;
  logger: Logger;
  services: Services;
  /** checks bearer tokens and signs the server's own (patient sessions, dev tokens) */
  verifier: BearerVerifier;
  /** stops accepting, finishes in-flight requests, closes the database */
  close(): Promise<void>;
}

export interface AppOptions {
  /** an already opened and migrated database (tests share one) */
  db?: Db;
  logger?: Logger;
  /** time as the rules see it (tests move it) */
  clock?: Clock;
  policy?: Policy;
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  // Lines are buffered and written by the event loop, never by the request that logs them: a
  // synchronous write per request cost 5-10% of the server's CPU. pino flushes what is left when
  // the process exits, and close() flushes too.
  const logger = options.logger ?? pino(loggerOptions(config.logLevel), pino.destination({ dest: 1, sync: false }));
  // The policy is checked before anything opens: a broken matrix stops the start.
  const policy = options.policy ?? loadPolicy(config.profilesDir);
  // The server's secrets next: a data directory it cannot write stops the start before the
  // database is touched.
  const access = patientAccessOptions(config);
  const localKeys = await serverSigningKeys(config);
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
    },
    repositoryUniqueId: config.repositoryUniqueId,
  }, {
    access: { ...access, onRoundError: (err) => logger.warn({ err }, 'outbox round failed; its messages wait for the next jobs round') },
    supportEmail: config.patientAccess.supportEmail,
    regulationCentres: config.regulationCentres,
  });
  const verifier = createBearerVerifier({
    audience: config.auth.audience,
    issuer: config.auth.issuer,
    jwksFile: config.auth.jwksFile,
    jwksUrl: config.auth.jwksUrl,
    localKeys,
    devMode: config.devMode,
    now: () => (options.clock ?? systemClock).now(),
  });
  const http = buildHttpServer(config, logger);
  try {
    registerHealth(http, db);
    registerMaintenance(http, services);
    registerMaintenanceAdmin(http, services, verifier);
    // Never in production: it shows one-time codes.
    if (config.devMode) registerDevOutbox(http, services);
    await registerFhirDoor(http, { config, services, verifier });
    await registerAuthRoutes(http, { services, verifier });
    await registerXdsDoor(http, { config, services, clock: options.clock, logger });
    // the patients' web page at / (a client of the two doors above)
    await registerWebPage(http, config.webDir);
    await http.ready();
  } catch (e) {
    if (ownsDb) await db.close();
    throw e;
  }
  let closing: Promise<void> | undefined;
  return {
    config,
    db,
    http,
    logger,
    services,
    verifier,
    close() {
      closing ??= (async () => {
        await http.close();
        if (ownsDb) await db.close();
        logger.flush();
      })();
      return closing;
    },
  };
}
