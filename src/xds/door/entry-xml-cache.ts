// The ExtrinsicObjects of a record's DocumentEntries as last written, by the version of their row
// (src/util/row-version-cache.ts): a LeafClass answer read again (the same record asked for
// again) neither converts an entry again nor reads its row — the search is told which versions
// are held, and a row found at one of them comes without its columns. The XML is a function of
// the row alone. Kept as UTF-8 bytes, as they are sent (encoding them was a tenth of a LeafClass
// answer's CPU).
import type { StreamedEntry } from '../../services/documents.js';
import { RowVersionCache, ownBytes } from '../../util/row-version-cache.js';
import { writeDocumentEntry } from '../ebrim/write.js';

/** 32 MiB of XML. */
const DEFAULT_MAX_BYTES = 32 * 2 ** 20;

/** One answer's use of the cache: the versions it was told of stay with it whatever is dropped meanwhile. */
export interface RecordXmlReader {
  /** `<entryUUID>:<version>` of the entries held */
  known: readonly string[];
  xmlOf(e: StreamedEntry): Buffer;
}

export class EntryXmlCache {
  private readonly held: RowVersionCache<Buffer>;

  constructor(maxBytes = DEFAULT_MAX_BYTES) {
    this.held = new RowVersionCache<Buffer>(maxBytes, (xml) => xml.length);
  }

  reader(patientKey: string): RecordXmlReader {
    const pinned = this.held.pin(patientKey);
    return {
      known: pinned.known,
      xmlOf: (e) => {
        const held = pinned.get(e.entryUuid, e.rowVersion);
        if (held) return held;
        if (!e.entry) throw new Error(`entry ${e.entryUuid} came unread but is not held at version ${e.rowVersion}`);
        const xml = ownBytes(writeDocumentEntry(e.entry()));
        pinned.put(e.entryUuid, e.rowVersion, xml);
        return xml;
      },
    };
  }

  /** entries held, all records together */
  get size(): number {
    return this.held.size;
  }
}
