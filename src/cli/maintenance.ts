// `carnet maintenance announce|list|cancel`: operators plan a window during which one function is
// unavailable (DMP-06); the others go on. With --server, the command asks the running server
// (its /admin/maintenance route, with the operator's token in CARNET_ADMIN_TOKEN); without it, it
// opens the store itself (PostgreSQL, or an embedded store no server holds).
import { loadConfig } from '../config/config.js';
import { ConfigError } from '../config/env.js';
import { CarnetError } from '../domain/errors.js';
import { SUSPENDABLE, type SuspendableFunction } from '../services/maintenance.js';
import { optionString, parseArgs } from './args.js';
import type { Command } from './commands.js';

const USAGE = `usage:
  carnet maintenance announce --function <${SUSPENDABLE.join('|')}> --from <ISO time> --to <ISO time> --message <text>
  carnet maintenance list
  carnet maintenance cancel <window id>
options:
  --server <URL>   ask the running server (CARNET_ADMIN_TOKEN: an operator's bearer token)`;

interface Window {
  id: string;
  function: string;
  startsAt: string;
  endsAt: string;
  message: string;
}

function time(name: string, v: string | undefined): string {
  const d = v ? new Date(v) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new ConfigError(`--${name}: expected an ISO date-time\n${USAGE}`);
  return d.toISOString();
}

/** The three operations, on the store itself or on a running server. */
interface Desk {
  announce(w: { function: string; startsAt: string; endsAt: string; message: string }): Promise<Window>;
  list(): Promise<Window[]>;
  cancel(id: string): Promise<void>;
  close(): Promise<void>;
}

async function localDesk(): Promise<Desk> {
  // Loaded here only: with --server the command is a small HTTP client, and the services (a
  // second of CPU to load) are the server's.
  const { createCore } = await import('../core.js');
  const app = await createCore({ ...loadConfig(), logLevel: 'warn' });
  const caller = { actor: { kind: 'system' as const, component: 'carnet-cli' }, channel: 'cli' as const };
  const m = app.services.maintenance;
  const json = (w: Awaited<ReturnType<typeof m.announce>>): Window => ({ id: w.window_id, function: w.function, startsAt: w.starts_at.toISOString(), endsAt: w.ends_at.toISOString(), message: w.message });
  return {
    announce: async (w) => json(await m.announce(caller, { function: w.function as SuspendableFunction, startsAt: new Date(w.startsAt), endsAt: new Date(w.endsAt), message: w.message })),
    list: async () => (await m.announced()).map(json),
    cancel: async (id) => void (await m.cancel(caller, id)),
    close: () => app.close(),
  };
}

function remoteDesk(server: string): Desk {
  const token = process.env.CARNET_ADMIN_TOKEN;
  if (!token) throw new ConfigError('CARNET_ADMIN_TOKEN: an operator token is needed to reach the server');
  const base = `${server.replace(/\/$/, '')}/admin/maintenance`;
  async function ask(path: string, init: RequestInit = {}): Promise<unknown> {
    const res = await fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }).catch((e: unknown) => {
      // a server that is not there (refused, unknown host, bad URL): the operator's to fix, on one line
      const why = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new ConfigError(`--server ${server}: no answer (${why?.code ?? why?.message ?? (e as Error).message})`);
    });
    if (res.status === 204) return null;
    const body = (await res.json().catch(() => ({}))) as { issue?: Array<{ diagnostics?: string }> };
    if (!res.ok) throw new CarnetError('business_rule', `the server answered ${res.status}: ${body.issue?.[0]?.diagnostics ?? res.statusText}`);
    return body;
  }
  return {
    announce: async (w) => (await ask('', { method: 'POST', body: JSON.stringify(w) })) as Window,
    list: async () => ((await ask('')) as { windows: Window[] }).windows,
    cancel: async (id) => void (await ask(`/${encodeURIComponent(id)}`, { method: 'DELETE' })),
    close: async () => {},
  };
}

export const maintenanceCommand: Command = {
  usage: USAGE,
  async run(args) {
    const p = parseArgs(args);
    const [sub, id] = p.positional;
    if (sub !== 'announce' && sub !== 'list' && !(sub === 'cancel' && id)) {
      console.error(USAGE);
      return 2;
    }
    let window: Parameters<Desk['announce']>[0] | null = null;
    if (sub === 'announce') {
      const fn = optionString(p, 'function');
      if (!fn || !SUSPENDABLE.includes(fn as SuspendableFunction)) throw new ConfigError(`--function: expected one of ${SUSPENDABLE.join(', ')}`);
      window = { function: fn, startsAt: time('from', optionString(p, 'from')), endsAt: time('to', optionString(p, 'to')), message: optionString(p, 'message') ?? 'maintenance' };
    }
    const server = optionString(p, 'server');
    const desk = server ? remoteDesk(server) : await localDesk();
    try {
      if (window) {
        const w = await desk.announce(window);
        console.log(`announced ${w.id}: ${w.function} unavailable from ${w.startsAt} to ${w.endsAt}`);
      } else if (sub === 'cancel') {
        await desk.cancel(id!);
        console.log(`cancelled ${id}`);
      } else {
        for (const w of await desk.list()) console.log(`${w.id}\t${w.function}\t${w.startsAt}\t${w.endsAt}\t${w.message}`);
      }
    } finally {
      await desk.close();
    }
  },
};
