// The shape of every use case on a record: one transaction that loads the record's context,
// asks the rules, acts, and writes the trace (DESIGN: load -> decide -> act -> trace). A refusal
// is traced too, in a transaction of its own since the refused work is not done. If the trace
// cannot be written, the action fails with it (TRACE-01).
import type { Action } from '../domain/actions.js';
import { boundPatientOf } from '../domain/binding.js';
import { decide, type Decision } from '../domain/decide.js';
import { CarnetError } from '../domain/errors.js';
import { documentFacts, type DocumentFacts } from '../domain/record.js';
import { hidesExistence, hidesRecord, type ReasonCode } from '../domain/reasons.js';
import type { PatientIdentifier, StoredDocumentEntry } from '../domain/model.js';
import type { Statement } from '../store/combined-writes.js';
import type { Tx } from '../store/db.js';
import { loadRecord, loadRecordByIdentifier, type LoadedRecord } from '../store/record-repo.js';
import { appendTrace, type ChainHead, type TraceEntry } from '../store/trace-repo.js';
import type { Caller, ServiceDeps } from './deps.js';
import { accessModeOf, traceActor } from './trace-actor.js';

export type TraceExtra = Partial<Pick<TraceEntry, 'document' | 'target' | 'details' | 'reason'>> & { action?: string };

/**
 * Writes one trace row for the caller in the current transaction. `head`: a lane's head as last
 * read (appendTrace tries that lane first, before locking one to read it); the row written is the
 * new head of its lane, which this transaction holds until it commits.
 */
export async function traceCall(
  tx: Tx,
  deps: ServiceDeps,
  caller: Caller,
  patientKey: string | null,
  action: string,
  outcome: TraceEntry['outcome'],
  extra: TraceExtra & { emergency?: boolean } = {},
  head?: ChainHead | null,
  along: Statement[] = [],
): Promise<ChainHead> {
  return appendTrace(tx, traceEntryOf(deps, caller, patientKey, action, outcome, extra), head, along);
}

/** The trace row of one access by the caller, as traceCall writes it. */
export function traceEntryOf(
  deps: ServiceDeps,
  caller: Caller,
  patientKey: string | null,
  action: string,
  outcome: TraceEntry['outcome'],
  extra: TraceExtra & { emergency?: boolean } = {},
): TraceEntry {
  const actor = caller.actor;
  return {
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
  };
}

/** What a door answers for a document the caller names but may not read: an unknown id's answer. */
export const NO_SUCH_DOCUMENT = 'no such document';

/**
 * ACC-08: the error for a document the caller may not read, the same as for an id that names
 * nothing; the reason stays on the error (and in the trace), never in what a door shows.
 */
export function unknownDocument(reason?: ReasonCode): CarnetError {
  return new CarnetError('not_found', NO_SUCH_DOCUMENT, reason ? { reason } : {});
}

/**
 * The error a door sees for a refusal; hidden documents look absent (ACC-08). A caller bound to
 * another patient (ACC-10) is told so when it named a record; when it named a document, the
 * document is concealed (guarded() answers unknownDocument), since saying more would confirm
 * that the other patient's document exists.
 */
export function refusal(reason: ReasonCode): CarnetError {
  if (reason === 'other_patient') {
    return new CarnetError('forbidden', "refused: the request concerns another patient than the one the caller's identity assertion names", { reason });
  }
  if (hidesExistence(reason)) return unknownDocument(reason);
  if (reason === 'record_closed') return new CarnetError('record_closed', 'the record is closed', { reason });
  return new CarnetError('forbidden', `refused: ${reason.replace(/_/g, ' ')}`, { reason });
}

/**
 * The record concerned: its key, or one of its patient identifiers (INS...), which the statement
 * loading the record looks up itself inside the transaction, so that a request naming its patient
 * by identifier costs no look-up (and no transaction) of its own. `missing` is the error for an
 * identifier no record has (an unknown_patient one: not traced, as when no record is named).
 */
export type GuardedRecord =
  | { patientKey: string; byIdentifier?: never; missing?: never }
  | { patientKey?: never; byIdentifier: PatientIdentifier; missing: () => CarnetError };

export type GuardedWork<T> = GuardedRecord & {
  /**
   * The action, or the actions of one change made of several (a JSON Patch): each is decided on
   * the same record and document, all must be permitted, and the first refusal answers for the
   * whole; nothing of it is done then.
   */
  action: Action | readonly [Action, ...Action[]];
  /** the document the action concerns, loaded inside the transaction (after the record lock) */
  loadDocument?: (tx: Tx) => Promise<StoredDocumentEntry | null>;
  /** lock the record row (writes) */
  lock?: boolean;
  /**
   * The caller reached the record only through ids of its objects (XDS GetDocuments...): a
   * refusal answers as if those ids named nothing (not_found), so that an id cannot be used to
   * learn that a record the caller may not read holds it (ACC-08).
   */
  reachedByIds?: boolean;
  /** what the trace row names besides the action */
  trace?: TraceExtra;
  act: (work: {
    tx: Tx;
    record: LoadedRecord;
    document: StoredDocumentEntry | null;
    emergency: boolean;
    /**
     * adds a row to the trace besides the main one; `along`, writes of the act that read nothing
     * the act has written (combined-writes.ts), go before it in the same statement; answers the
     * row's place (its lane and sequence number)
     */
    trace: (action: string, extra?: TraceExtra, along?: Statement[]) => Promise<ChainHead>;
  }) => Promise<T>;
  /** the act writes its own trace rows (e.g. one per deposited document) */
  skipMainTrace?: boolean;
  /**
   * The request is already answered (an ITI-57 naming ids unknown to the caller): a refusal by
   * the record's rules is traced as any other, but the caller is given this answer instead, so
   * that what the rules decided is not told where the answer must not depend on it (ACC-08).
   */
  refusalAnswer?: () => CarnetError;
};

