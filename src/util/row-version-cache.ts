// What a door made of a record's entries (their XML, their JSON), kept by the version of the row
// each was made from: an answer read again neither makes an entry again nor, when the search is
// told which versions are held, reads its row. The version changes whenever the row does (the
// transaction that wrote it), so what is held for a version is what that row would give — as
// long as what is held is a function of the row alone: a part that depends on the reader is
// never held here (the door adds it to each answer). The cache decides nothing: the search finds
// what it finds, under the caller's filter in its SQL, and only the entries it found are written.
// Kept as bytes; bounded in bytes, the least recently read record dropped first. Each entry also
// keeps the place an answer last had it at (its row's position in a page's order), so that a
// page can be told only of the entries likely to be on it rather than of the whole record.

interface Held<V> {
  version: string;
  value: V;
  bytes: number;
  /** where an answer last had this entry (its position in the answer's order), NaN when not said */
  place: number;
}

/** Which held entries to announce: those last had at a place in [from, to), the nearest to the middle first, at most `max`. */
export interface Around {
  from: number;
  to: number;
  max: number;
}

/** One answer's view of a record: the versions it was told of stay with it whatever is dropped meanwhile. */
export interface PinnedRecord<V> {
  /** `<entryUUID>:<version>` of the entries held (entryUUID as the caller gave it), or of those `around` names */
  known: string[];
  /** the value held for this entry at this version, if any (always for one `known` names); `place`: where this answer has it */
  get(entryUuid: string, version: string, place?: number): V | undefined;
  /** holds a value just made for this entry at this version */
  put(entryUuid: string, version: string, value: V, place?: number): void;
}

export class RowVersionCache<V> {
  /** by record, least recently read first; in each, by entryUUID */
  private readonly records = new Map<string, Map<string, Held<V>>>();
  private bytes = 0;

  /** `sizeOf`: what a value costs towards `maxBytes` (0 holds nothing) */
  constructor(
    private readonly maxBytes: number,
    private readonly sizeOf: (value: V) => number,
  ) {}

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  /**
   * The record as one answer sees it: the entries it is told of stay with it, whatever is dropped
   * or replaced meanwhile. `around`: only the entries last had near the answer's own places are
   * told of (all of them by default); the others are still found by `get` while they are held,
   * for a row that was read anyway.
   */
  pin(recordKey: string, around?: Around): PinnedRecord<V> {
    const held = this.records.get(recordKey);
    if (held) {
      this.records.delete(recordKey);
      this.records.set(recordKey, held);
    }
    const live = held ?? new Map<string, Held<V>>();
    const pinned = around ? nearest(live, around) : new Map(live);
    return {
      known: [...pinned].map(([id, h]) => `${id}:${h.version}`),
      get: (entryUuid, version, place) => {
        const h = [pinned.get(entryUuid), live.get(entryUuid)].find((x) => x?.version === version);
        if (h && place !== undefined) h.place = place;
        return h?.value;
      },
      put: (entryUuid, version, value, place = NaN) => this.hold(recordKey, entryUuid, { version, value, bytes: this.sizeOf(value), place }),
    };
  }

  /** entries held, all records together */
  get size(): number {
    let n = 0;
    for (const r of this.records.values()) n += r.size;
    return n;
  }

  private hold(recordKey: string, entryUuid: string, h: Held<V>): void {
    if (h.bytes > this.maxBytes) return;
    let record = this.records.get(recordKey);
    if (!record) this.records.set(recordKey, (record = new Map()));
    const old = record.get(entryUuid);
    if (old) this.bytes -= old.bytes;
    record.set(entryUuid, h);
    this.bytes += h.bytes;
    for (const [key, r] of this.records) {
      if (this.bytes <= this.maxBytes) break;
      this.records.delete(key);
      for (const x of r.values()) this.bytes -= x.bytes;
    }
  }
}

/** The entries last had in [from, to), the nearest to the middle first, at most `max`. */
function nearest<V>(held: Map<string, Held<V>>, around: Around): Map<string, Held<V>> {
  const middle = (around.from + around.to) / 2;
  const inside = [...held].filter(([, h]) => h.place >= around.from && h.place < around.to);
  inside.sort(([, a], [, b]) => Math.abs(a.place - middle) - Math.abs(b.place - middle));
  return new Map(inside.slice(0, Math.max(0, around.max)));
}

/** Bytes of their own, not a slice of Node's shared pool (which a held slice would keep whole). */
export function ownBytes(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text, 'utf8'));
  bytes.write(text, 'utf8');
  return bytes;
}
