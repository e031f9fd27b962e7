// The shape of every use case on a record: one transaction that loads the record's context,
// asks the rules, acts, and writes the trace (DESIGN: load -> decide -> act -> trace). A refusal
// is traced too, in a transaction of its own since the refused work is not done. If the trace
// cannot be written, the action fails with it (TRACE-01).
import type { Action } from '../domain/actions.js';
import { boundPatientOf } from '../domain/binding.js';
import { decide } from '../domain/decide.js';
import { CarnetError } from '../domain/errors.js';
import { documentFacts, type DocumentFacts } from '../domain/record.js';
import { hidesExistence, type ReasonCode } from '../domain/reasons.js';
import type { StoredDocumentEntry } from '../domain/model.js';
import type { Tx } from '../store/db.js';
import { loadRecord, type LoadedRecord } from '../store/record-repo.js';
import { appendTrace, type TraceEntry } from '../store/trace-repo.js';
import type { Caller, ServiceDeps } from './deps.js';
import { accessModeOf, traceActor } from './trace-actor.js';

export type TraceExtra = Partial<Pick<TraceEntry, 'document' | 'target' | 'details' | 'reason'>> & { action?: string };

/** Writes one trace row for the caller in the current transaction. */
export async function traceCall(
  tx: Tx,
  deps: ServiceDeps,
  caller: Caller,
  patientKey: string | null,
  action: string,
  outcome: TraceEntry['outcome'],
  extra: TraceExtra & { emergency?: boolean } = {},
): Promise<void> {
  const actor = caller.actor;
  await appendTrace(tx, {
    patientKey,
    occurredAt: deps.clock.now(),
    actor: traceActor(actor),
    action: extra.action ?? action,
    outcome,
    reason: extra.reason ?? null,
    accessMode: accessModeOf(actor),
    onPatientRequest: actor.kind === 'professional' ? !!actor.onPatientRequest : false,
    document: extra.document ?? null,
    target: extra.target ?? null,
    channel: caller.channel,
    requestId: caller.requestId ?? null,
    details: { ...(extra.details ?? {}), ...(extra.emergency ? { emergency: true } : {}) },
  });
}

/**
 * The error a door sees for a refusal; hidden documents look absent (ACC-08). A caller bound to
 * another patient (ACC-10) is told so when it named a record, and finds no document when it named
 * a document: saying more would confirm that the other patient's document exists.
 */
export function refusal(reason: ReasonCode, concerns: 'record' | 'document' = 'record'): CarnetError {
  if (reason === 'other_patient') {
    return concerns === 'document'
      ? new CarnetError('not_found', 'no such document')
      : new CarnetError('forbidden', "refused: the request concerns another patient than the one the caller's identity assertion names", { reason });
  }
  if (hidesExistence(reason)) return new CarnetError('not_found', 'no such document', { reason });
  if (reason === 'record_closed') return new CarnetError('record_closed', 'the record is closed', { reason });
  return new CarnetError('forbidden', `refused: ${reason.replace(/_/g, ' ')}`, { reason });
}

export interface GuardedWork<T> {
  /** the record concerned */
  patientKey: string;
  action: Action;
  /** the document the action concerns, loaded inside the transaction (after the record lock) */
  loadDocument?: (tx: Tx) => Promise<StoredDocumentEntry | null>;
  /** lock the record row (writes) */
  lock?: boolean;
  /** what the trace row names besides the action */
  trace?: TraceExtra;
  act: (work: {
    tx: Tx;
    record: LoadedRecord;
    document: StoredDocumentEntry | null;
    emergency: boolean;
    /** adds a row to the trace besides the main one */
    trace: (action: string, extra?: TraceExtra) => Promise<void>;
  }) => Promise<T>;
  /** the act writes its own trace rows (e.g. one per deposited document) */
  skipMainTrace?: boolean;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; reason: ReasonCode; trace: TraceExtra };

export async function guarded<T>(deps: ServiceDeps, caller: Caller, work: GuardedWork<T>): Promise<T> {
  let outcome: Outcome<T>;
  let recordMissing = false;
  try {
    outcome = await deps.db.transaction(async (tx): Promise<Outcome<T>> => {
      const record = await loadRecord(tx, work.patientKey, work.lock ?? false);
      recordMissing = !record;
      if (!record) throw new CarnetError('unknown_patient', 'no DMP for this patient');
      const document = work.loadDocument ? await work.loadDocument(tx) : null;
      if (work.loadDocument && !document) throw new CarnetError('not_found', 'no such document');
      const facts: DocumentFacts | null = document ? documentFacts(document) : null;
      const docTrace = document
        ? { document: { logicalId: document.logicalId.slice(9), entryUuid: document.entryUuid.slice(9), uniqueId: document.uniqueId } }
        : {};
      const decision = decide(deps.policy, caller.actor, record.context, facts, work.action, deps.clock.now());
      if (!decision.permit) {
        const trace = { ...docTrace, ...work.trace, reason: decision.reason };
        await traceCall(tx, deps, caller, work.patientKey, work.action, 'denied', trace);
        return { ok: false, reason: decision.reason, trace };
      }
      const value = await work.act({
        tx,
        record,
        document,
        emergency: decision.emergency,
        trace: (action, extra = {}) =>
          traceCall(tx, deps, caller, work.patientKey, action, 'success', { ...extra, emergency: decision.emergency }),
      });
      if (!work.skipMainTrace) {
        await traceCall(tx, deps, caller, work.patientKey, work.action, 'success', {
          ...docTrace,
          ...work.trace,
          emergency: decision.emergency,
        });
      }
      return { ok: true, value };
    });
  } catch (e) {
    // ACC-10: a caller bound to a patient named a record that does not exist; it is not that
    // patient's, and the answer must not differ from the one about another patient's record.
    if (recordMissing && boundPatientOf(caller.actor) !== undefined) {
      await deps.db.transaction((tx) => traceCall(tx, deps, caller, null, work.action, 'denied', { ...work.trace, reason: 'other_patient' }));
      throw refusal('other_patient');
    }
    // The work failed (bad input, conflict...): nothing of it stays, but the attempt is traced.
    if (e instanceof CarnetError && e.code !== 'unknown_patient') {
      await deps.db
        .transaction((tx) =>
          traceCall(tx, deps, caller, work.patientKey, work.action, 'failure', {
            ...work.trace,
            reason: e.reason ?? e.code,
          }),
        )
        .catch(() => {});
    }
    throw e;
  }
  if (!outcome.ok) throw refusal(outcome.reason, work.loadDocument ? 'document' : 'record');
  return outcome.value;
}
