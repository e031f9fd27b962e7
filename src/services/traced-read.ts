// A permitted read of one record in two round trips: the record's load, then one statement that
// appends the access's trace row and reads what the access reads, both or neither. The statement
// runs outside a transaction block, so PostgreSQL commits it as a transaction of its own: the
// read and its trace row stay in one transaction (TRACE-01), without BEGIN and COMMIT round trips.
// A lane's next read takes one round trip: decided (decide(), as always) on the lane's last load,
// its statement appends and reads only if the record is still in that load's state, column for
// column, as the statement itself sees it (recordUnchanged); else the load comes first, as above.
// Whenever this way cannot answer for certain (no record, no lane head yet, a refusal to trace,
// an emergency access, the lane held or moved by another access, every lane free of this process's
// reads found held or moved lately, a read's precondition unmet, a store error), it answers
// nothing and writes nothing, and the caller takes guarded()'s way, which decides, traces and
// reads again from the start. When every lane is taken by this process's reads of the record, a
// read waits for one of them (LanesInFlight.acquire).
import type { Action } from '../domain/actions.js';
import { decide } from '../domain/decide.js';
import type { SqlParams } from '../store/sql-params.js';
import { loadRecordWithState, recordUnchanged, type LoadedRecord } from '../store/record-repo.js';
import { appendTraceWithRead, TRACE_LANES, type ChainHead, type ReadPrecondition } from '../store/trace-repo.js';
import type { Caller, ServiceDeps } from './deps.js';
import { traceEntryOf, type TraceExtra } from './guard.js';
import type { PatientRef } from './patient-binding.js';

/**
 * Lanes of records lately found held or moved by a read in one statement (keyed by record and
 * lane, laneKey()): reads of the record leave that lane alone for a while, and take guarded()'s
 * way when no other lane is left. A lane another transaction holds (guarded()'s appends take the
 * lowest free lanes) would cost each read that tries it its two round trips before the
 * transaction. Kept per record once, all its reads then took the transaction for a second, whose
 * appends held the lanes the next reads tried: a record under steady load could stay there (seen
 * in a profile of ITI-18 ObjectRef, 8 clients on one record). A heuristic of this process alone:
 * it decides nothing about access or trace.
 */
export class ContendedRecords {
  private readonly until = new Map<string, number>();

  /** `now`: a monotonic clock in ms (performance.now by default) */
  constructor(
    private readonly holdMs = 1000,
    private readonly max = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** `key`: a record's lane, laneKey() */
  has(key: string): boolean {
    const until = this.until.get(key);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.until.delete(key);
    return false;
  }

  note(key: string): void {
    // bounded: past `max` lanes, everything is forgotten (each then tries once more)
    if (this.until.size >= this.max) this.until.clear();
    this.until.set(key, this.now() + this.holdMs);
  }
}

/**
 * A read made with its trace row: a SELECT whose WHERE includes `gate`, on parameters added to
 * `p`; and, when it has one, what must hold before the access is traced and read
 * (appendTraceWithRead's precondition: a search found too many to answer, say).
 */
export type TracedSelect = ((p: SqlParams, gate: string) => string) | { read: (p: SqlParams, gate: string) => string; precondition: (p: SqlParams) => ReadPrecondition };

/**
 * The lanes of each record that this process's reads in one statement are appending to right now.
 * A read takes the lowest lane no other such read of the record holds, and its load reads that
 * lane's head: reads of one record at once spread over its lanes instead of all expecting lane
 * 0's head, which only the first of them would find unmoved. One read at a time stays in lane 0.
 * A heuristic of this process alone, as ContendedRecords: the statement still appends only after
 * the head the load read, unmoved and held by no transaction, and anything else is guarded()'s.
 */
export class LanesInFlight {
  /** per record, a bit per lane held */
  private readonly held = new Map<string, number>();
  /** per record, the reads waiting for one of its lanes (acquire), first come first */
  private readonly waiting = new Map<string, Array<() => void>>();

  /**
   * The lane taken for a read of the record (`record`: how the read names it, refOf()), or null
   * when every lane is held or `avoid`ed.
   */
  take(record: string, avoid: (lane: number) => boolean = () => false): number | null {
    const bits = this.held.get(record) ?? 0;
    for (let lane = 0; lane < TRACE_LANES; lane++) {
      if (!(bits & (1 << lane)) && !avoid(lane)) {
        this.held.set(record, bits | (1 << lane));
        return lane;
      }
    }
    return null;
  }

