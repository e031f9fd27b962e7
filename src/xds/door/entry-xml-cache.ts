// The ExtrinsicObjects of a record's DocumentEntries as last written, by the version of their row:
// a LeafClass answer read again (the same record asked for again) neither converts an entry
// again nor reads its row — the search is told which versions are held, and a row found at one
// of them comes without its columns. The version changes whenever the row does (the transaction
// that wrote it), and the XML is a function of the row alone, so a held entry is the XML that row
// would give. The cache decides nothing: the search finds what it finds, under the caller's filter
// in its SQL, and only the entries it found are written. Kept as UTF-8 bytes, as they are sent
// (encoding them was a tenth of a LeafClass answer's CPU); bounded in bytes, the least recently
// read record dropped first.
import type { StreamedEntry } from '../../services/documents.js';
import { writeDocumentEntry } from '../ebrim/write.js';

/** 32 MiB of XML. */
const DEFAULT_MAX_BYTES = 32 * 2 ** 20;

interface Held {
  version: string;
  xml: Buffer;
}

/** One answer's use of the cache: the versions it was told of stay with it whatever is dropped meanwhile. */
export interface RecordXmlReader {
  /** `<entryUUID>:<version>` of the entries held */
  known: string[];
  xmlOf(e: StreamedEntry): Buffer;
}

export class EntryXmlCache {
  /** by record, least recently read first; in each, by entryUUID */
  private readonly records = new Map<string, Map<string, Held>>();
  private bytes = 0;

  constructor(private readonly maxBytes = DEFAULT_MAX_BYTES) {}

  reader(patientKey: string): RecordXmlReader {
    const held = this.records.get(patientKey);
    if (held) {
      this.records.delete(patientKey);
      this.records.set(patientKey, held);
    }
    const pinned = new Map(held ?? []);
    const known = [...pinned].map(([uuid, h]) => `${uuid}:${h.version}`);
    return {
      known,
      xmlOf: (e) => {
        const h = pinned.get(e.entryUuid);
        if (h && h.version === e.rowVersion) return h.xml;
        if (!e.entry) throw new Error(`entry ${e.entryUuid} came unread but is not held at version ${e.rowVersion}`);
        const text = writeDocumentEntry(e.entry());
        // a buffer of its own, not a slice of Node's shared pool (which a cached slice would keep whole)
        const xml = Buffer.allocUnsafeSlow(Buffer.byteLength(text, 'utf8'));
        xml.write(text, 'utf8');
        this.hold(patientKey, e.entryUuid, { version: e.rowVersion, xml });
        return xml;
      },
    };
  }

  /** entries held, all records together */
  get size(): number {
    let n = 0;
    for (const r of this.records.values()) n += r.size;
    return n;
  }

  private hold(patientKey: string, entryUuid: string, h: Held): void {
    let record = this.records.get(patientKey);
    if (!record) this.records.set(patientKey, (record = new Map()));
    const old = record.get(entryUuid);
    if (old) this.bytes -= old.xml.length;
    record.set(entryUuid, h);
    this.bytes += h.xml.length;
    for (const [key, r] of this.records) {
      if (this.bytes <= this.maxBytes) break;
      this.records.delete(key);
      for (const x of r.values()) this.bytes -= x.xml.length;
    }
  }
}
