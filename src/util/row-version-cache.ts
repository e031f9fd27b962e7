// What a door made of a record's entries (their XML, their JSON), kept by the version of the row
// each was made from: an answer read again neither makes an entry again nor, when the search is
// told which versions are held, reads its row. The version changes whenever the row does (the
// transaction that wrote it), so what is held for a version is what that row would give — as
// long as what is held is a function of the row alone: a part that depends on the reader is
// never held here (the door adds it to each answer). The cache decides nothing: the search finds
// what it finds, under the caller's filter in its SQL, and only the entries it found are written.
// Kept as bytes; bounded in bytes, the least recently read record dropped first.

interface Held<V> {
  version: string;
  value: V;
  bytes: number;
}

/** One answer's view of a record: the versions it was told of stay with it whatever is dropped meanwhile. */
export interface PinnedRecord<V> {
  /** `<entryUUID>:<version>` of the entries held (entryUUID as the caller gave it) */
  known: string[];
  /** the value held for this entry at this version, if any */
  get(entryUuid: string, version: string): V | undefined;
  /** holds a value just made for this entry at this version */
  put(entryUuid: string, version: string, value: V): void;
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

  pin(recordKey: string): PinnedRecord<V> {
    const held = this.records.get(recordKey);
    if (held) {
      this.records.delete(recordKey);
      this.records.set(recordKey, held);
    }
    const pinned = new Map(held ?? []);
    return {
      known: [...pinned].map(([id, h]) => `${id}:${h.version}`),
      get: (entryUuid, version) => {
        const h = pinned.get(entryUuid);
        return h && h.version === version ? h.value : undefined;
      },
      put: (entryUuid, version, value) => this.hold(recordKey, entryUuid, { version, value, bytes: this.sizeOf(value) }),
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

/** Bytes of their own, not a slice of Node's shared pool (which a held slice would keep whole). */
export function ownBytes(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text, 'utf8'));
  bytes.write(text, 'utf8');
  return bytes;
}