  /**
   * A lane for a read of the record, as take() gives it; when none is free but some are held by
   * this process's reads, the read waits for one of them to be given back (first come first)
   * rather than take the transaction's way: a transaction locks the lowest lane no transaction
   * holds, often one a read of this process has taken and not yet appended to, which then finds
   * it moved, notes it contended and leaves one lane fewer to the next reads, which take the
   * transaction's way in turn (measured: 9 clients on one record sent 1 in 10 reads that way and
   * lost a third of the throughput of 8; 16 clients sent every read). Null only when no lane is
   * free and none is held here (every free one avoided): guarded()'s way then, as before.
   */
  async acquire(record: string, avoid: (lane: number) => boolean = () => false): Promise<number | null> {
    let woken = false;
    for (;;) {
      // a newcomer queues behind the reads already waiting; a woken read tries first
      if (woken || !this.waiting.has(record)) {
        const lane = this.take(record, avoid);
        if (lane !== null) {
          if (woken) this.wakeIfFree(record);
          return lane;
        }
      }
      // none held here: none will be given back (give() has woken every waiting read)
      if (!this.held.get(record)) return null;
      await new Promise<void>((resolve) => {
        const queue = this.waiting.get(record);
        if (queue) queue.push(resolve);
        else this.waiting.set(record, [resolve]);
      });
      woken = true;
    }
  }

  give(record: string, lane: number): void {
    const bits = (this.held.get(record) ?? 0) & ~(1 << lane);
    if (bits) this.held.set(record, bits);
    else this.held.delete(record);
    // the first waiting read tries the lane; with none held any more, every waiting read tries
    if (bits) this.wakeOne(record);
    else this.wakeAll(record);
  }

  private wakeOne(record: string): void {
    const queue = this.waiting.get(record);
    const next = queue?.shift();
    if (queue && !queue.length) this.waiting.delete(record);
    next?.();
  }

  private wakeAll(record: string): void {
    const queue = this.waiting.get(record);
    this.waiting.delete(record);
    for (const resolve of queue ?? []) resolve();
  }

