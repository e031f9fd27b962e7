// A permitted read of one record in two round trips: the record's load, then one statement that
// appends the access's trace row and reads what the access reads, both or neither. The statement
// runs outside a transaction block, so PostgreSQL commits it as a transaction of its own: the
// read and its trace row stay in one transaction (TRACE-01), without BEGIN and COMMIT round trips.
// Whenever this way cannot answer for certain (no record, no lane 0 head yet, a refusal to trace,
// an emergency access, lane 0 held or moved by another access, a store error), it answers nothing and writes nothing,
// and the caller takes guarded()'s way, which decides, traces and reads again from the start.
import type { Action } from '../domain/actions.js';
import { decide } from '../domain/decide.js';
import type { SqlParams } from '../store/sql-params.js';
import { loadRecord, type LoadedRecord } from '../store/record-repo.js';
import { appendTraceWithRead } from '../store/trace-repo.js';
import type { Caller, ServiceDeps } from './deps.js';
import { traceEntryOf, type TraceExtra } from './guard.js';

export interface OneStatementRead {
  patientKey: string;
  action: Action;
  trace?: TraceExtra;
  /**
   * The read of the permitted access on the loaded record: a SELECT whose WHERE includes `gate`,
   * on parameters added to `p`; null when this read cannot be made so (guarded()'s way then).
   */
  select: (record: LoadedRecord) => ((p: SqlParams, gate: string) => string) | null;
}

/**
 * The rows of `work.select`, read and traced in one statement, with the record they were decided
 * on; undefined when nothing was read nor written, and the caller must take guarded()'s way.
 */
export async function readTracedInOneStatement<R extends object>(
  deps: ServiceDeps,
  caller: Caller,
  work: OneStatementRead,
): Promise<{ record: LoadedRecord; rows: R[] } | undefined> {
  // Outside a transaction block, the load sees what a load inside one would (READ COMMITTED:
  // each statement its own snapshot, no lock taken by a read either way).
  const record = await loadRecord(deps.db, work.patientKey, false).catch(() => null);
  if (!record?.traceHead) return undefined;
  const decision = decide(deps.policy, caller.actor, record.context, null, work.action, deps.clock.now());
  // a refusal is traced as guarded() traces it; an emergency access takes guarded()'s way too
  if (!decision.permit || decision.emergency) return undefined;
  const select = work.select(record);
  if (!select) return undefined;
  const entry = traceEntryOf(deps, caller, work.patientKey, work.action, 'success', work.trace);
  // A store error: the statement, a transaction of its own, wrote nothing (or, were the connection
  // lost after its commit, a row the retry's row follows: an access traced twice, never
  // untraced); guarded()'s way answers it, and traces a failure, as it would have.
  const r = await appendTraceWithRead<R>(deps.db, entry, record.traceHead, select).catch(() => undefined);
  return r?.appended ? { record, rows: r.rows } : undefined;
}
