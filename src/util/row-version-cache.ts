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
  /**
   * `<entryUUID>:<version>` of the entries held (entryUUID as the caller gave it), or of those
   * `around` names; without `around`, shared by the readers of the same view
   */
  known: readonly string[];
  /** the value held for this entry at this version, if any (always for one `known` names); `place`: where this answer has it */
  get(entryUuid: string, version: string, place?: number): V | undefined;
  /** holds a value just made for this entry at this version */
  put(entryUuid: string, version: string, value: V, place?: number): void;
}

/**
 * A record's held values as readers see them: a copy of the record's map, never changed once
 * made, and the `known` list made from it. Made at the first read after a change and shared by
 * every read until the next change: a record read again and again (the same LeafClass answer
 * asked by many clients) is neither copied nor listed again at each read.
 */
interface RecordView<V> {
  entries: ReadonlyMap<string, Held<V>>;
  known: readonly string[];
}

interface HeldRecord<V> {
  entries: Map<string, Held<V>>;
  /** absent after a change, until the next read makes it */
  view?: RecordView<V>;
  /**
   * The last `around` selection, shared by the next reads of the same window while no entry is
   * held anew and no place moves (what it was chosen from): an ITI-67 page read again and again
   * neither sorts the held entries nor lists their versions again, and its frozen list keeps its
   * array literal (known-versions.ts). Absent after any such change.
   */
  near?: { around: Around; pinned: ReadonlyMap<string, Held<V>>; known: readonly string[] };
}

const EMPTY_VIEW: RecordView<never> = Object.freeze({ entries: new Map(), known: [] }) as RecordView<never>;

export class RowVersionCache<V> {
  /** by record, least recently read first; in each, by entryUUID */
  private readonly records = new Map<string, HeldRecord<V>>();
  private bytes = 0;

  /**
   * `sizeOf`: what a value costs towards `maxBytes` (0 holds nothing); `pack`, if given, may
   * replace a record's values, in the view's order, by equal ones laid out as it prefers, each
   * time a view is made (entry-xml-cache.ts puts a record's XML in one buffer, in answer order).
   */
  constructor(
    private readonly maxBytes: number,
    private readonly sizeOf: (value: V) => number,
    private readonly pack?: (values: V[]) => V[],
  ) {}

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  /**
   * The record as one answer sees it: the entries it is told of stay with it, whatever is dropped
   * or replaced meanwhile. `around`: only the entries last had near the answer's own places are
   * told of (all of them by default, through the view shared until the record changes); the
   * others are still found by `get` while they are held, for a row that was read anyway.
   */
  pin(recordKey: string, around?: Around): PinnedRecord<V> {
    const held = this.records.get(recordKey);
    if (held) {
      this.records.delete(recordKey);
      this.records.set(recordKey, held);
    }
    const put = (entryUuid: string, version: string, value: V, place = NaN): void =>
      this.hold(recordKey, entryUuid, { version, value, bytes: this.sizeOf(value), place });
    // a place that moves changes what the next `around` selection would be (views share the held entries)
    const moved = () => {
      if (held) held.near = undefined;
    };
    if (around) {
      const live = held?.entries ?? new Map<string, Held<V>>();
      let near = held?.near;
      if (!near || near.around.from !== around.from || near.around.to !== around.to || near.around.max !== around.max) {
        const pinned = nearest(live, around);
        near = { around: { ...around }, pinned, known: Object.freeze([...pinned].map(([id, h]) => `${id}:${h.version}`)) };
        if (held) held.near = near;
      }
      const { pinned } = near;
      return {
        known: near.known,
        get: (entryUuid, version, place) => {
          const p = pinned.get(entryUuid);
          const h = p?.version === version ? p : live.get(entryUuid);
          return placed(h?.version === version ? h : undefined, place, moved);
        },
        put,
      };
    }
    const view: RecordView<V> = held ? (held.view ??= viewOf(held.entries, this.pack)) : EMPTY_VIEW;
    return {
      known: view.known,
      get: (entryUuid, version, place) => {
        const h = view.entries.get(entryUuid);
        return placed(h && h.version === version ? h : undefined, place, moved);
      },
      put,
    };
  }

  /** entries held, all records together */
  get size(): number {
    let n = 0;
    for (const r of this.records.values()) n += r.entries.size;
    return n;
  }

  private hold(recordKey: string, entryUuid: string, h: Held<V>): void {
    if (h.bytes > this.maxBytes) return;
    let record = this.records.get(recordKey);
    if (!record) this.records.set(recordKey, (record = { entries: new Map() }));
    const old = record.entries.get(entryUuid);
    if (old) this.bytes -= old.bytes;
    record.entries.set(entryUuid, h);
    // the readers already pinned keep the view they were given (a copy): the next read makes a new one
    record.view = undefined;
    record.near = undefined;
    this.bytes += h.bytes;
    for (const [key, r] of this.records) {
      if (this.bytes <= this.maxBytes) break;
      this.records.delete(key);
      for (const x of r.entries.values()) this.bytes -= x.bytes;
    }
  }
}

/** The value of a held entry, noting where this answer has it (`moved` when that is a new place). */
function placed<V>(h: Held<V> | undefined, place: number | undefined, moved?: () => void): V | undefined {
  if (h && place !== undefined && h.place !== place) {
    h.place = place;
    moved?.();
  }
  return h?.value;
}

/** The entries last had in [from, to), the nearest to the middle first, at most `max`. */
function nearest<V>(held: ReadonlyMap<string, Held<V>>, around: Around): Map<string, Held<V>> {
  const middle = (around.from + around.to) / 2;
  const inside = [...held].filter(([, h]) => h.place >= around.from && h.place < around.to);
  inside.sort(([, a], [, b]) => Math.abs(a.place - middle) - Math.abs(b.place - middle));
  return new Map(inside.slice(0, Math.max(0, around.max)));
}

function viewOf<V>(entries: Map<string, Held<V>>, pack?: (values: V[]) => V[]): RecordView<V> {
  const copy = new Map(entries);
  if (pack) {
    // equal values in another layout: what any reader gets for a version stays the same
    const held = [...copy.values()];
    const packed = pack(held.map((h) => h.value));
    for (const [i, h] of held.entries()) h.value = packed[i]!;
  }
  const known: string[] = [];
  for (const [id, h] of copy) known.push(`${id}:${h.version}`);
  return { entries: copy, known: Object.freeze(known) };
}

/** Bytes of their own, not a slice of Node's shared pool (which a held slice would keep whole). */
export function ownBytes(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text, 'utf8'));
  bytes.write(text, 'utf8');
  return bytes;
}