  /** after a woken read took its lane, the next waiting one tries too if a lane is still free */
  private wakeIfFree(record: string): void {
    const bits = this.held.get(record) ?? 0;
    if (bits !== (1 << TRACE_LANES) - 1) this.wakeOne(record);
  }
}

/**
 * The key of a record as a read names it, for LanesInFlight and ContendedRecords: its key, or the
 * identifier the read loads it by. Known before the load, so that the load reads the head of the
 * lane taken. One record named both ways by reads at once may see two of them expect the same
 * lane's head: the later one finds it moved and takes guarded()'s way, as on any miss.
 */
function refOf(record: PatientRef): string {
  return 'patientKey' in record ? record.patientKey : `${record.system}\u0000${record.value}`;
}

/** ContendedRecords' key of a record's lane. */
const laneKey = (record: string, lane: number) => `${record}:${lane}`;

export interface OneStatementRead {
  /**
   * The record read: by its key, or by one of its identifiers (loaded by it, without a look-up
   * of its own: for a caller whom ACC-10 does not bind to a patient, to whom naming any
   * identifier is allowed, as recordKeyFor() says)
   */
  record: PatientRef;
  action: Action;
  trace?: TraceExtra;
  /**
   * The read of the permitted access on the loaded record; null when this read cannot be made so
   * (guarded()'s way then).
   */
  select: (record: LoadedRecord) => TracedSelect | null;
}

/**
 * The rows of `work.select`, read and traced in one statement, with the record they were decided
 * on; undefined when nothing was read nor written, and the caller must take guarded()'s way.
 */
export async function readTracedInOneStatement<R extends object>(
  deps: ServiceDeps,
  caller: Caller,
  work: OneStatementRead,
  contended: ContendedRecords,
  lanes: LanesInFlight,
  remembered: RememberedLoads,
): Promise<{ record: LoadedRecord; rows: R[] } | undefined> {
  const ref = refOf(work.record);
  const lane = await lanes.acquire(ref, (l) => contended.has(laneKey(ref, l)));
  if (lane === null) return undefined;
  try {
    return await readInLane<R>(deps, caller, work, contended, remembered, ref, lane);
  } finally {
    lanes.give(ref, lane);
  }
}

async function readInLane<R extends object>(
  deps: ServiceDeps,
  caller: Caller,
  work: OneStatementRead,
  contended: ContendedRecords,
  remembered: RememberedLoads,
  ref: string,
  lane: number,
): Promise<{ record: LoadedRecord; rows: R[] } | undefined> {
  const key = laneKey(ref, lane);
  // The lane's last load, remembered: decided on, and read in one statement that holds only if
  // the record is still in the state of that load (recordUnchanged). Else, the load first.
  const known = remembered.get(key);
  if (known) {
    const r = await decidedRead<R>(deps, caller, work, known);
    if (r.kind === 'read') {
      remembered.note(key, { ...known, record: { ...known.record, traceHead: r.head } });
      return { record: known.record, rows: r.rows };
    }
    // the record or the lane moved (or the read's own precondition): the load, as below
    remembered.forget(key);
    // Not permitted on this state (or a store error): guarded()'s way, which loads afresh. The
    // load is forgotten too: were it stale (say, the caller authorised since), a caller only this
    // load refuses would else take the slower way on every read, the entry never renewed.
    if (r.kind === 'none') return undefined;
  }
  // Outside a transaction block, the load sees what a load inside one would (READ COMMITTED:
  // each statement its own snapshot, no lock taken by a read either way).
  const load = await loadRecordWithState(deps.db, work.record, lane).catch(() => null);
  if (!load?.record.traceHead) return undefined;
  const r = await decidedRead<R>(deps, caller, work, { ...load, named: undefined });
  // a precondition that did not hold says nothing of the lane: only a busy or moved one is noted
  if (r.kind === 'missed' && !r.declined) contended.note(key);
  if (r.kind !== 'read') return undefined;
  remembered.note(key, { record: { ...load.record, traceHead: r.head }, state: load.state, named: work.record });
  return { record: load.record, rows: r.rows };
}

/**
 * A load of a record as a lane last left it: the record and its state as a load read them
 * (loadRecordWithState), with the lane's head after this process's last append to it. `named`:
 * how the statement reads its state again; undefined when the load is fresh (the statement then
 * needs no such check: its decision was made on the load itself, as before this was kept).
 */
interface LaneLoad {
  record: LoadedRecord;
  state: string;
  named: PatientRef | undefined;
}

/**
 * The decision on `load.record`, and when it permits, the read and its trace row in one statement
 * after the lane's head `load.record.traceHead` (and, with `load.named`, only if the record is
 * still in `load.state`). `none`: nothing to read this way (refused, emergency, a read that cannot
 * be made so, a store error); `missed`: the statement wrote and read nothing.
 */
async function decidedRead<R extends object>(
  deps: ServiceDeps,
  caller: Caller,
  work: OneStatementRead,
  load: LaneLoad,
): Promise<{ kind: 'read'; rows: R[]; head: ChainHead } | { kind: 'none' } | { kind: 'missed'; declined: boolean }> {
  const { record } = load;
  if (!record.traceHead) return { kind: 'none' };
  const decision = decide(deps.policy, caller.actor, record.context, null, work.action, deps.clock.now());
  // a refusal is traced as guarded() traces it; an emergency access takes guarded()'s way too
  if (!decision.permit || decision.emergency) return { kind: 'none' };
  const select = work.select(record);
  if (!select) return { kind: 'none' };
  const entry = traceEntryOf(deps, caller, record.context.patientKey, work.action, 'success', work.trace);
  const [read, own] = typeof select === 'function' ? [select, undefined] : [select.read, select.precondition];
  const { named, state } = load;
  const precondition = named ? bothHold(own, (p) => recordUnchanged(p, named, state)) : own;
  // A store error: the statement, a transaction of its own, wrote nothing (or, were the connection
  // lost after its commit, a row the retry's row follows: an access traced twice, never
  // untraced); guarded()'s way answers it, and traces a failure, as it would have.
  const r = await appendTraceWithRead<R>(deps.db, entry, record.traceHead, read, precondition).catch(() => undefined);
  if (!r) return { kind: 'none' };
  if (!r.appended) return { kind: 'missed', declined: r.declined };
  return { kind: 'read', rows: r.rows, head: { lane: r.row.lane, seq: Number(r.row.seq), hash: r.row.hash } };
}

/** A precondition holding when both hold (the record's state checked first). */
function bothHold(own: ((p: SqlParams) => ReadPrecondition) | undefined, state: (p: SqlParams) => ReadPrecondition): (p: SqlParams) => ReadPrecondition {
  if (!own) return state;
  return (p) => {
    const s = state(p);
    const o = own(p);
    return { with: `${s.with}, ${o.with}`, condition: `(${s.condition}) AND (${o.condition})` };
  };
}

/**
 * Each lane's last load (keyed by record and lane, laneKey()), kept by this process's reads in
 * one statement: the next read of the lane decides on it and sends one statement instead of two
 * (the load, then the read), the statement itself checking that the record is still in the
 * loaded state and the lane's head where the last append left it. Only one read holds a lane at a
 * time (LanesInFlight), so an entry is used by one read at a time. A cache of this process alone:
 * a stale entry only costs the statement that finds it stale; it decides nothing by itself.
 */
export class RememberedLoads {
  private readonly loads = new Map<string, LaneLoad>();

  constructor(private readonly max = 10_000) {}

  get(key: string): LaneLoad | undefined {
    return this.loads.get(key);
  }

  note(key: string, load: LaneLoad): void {
    // bounded: past `max` lanes, everything is forgotten (each then loads once more)
    if (this.loads.size >= this.max && !this.loads.has(key)) this.loads.clear();
    this.loads.set(key, load);
  }

  forget(key: string): void {
    this.loads.delete(key);
  }
}
