// Records as this process last loaded them, with the head each lane of their trace was left at
// by this process's last read in one statement there: what lets the next read of the record skip
// its load (traced-read.ts). Nothing here is trusted: the rules decide on the kept record, and the
// statement that reads and traces checks, on its own snapshot, that the record is still the one
// loaded (its fingerprint, recordUnchanged) and that the lane's head has not moved. A kept record
// or head that is no longer so costs one statement that writes and reads nothing, then a fresh load.
import type { ChainHead } from '../store/trace-repo.js';
import type { LoadedRecord } from '../store/record-repo.js';

interface Kept {
  record: LoadedRecord & { fingerprint: string };
  heads: Map<number, ChainHead>;
}

export class RecentRecords {
  private readonly kept = new Map<string, Kept>();

  /** `max`: records kept; past it, all are forgotten at once (each then loads once more) */
  constructor(private readonly max = 10_000) {}

  /** The record `ref` names (refOf()) as last loaded, and the head of `lane` this process left; undefined when either is unknown. */
  get(ref: string, lane: number): { record: LoadedRecord & { fingerprint: string }; head: ChainHead } | undefined {
    const k = this.kept.get(ref);
    const head = k?.heads.get(lane);
    return k && head ? { record: k.record, head } : undefined;
  }

  /** A fresh load of the record `ref` names; its lanes' heads are kept only if it is the record kept already. */
  loaded(ref: string, record: LoadedRecord): void {
    if (!record.fingerprint) return;
    const k = this.kept.get(ref);
    if (k && k.record.fingerprint === record.fingerprint && k.record.context.patientKey === record.context.patientKey) return;
    if (!k && this.kept.size >= this.max) this.kept.clear();
    this.kept.set(ref, { record: record as LoadedRecord & { fingerprint: string }, heads: new Map() });
  }

  /** The head this process's append just left `head.lane` at (the row it appended). */
  appended(ref: string, patientKey: string, head: ChainHead): void {
    const k = this.kept.get(ref);
    if (k && k.record.context.patientKey === patientKey) k.heads.set(head.lane, head);
  }

  /** The lane's head, or the record, turned out not to be as kept: forgotten, until a fresh load. */
  stale(ref: string, lane: number): void {
    this.kept.get(ref)?.heads.delete(lane);
  }
}
