// Composition: configuration -> store -> services -> doors. Nothing here decides anything.
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/config.js';
import { registerFhirDoor } from './fhir/door.js';
import { registerHealth } from './http/health.js';
import { registerDevOutbox } from './http/dev-outbox.js';
import { registerMaintenance } from './http/maintenance.js';
import { registerMaintenanceAdmin } from './http/admin-maintenance.js';
import { registerWebPage } from './http/web-page.js';
import { buildHttpServer } from './http/server.js';
import { flushLog } from './http/log-destination.js';
import { patientAccessOptions } from './auth/access-options.js';
import { createBearerVerifier, type BearerVerifier } from './auth/bearer.js';
import { serverSigningKeys } from './auth/server-keys.js';
import { registerAuthRoutes } from './auth/routes.js';
import type { Db } from './store/db.js';
import { registerXdsDoor } from './xds/door.js';
import type { Logger } from 'pino';
import { defaultLogger, openServices, type AppOptions } from './core.js';
import { loadPolicy } from './profiles/load.js';
import type { Services } from './services/index.js';
import { systemClock } from './services/deps.js';

export type { AppOptions } from './core.js';

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

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? defaultLogger(config);
  // The policy is checked before anything opens: a broken matrix stops the start.
  const policy = options.policy ?? loadPolicy(config.profilesDir);
  // The server's secrets next: a data directory it cannot write stops the start before the
  // database is touched.
  const access = patientAccessOptions(config);
  const localKeys = await serverSigningKeys(config);
  const { db, ownsDb, services } = await openServices(config, options, logger, policy, access);
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
        await flushLog(logger);
      })();
      return closing;
    },
  };
}
