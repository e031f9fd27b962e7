// DMP-05: a closed record is kept 10 years, then purged; within them the patient may reactivate.
import type { RecordContext } from './record.js';

export const RETENTION_YEARS = 10;

/** The instant the retention of a record closed at `closedAt` ends; throws on a bad timestamp. */
export function retentionEndsAt(closedAt: string): Date {
  const t = Date.parse(closedAt);
  if (Number.isNaN(t)) throw new RangeError(`not a timestamp: ${closedAt}`);
  const end = new Date(t);
  end.setUTCFullYear(end.getUTCFullYear() + RETENTION_YEARS);
  return end;
}

/** Past the retention: reactivation is refused and the purge may run. */
export function retentionExpired(ctx: Pick<RecordContext, 'status' | 'closedAt'>, now: Date): boolean {
  if (ctx.status !== 'closed' || ctx.closedAt === undefined) return false;
  const t = Date.parse(ctx.closedAt);
  // A closed record with an unreadable closing date is kept: purging is irreversible.
  return !Number.isNaN(t) && retentionEndsAt(ctx.closedAt).getTime() <= now.getTime();
}
