// Opens the store the configuration asks for: PostgreSQL when a URL is given, else PGlite in a
// directory. Migrations are applied before anything else may use it.
import type { Db } from './db.js';
import { lockDataDir, prepareDataDir } from './dir-lock.js';
import { migrate } from './migrations.js';

export interface StoreOptions {
  databaseUrl?: string;
  dataDir: string;
  maxConnections: number;
  /** PostgreSQL: a statement running longer is cancelled (the request answers 503) */
  statementTimeoutMs?: number;
}

export async function openDb(options: StoreOptions): Promise<Db> {
  // Only the driver in use is loaded: one fewer to load at every start.
  if (options.databaseUrl) {
    const { openPostgres } = await import('./pg-db.js');
    return openPostgres({ connectionString: options.databaseUrl, maxConnections: options.maxConnections, statementTimeoutMs: options.statementTimeoutMs });
  }
  prepareDataDir(options.dataDir);
  const release = lockDataDir(options.dataDir);
  try {
    const { openPglite } = await import('./pglite-db.js');
    const db = await openPglite({ dataDir: options.dataDir });
    const close = db.close.bind(db);
    return {
      ...db,
      async close() {
        try {
          await close();
        } finally {
          release();
        }
      },
    };
  } catch (e) {
    release();
    throw e;
  }
}

/** Opens and migrates; closes again if migrating fails so that nothing keeps the process alive. */
export async function openMigratedDb(options: StoreOptions): Promise<Db> {
  const db = await openDb(options);
  try {
    await migrate(db);
    return db;
  } catch (e) {
    await db.close().catch(() => {});
    throw e;
  }
}
