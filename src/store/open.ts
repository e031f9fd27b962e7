// Opens the store the configuration asks for: PostgreSQL when a URL is given, else PGlite in a
// directory. Migrations are applied before anything else may use it.
import type { Db } from './db.js';
import { lockDataDir, prepareDataDir } from './dir-lock.js';
import { migrate } from './migrations.js';
import { openPostgres } from './pg-db.js';
import { openPglite } from './pglite-db.js';

export interface StoreOptions {
  databaseUrl?: string;
  dataDir: string;
  maxConnections: number;
}

export async function openDb(options: StoreOptions): Promise<Db> {
  if (options.databaseUrl) {
    return openPostgres({ connectionString: options.databaseUrl, maxConnections: options.maxConnections });
  }
  prepareDataDir(options.dataDir);
  const release = lockDataDir(options.dataDir);
  try {
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
