// `carnet outbox [--to address]`: the messages waiting in (or sent from) the outbox, for
// development without a mail server or an SMS gateway: that is where one-time codes and alerts
// are then read. Refused unless CARNET_DEV_MODE=true, since codes are secrets.
import { loadConfig } from '../config/config.js';
import { ConfigError } from '../config/env.js';
import { openMigratedDb } from '../store/open.js';
import { listOutbox } from '../store/outbox-repo.js';
import { optionString, parseArgs } from './args.js';
import type { Command } from './commands.js';

export const outboxCommand: Command = {
  async run(args) {
    const config = loadConfig();
    if (!config.devMode) throw new ConfigError('CARNET_DEV_MODE: the outbox holds one-time codes and is shown only when it is true');
    const p = parseArgs(args);
    const db = await openMigratedDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, maxConnections: 1 });
    try {
      const rows = await listOutbox(db, { recipient: optionString(p, 'to') });
      for (const r of rows.slice(-20)) {
        const state = r.sent_at ? 'sent' : r.abandoned_at ? 'abandoned' : 'waiting';
        console.log(`${r.created_at.toISOString()} ${r.channel} to ${r.recipient} [${r.kind}, ${state}] ${r.subject ?? ''}\n  ${r.body.replace(/\n/g, '\n  ')}`);
      }
      if (!rows.length) console.log('the outbox is empty');
    } finally {
      await db.close();
    }
  },
};
