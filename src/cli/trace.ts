// `carnet trace verify`: checks every record's hash chain (TRACE-02) and names the first broken
// row of each broken chain. Exit status 1 when anything is broken.
import { loadConfig } from '../config/config.js';
import { verifyTrace } from '../store/trace-repo.js';
import { openMigratedDb } from '../store/open.js';
import type { Command } from './commands.js';

export const traceCommand: Command = {
  async run(args) {
    if (args[0] !== 'verify') {
      console.error('usage: carnet trace verify');
      return 2;
    }
    const config = loadConfig();
    const db = await openMigratedDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, maxConnections: 2 });
    try {
      const result = await verifyTrace(db);
      for (const b of result.broken) {
        console.log(`BROKEN chain ${b.chainKey} at row ${b.seq}${b.traceId ? ` (trace ${b.traceId})` : ''}: ${b.problem}`);
      }
      console.log(`${result.chains} chains, ${result.rows} rows checked: ${result.broken.length ? `${result.broken.length} broken` : 'intact'}`);
      return result.broken.length ? 1 : 0;
    } finally {
      await db.close();
    }
  },
};
