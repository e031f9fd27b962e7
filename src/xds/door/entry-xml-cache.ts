// The ExtrinsicObject of a DocumentEntry as last written, by the version of its row: a LeafClass
// answer read again (the same record asked for again) is not converted again. The key changes
// whenever the row does (its entryUUID and the transaction that wrote it), and the XML is a
// function of the row alone, so a hit is the XML that row would give. Only rows the search
// itself returned (its access filter in the SQL) are looked up: the cache decides nothing.
// Bounded in characters, the least recently used dropped first.
import type { StreamedEntry } from '../../services/documents.js';
import { writeDocumentEntry } from '../ebrim/write.js';

/** 32 Mi characters of XML (entries are mostly ASCII, about one byte each). */
const DEFAULT_MAX_CHARS = 32 * 2 ** 20;

export class EntryXmlCache {
  private readonly entries = new Map<string, string>();
  private chars = 0;

  constructor(private readonly maxChars = DEFAULT_MAX_CHARS) {}

  xmlOf(e: StreamedEntry): string {
    const hit = this.entries.get(e.rowVersion);
    if (hit !== undefined) {
      // most recently used last
      this.entries.delete(e.rowVersion);
      this.entries.set(e.rowVersion, hit);
      return hit;
    }
    const xml = writeDocumentEntry(e.entry());
    const size = xml.length + e.rowVersion.length;
    if (size > this.maxChars) return xml;
    this.entries.set(e.rowVersion, xml);
    this.chars += size;
    for (const [key, value] of this.entries) {
      if (this.chars <= this.maxChars) break;
      this.entries.delete(key);
      this.chars -= value.length + key.length;
    }
    return xml;
  }

  get size(): number {
    return this.entries.size;
  }
}
