// `carnet migrate`: applies pending migrations and reports the schema version.
import { loadConfig } from '../config/config.js';
import { openDb } from '../store/open.js';
import { migrate } from '../store/migrations.js';
import type { Command } from './commands.js';

export const migrateCommand: Command = {
  async run() {
    const config = loadConfig();
    const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, maxConnections: 1 });
    try {
      const report = await migrate(db);
      console.log(
        report.applied.length
          ? `applied migrations ${report.applied.join(', ')}; schema at version ${report.current}`
          : `nothing to apply; schema at version ${report.current}`,
      );
    } finally {
      await db.close();
    }
  },
};
