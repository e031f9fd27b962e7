// `carnet trace verify`: checks every lane of every record's hash chain (TRACE-02) and the server's security
// log (TRACE-05), and names the first broken row of each broken chain. Exit status 1 when
// anything is broken.
import { loadConfig } from '../config/config.js';
import { verifySecurityLog } from '../store/security-log-repo.js';
import { inReadOnlySnapshot } from '../store/snapshot.js';
import { verifyTrace } from '../store/trace-verify.js';
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
      // Both chains from one snapshot: a server may be writing to them meanwhile.
      const { result, log } = await inReadOnlySnapshot(db, async (snapshot) => ({
        result: await verifyTrace(snapshot),
        log: await verifySecurityLog(snapshot),
      }));
      for (const b of result.broken) {
        console.log(`BROKEN chain ${b.chainKey} lane ${b.lane} at row ${b.seq}${b.traceId ? ` (trace ${b.traceId})` : ''}: ${b.problem}`);
      }
      console.log(`${result.chains} chains (${result.lanes} lanes), ${result.rows} rows checked: ${result.broken.length ? `${result.broken.length} broken` : 'intact'}`);
      if (log.broken) {
        console.log(`BROKEN security log at row ${log.broken.seq}${log.broken.id ? ` (entry ${log.broken.id})` : ''}: ${log.broken.problem}`);
      }
      const pending = log.pendingSuppressed ? ` (${log.pendingSuppressed} refusals counted since its last row)` : '';
      console.log(`security log, ${log.rows} rows checked: ${log.broken ? 'broken' : 'intact'}${pending}`);
      return result.broken.length || log.broken ? 1 : 0;
    } finally {
      await db.close();
    }
  },
};