/** The error for a record that does not exist: the work's own, else unknown_patient. */
function missingRecord(work: Pick<GuardedRecord, 'missing'>): CarnetError {
  return work.missing?.() ?? new CarnetError('unknown_patient', 'no DMP for this patient');
}

type Outcome<T> = { ok: true; value: T } | { ok: false; reason: ReasonCode; concealed: boolean };

/** Every action decided, in order; the first refusal, or a permit (emergency if any part is one). */
function decideAll(deps: ServiceDeps, caller: Caller, ctx: LoadedRecord['context'], facts: DocumentFacts | null, actions: readonly Action[]): { action: Action; decision: Decision } {
  const now = deps.clock.now();
  let emergency = false;
  for (const action of actions) {
    const decision = decide(deps.policy, caller.actor, ctx, facts, action, now);
    if (!decision.permit) return { action, decision };
    emergency ||= decision.emergency;
  }
  return { action: actions[0], decision: { permit: true, emergency } };
}

export async function guarded<T>(deps: ServiceDeps, caller: Caller, work: GuardedWork<T>): Promise<T> {
  const actions: readonly Action[] = typeof work.action === 'string' ? [work.action] : work.action;
  let outcome: Outcome<T>;
  let recordMissing = false;
  // the record's key: as named, or as the load by identifier found it
  let patientKey = work.patientKey ?? null;
  try {
    outcome = await deps.db.transaction(async (tx): Promise<Outcome<T>> => {
      const record = work.byIdentifier
        ? await loadRecordByIdentifier(tx, work.byIdentifier, work.lock ?? false)
        : await loadRecord(tx, work.patientKey, work.lock ?? false);
      recordMissing = !record;
      if (!record) throw missingRecord(work);
      patientKey ??= record.context.patientKey;
      const document = work.loadDocument ? await work.loadDocument(tx) : null;
      if (work.loadDocument && !document) throw unknownDocument();
      const facts: DocumentFacts | null = document ? documentFacts(document) : null;
      const docTrace = document
        ? { document: { logicalId: document.logicalId.slice(9), entryUuid: document.entryUuid.slice(9), uniqueId: document.uniqueId } }
        : {};
      // Lane 0's head as the load read it, then the lane this transaction's appends hold as they
      // leave it: each append tries it first, saving the round trip that locks a head to read it,
      // and the rows of one access stay in one lane, in order.
      let head = record.traceHead ?? null;
      const trace = async (action: string, outcome: TraceEntry['outcome'], extra: TraceExtra & { emergency?: boolean }, along?: Statement[]) => {
        head = await traceCall(tx, deps, caller, patientKey, action, outcome, extra, head, along);
        return head;
      };
      const { action: decided, decision } = decideAll(deps, caller, record.context, facts, actions);
      if (!decision.permit) {
        await trace(decided, 'denied', { ...docTrace, ...work.trace, reason: decision.reason });
        // ACC-08: a document the caller may not even read is answered as an unknown id
        const concealed =
          work.reachedByIds === true || (facts !== null && !decide(deps.policy, caller.actor, record.context, facts, 'document.read', deps.clock.now()).permit);
        return { ok: false, reason: decision.reason, concealed };
      }
      const value = await work.act({
        tx,
        record,
        document,
        emergency: decision.emergency,
        trace: (action, extra = {}, along) => trace(action, 'success', { ...extra, emergency: decision.emergency }, along),
      });
      if (!work.skipMainTrace) {
        for (const action of actions) {
          await trace(action, 'success', { ...docTrace, ...work.trace, emergency: decision.emergency });
        }
      }
      return { ok: true, value };
    });
  } catch (e) {
    // ACC-10: a caller bound to a patient named a record that does not exist; it is not that
    // patient's, and the answer must not differ from the one about another patient's record.
    if (recordMissing && boundPatientOf(caller.actor) !== undefined) {
      await deps.db.transaction((tx) => traceCall(tx, deps, caller, null, actions[0], 'denied', { ...work.trace, reason: 'other_patient' }));
      throw refusal('other_patient');
    }
    // The work failed (bad input, conflict...): nothing of it stays, but the attempt is traced.
    if (e instanceof CarnetError && e.code !== 'unknown_patient') {
      await deps.db
        .transaction((tx) =>
          traceCall(tx, deps, caller, patientKey, actions[0], 'failure', {
            ...work.trace,
            reason: e.reason ?? e.code,
          }),
        )
        .catch(() => {});
    }
    throw e;
  }
  if (!outcome.ok) {
    if (work.refusalAnswer) throw work.refusalAnswer();
    if (outcome.concealed) throw unknownDocument(outcome.reason);
    // ACC-08: a record the patient side does not hold is answered as one that does not exist
    // (its refusal is traced on it above)
    if (hidesRecord(outcome.reason)) throw missingRecord(work);
    throw refusal(outcome.reason);
  }
  return outcome.value;
}
