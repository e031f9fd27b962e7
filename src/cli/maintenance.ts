// `carnet maintenance announce|list`: operators announce a window during which one function is
// unavailable (DMP-06); the others go on.
import { loadConfig } from '../config/config.js';
import { ConfigError } from '../config/env.js';
import { createApp } from '../app.js';
import { SUSPENDABLE, type SuspendableFunction } from '../services/maintenance.js';
import { optionString, parseArgs } from './args.js';
import type { Command } from './commands.js';

const USAGE = `usage:
  carnet maintenance announce --function <${SUSPENDABLE.join('|')}> --from <ISO time> --to <ISO time> --message <text>
  carnet maintenance list`;

function time(name: string, v: string | undefined): Date {
  const d = v ? new Date(v) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new ConfigError(`--${name}: expected an ISO date-time\n${USAGE}`);
  return d;
}

export const maintenanceCommand: Command = {
  usage: USAGE,
  async run(args) {
    const p = parseArgs(args);
    const sub = p.positional[0];
    if (sub !== 'announce' && sub !== 'list') {
      console.error(USAGE);
      return 2;
    }
    const app = await createApp({ ...loadConfig(), logLevel: 'warn' });
    try {
      if (sub === 'announce') {
        const fn = optionString(p, 'function') as SuspendableFunction | undefined;
        if (!fn || !SUSPENDABLE.includes(fn)) throw new ConfigError(`--function: expected one of ${SUSPENDABLE.join(', ')}`);
        const w = await app.services.maintenance.announce(
          { actor: { kind: 'system', component: 'carnet-cli' }, channel: 'cli' },
          { function: fn, startsAt: time('from', optionString(p, 'from')), endsAt: time('to', optionString(p, 'to')), message: optionString(p, 'message') ?? 'maintenance' },
        );
        console.log(`announced: ${w.function} unavailable from ${w.starts_at.toISOString()} to ${w.ends_at.toISOString()}`);
      } else {
        for (const w of await app.services.maintenance.announced()) {
          console.log(`${w.function}\t${w.starts_at.toISOString()}\t${w.ends_at.toISOString()}\t${w.message}`);
        }
      }
    } finally {
      await app.close();
    }
  },
};
