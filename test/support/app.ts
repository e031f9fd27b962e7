// A real server on an ephemeral port for end-to-end tests, on a test database.
import pino from 'pino';
import { createApp, type App } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import type { Db } from '../../src/store/db.js';

export interface RunningApp {
  app: App;
  baseUrl: string;
  close(): Promise<void>;
}

export async function startTestApp(db: Db, env: Record<string, string> = {}): Promise<RunningApp> {
  const config: Config = { ...loadConfig({ CARNET_LOG_LEVEL: 'silent', ...env }), host: '127.0.0.1', port: 0 };
  const app = await createApp(config, { db, logger: pino({ level: env.CARNET_LOG_LEVEL ?? 'silent' }) });
  const address = await app.http.listen({ host: '127.0.0.1', port: 0 });
  app.config.publicUrl = address;
  return { app, baseUrl: address, close: () => app.close() };
}
