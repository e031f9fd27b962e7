// Traced work outside guarded(): the account and login use cases act on the account, not on the
// record's documents, yet every one of them is traced (TRACE-01, AUTH-04). A failure is traced in
// a transaction of its own, since the failed work is rolled back.
import type { Actor } from '../domain/actor.js';
import { CarnetError } from '../domain/errors.js';
import type { Tx } from '../store/db.js';
import type { AccountRow } from '../store/account-repo.js';
import type { Caller, ServiceDeps } from './deps.js';
import { traceCall, type TraceExtra } from './guard.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(v: unknown): v is string {
  return typeof v === 'string' && UUID.test(v);
}

/** The actor an account acts as once logged in. */
export function accountActor(row: Pick<AccountRow, 'patient_key' | 'account_id' | 'role' | 'representative_id'>): Actor {
  return row.role === 'patient'
    ? { kind: 'patient', patientKey: row.patient_key, accountId: row.account_id }
    : { kind: 'legal_representative', patientKey: row.patient_key, representativeId: row.representative_id!, accountId: row.account_id };
}

export async function tracedWork<T>(
  deps: ServiceDeps,
  caller: Caller,
  what: { patientKey: string | null; action: string; trace?: TraceExtra },
  work: (tx: Tx, trace: (extra: TraceExtra) => void) => Promise<T>,
): Promise<T> {
  let extra: TraceExtra = what.trace ?? {};
  try {
    return await deps.db.transaction(async (tx) => {
      const value = await work(tx, (more) => {
        extra = { ...extra, ...more, details: { ...extra.details, ...more.details } };
      });
      await traceCall(tx, deps, caller, what.patientKey, what.action, 'success', extra);
      return value;
    });
  } catch (e) {
    if (e instanceof CarnetError) {
      const chain = e.code === 'unknown_patient' ? null : what.patientKey;
      await deps.db
        .transaction((tx) =>
          traceCall(tx, deps, caller, chain, what.action, e.code === 'forbidden' ? 'denied' : 'failure', { ...extra, reason: e.reason ?? e.code }),
        )
        .catch(() => {});
    }
    throw e;
  }
}

/**
 * TRACE-01 for the support desk's work lists: what a list shows of a record (a copy request's
 * address, a request naming a record) is an access to that record. The rows are read and each
 * listed record's chain gets its row in one transaction, records in key order so that two
 * listings running at once take the chains' heads in the same order. `listing` also traces the
 * list as a whole on the security log (chain null), first, counting every row, those naming no
 * record included.
 */
export async function readAndTraceListed<R>(
  deps: ServiceDeps,
  caller: Caller,
  action: string,
  read: (tx: Tx) => Promise<R[]>,
  recordOf: (row: R) => string | null,
  details: Record<string, unknown>,
  options: { listing?: boolean } = {},
): Promise<R[]> {
  return deps.db.transaction(async (tx) => {
    const rows = await read(tx);
    const listedByRecord = new Map<string, number>();
    for (const row of rows) {
      const key = recordOf(row);
      if (key !== null) listedByRecord.set(key, (listedByRecord.get(key) ?? 0) + 1);
    }
    const chains: Array<[string | null, number]> = [...listedByRecord.keys()].sort().map((key) => [key, listedByRecord.get(key)!]);
    if (options.listing) chains.unshift([null, rows.length]);
    for (const [chain, listed] of chains) {
      await traceCall(tx, deps, caller, chain, action, 'success', { details: { ...details, listed } });
    }
    return rows;
  });
}
