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

/** past this many separate pieces, a page is copied into one buffer rather than written piece by piece */
const MAX_PIECES = 16;

/**
 * A record's XML in one buffer of its own, in the order it is held (the order of the answer that
 * first read it), each entry's XML a slice of it: a page read again in that order is a handful of
 * adjacent slices, written as they lie, not copied into a new buffer at every answer (that copy
 * was 7% of a LeafClass answer's CPU).
 */
function oneBuffer(xmls: Buffer[]): Buffer[] {
  const total = xmls.reduce((n, x) => n + x.length, 0);
  const slab = Buffer.allocUnsafeSlow(total);
  let at = 0;
  return xmls.map((x) => {
    x.copy(slab, at);
    at += x.length;
    return slab.subarray(at - x.length, at);
  });
}

/** The pieces in order, adjacent slices of one buffer joined into one slice (nothing copied). */
function joinAdjacent(pieces: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  let run: Buffer | undefined;
  let end = 0;
  for (const p of pieces) {
    if (run && p.buffer === run.buffer && p.byteOffset === end) {
      end += p.length;
      continue;
    }
    if (run) out.push(run.byteOffset + run.length === end ? run : Buffer.from(run.buffer, run.byteOffset, end - run.byteOffset));
    run = p;
    end = p.byteOffset + p.length;
  }
  if (run) out.push(run.byteOffset + run.length === end ? run : Buffer.from(run.buffer, run.byteOffset, end - run.byteOffset));
  return out;
}

/** One answer's use of the cache: the versions it was told of stay with it whatever is dropped meanwhile. */
export interface RecordXmlReader {
  /** `<entryUUID>:<version>` of the entries held */
  known: readonly string[];
  xmlOf(e: StreamedEntry): Buffer;
  /** the XML of a page of entries, in order, as few buffers to write: held slices that lie side by side come as one */
  pageOf(entries: StreamedEntry[]): Buffer[];
}

export class EntryXmlCache {
  private readonly held: RowVersionCache<Buffer>;

  constructor(maxBytes = DEFAULT_MAX_BYTES) {
    this.held = new RowVersionCache<Buffer>(maxBytes, (xml) => xml.length, oneBuffer);
  }

  reader(patientKey: string): RecordXmlReader {
    const pinned = this.held.pin(patientKey);
    const xmlOf = (e: StreamedEntry): Buffer => {
      const held = pinned.get(e.entryUuid, e.rowVersion);
      if (held) return held;
      if (!e.entry) throw new Error(`entry ${e.entryUuid} came unread but is not held at version ${e.rowVersion}`);
      const xml = ownBytes(writeDocumentEntry(e.entry()));
      pinned.put(e.entryUuid, e.rowVersion, xml);
      return xml;
    };
    return {
      known: pinned.known,
      xmlOf,
      pageOf: (entries) => {
        const pieces = joinAdjacent(entries.map(xmlOf));
        return pieces.length > MAX_PIECES ? [Buffer.concat(pieces)] : pieces;
      },
    };
  }

  /** entries held, all records together */
  get size(): number {
    return this.held.size;
  }
}
