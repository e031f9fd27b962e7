// DMP-06: an operator announces a window during which one function is unavailable; the others
// go on. The windows are read from the database (every instance sees them) and kept a few
// seconds in memory so that a check costs nothing on the hot path.
import { randomUUID } from 'node:crypto';
import { actorId } from '../domain/actor.js';
import { CarnetError } from '../domain/errors.js';
import { activeWindow, maintenanceWindowProblem, type MaintenanceWindow } from '../domain/maintenance.js';
import { cancelWindow, insertWindow, listWindows, type MaintenanceRow } from '../store/maintenance-repo.js';
import type { Caller, ServiceDeps } from './deps.js';
import { traceCall } from './guard.js';

/** The functions a window can suspend, as the doors name them. */
export const SUSPENDABLE = ['record.create', 'document.submit', 'document.search', 'document.retrieve', 'metadata.update', 'consent', 'patient.login'] as const;
export type SuspendableFunction = (typeof SUSPENDABLE)[number];

const CACHE_MS = 5_000;

function ensureOperator(caller: Caller): void {
  if (caller.actor.kind !== 'support' && caller.actor.kind !== 'system') throw new CarnetError('forbidden', 'only operators plan maintenance');
}

export function maintenanceService(deps: ServiceDeps) {
  let cache: { at: number; rows: MaintenanceRow[] } | null = null;

  const asWindow = (r: MaintenanceRow): MaintenanceWindow => ({
    functionName: r.function,
    startsAt: r.starts_at.toISOString(),
    endsAt: r.ends_at.toISOString(),
    message: r.message,
  });

  async function windows(): Promise<MaintenanceRow[]> {
    const now = deps.clock.now();
    if (!cache || now.getTime() - cache.at > CACHE_MS || now.getTime() < cache.at) {
      cache = { at: now.getTime(), rows: await listWindows(deps.db, now) };
    }
    return cache.rows;
  }

  return {
    /** Current and announced windows, readable by every client. */
    async announced(): Promise<MaintenanceRow[]> {
      return windows();
    },

    /** Throws `unavailable` when the function is inside a window now. */
    async ensureAvailable(fn: string): Promise<void> {
      const active = activeWindow((await windows()).map(asWindow), fn, deps.clock.now());
      if (active) {
        const seconds = Math.max(1, Math.ceil((Date.parse(active.endsAt) - deps.clock.now().getTime()) / 1000));
        throw new CarnetError('unavailable', `temporarily unavailable until ${active.endsAt}: ${active.message}`, { reason: 'maintenance', retryAfter: seconds });
      }
    },

    async announce(caller: Caller, w: { function: SuspendableFunction; startsAt: Date; endsAt: Date; message: string }): Promise<MaintenanceRow> {
      if (!SUSPENDABLE.includes(w.function)) throw new CarnetError('invalid_metadata', `unknown function ${w.function}`);
      const problem = maintenanceWindowProblem({ functionName: w.function, startsAt: w.startsAt.toISOString(), endsAt: w.endsAt.toISOString() });
      if (problem) throw new CarnetError('invalid_metadata', problem);
      ensureOperator(caller);
      const row: MaintenanceRow = {
        window_id: randomUUID(),
        function: w.function,
        starts_at: w.startsAt,
        ends_at: w.endsAt,
        message: w.message,
        created_by: actorId(caller.actor),
        created_at: deps.clock.now(),
      };
      await deps.db.transaction(async (tx) => {
        await insertWindow(tx, row);
        await traceCall(tx, deps, caller, null, 'maintenance.announce', 'success', { details: { function: w.function } });
      });
      cache = null;
      return row;
    },

    /** Cancels a window not over yet (current or announced); not_found for any other id. */
    async cancel(caller: Caller, windowId: string): Promise<MaintenanceRow> {
      ensureOperator(caller);
      const row = await deps.db.transaction(async (tx) => {
        const cancelled = await cancelWindow(tx, windowId, actorId(caller.actor), deps.clock.now());
        if (!cancelled) throw new CarnetError('not_found', `no maintenance window ${windowId} to cancel (unknown, over, or already cancelled)`);
        await traceCall(tx, deps, caller, null, 'maintenance.cancel', 'success', { details: { window: windowId, function: cancelled.function } });
        return cancelled;
      });
      cache = null;
      return row;
    },
  };
}

export type MaintenanceService = ReturnType<typeof maintenanceService>;
export type { MaintenanceRow };
