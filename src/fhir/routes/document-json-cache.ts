// ITI-67's DocumentReferences as FHIR JSON, kept by entry and row version
// (src/util/row-version-cache.ts): a page read again neither reads the rows it holds, nor maps
// nor serialises their entries. Only what is the same for every reader is held: the JSON of the
// DocumentReference around its relatesTo, which lists only the targets this reader may see
// (ACC-08) and is written into each answer from the page's own relations, read under the
// reader's filter. Nothing else of a DocumentReference depends on its reader (the visibility
// filter decides which entries a page holds, never what an entry shows), on anything but its
// row, or on the server's public URL (what is held is dropped if that changes). XML answers and _elements-like
// views are not made here.
import type { StoredDocumentEntry } from '../../domain/model.js';
import type { DocumentRelation, StreamedEntry } from '../../services/documents.js';
import { ownBytes, RowVersionCache, type PinnedRecord } from '../../util/row-version-cache.js';
import { fhirJson } from '../format.js';
import { relatesToOf, toDocumentReference } from '../mhd/document-reference-to-fhir.js';
import { documentReferenceOptions } from './patients.js';

/** A DocumentReference's JSON without its relatesTo: `head` then, where relatesTo goes, `tail`. */
interface HeldJson {
  head: Buffer;
  tail: Buffer;
}

/** A relation that no document has (the nil UUID): where relatesTo goes in the JSON of an entry. */
const PLACE: DocumentRelation = { sourceId: '', type: 'RPLC', targetId: 'urn:uuid:00000000-0000-0000-0000-000000000000' };
/**
 * The text of that place. It begins with `,"`: a quote that no backslash escapes is never inside
 * a JSON string, so this is the resource's own member, found once, whatever its values hold.
 */
const PLACE_TEXT = `,"relatesTo":${fhirJson(relatesToOf([PLACE]))}`;

function heldJson(publicUrl: string, entry: StoredDocumentEntry): HeldJson {
  const json = fhirJson(toDocumentReference(entry, { ...documentReferenceOptions(publicUrl, entry), relatesTo: [PLACE] }));
  const at = json.indexOf(PLACE_TEXT);
  if (at < 0 || json.indexOf(PLACE_TEXT, at + 1) >= 0) throw new Error(`the JSON of ${entry.entryUuid} has no single place for relatesTo`);
  return { head: ownBytes(json.slice(0, at)), tail: ownBytes(json.slice(at + PLACE_TEXT.length)) };
}

/** One answer's use of the cache. */
export interface DocumentJsonReader {
  /** what to tell the search of the page at `offset` of `rows` entries (findVersioned's `known`), once it knows the record */
  known(patientKey: string, page: { offset: number; rows: number }): readonly string[];
  /** the entry's DocumentReference as JSON, in parts, with the relatesTo of `relations`; asked in the page's order */
  jsonOf(row: StreamedEntry, relations: readonly DocumentRelation[] | undefined): Buffer[];
}

/** 32 MiB of JSON. */
export const DEFAULT_DOCUMENT_JSON_BYTES = 32 * 2 ** 20;

/**
 * A page is told only of the held entries last answered within this many pages of its own places
 * (before and after it), at most that many pages' worth: the array its statement takes is bounded
 * by the page's size. Told of every held entry, it grew with every page read of the record, up to the
 * whole record, and at thousands of versions cost more than the page (docs/PERFORMANCE.md). A
 * page read again, or shifted by a few new documents, finds its entries near where they were.
 */
export const KNOWN_PAGES_AROUND = 2;

export class DocumentJsonCache {
  private held: RowVersionCache<HeldJson>;
  /** the public URL what is held was made with */
  private madeFor: string;

  /** `publicUrl`: the server's, as it is now (a server started on port 0 learns it once listening) */
  constructor(
    private readonly publicUrl: () => string,
    private readonly maxBytes = DEFAULT_DOCUMENT_JSON_BYTES,
  ) {
    this.held = this.empty();
    this.madeFor = publicUrl();
  }

  private empty(): RowVersionCache<HeldJson> {
    return new RowVersionCache<HeldJson>(this.maxBytes, (j) => j.head.length + j.tail.length);
  }

  /** false: nothing is held (no bytes allowed), the door answers as it would without it */
  get enabled(): boolean {
    return this.held.enabled;
  }

  reader(): DocumentJsonReader {
    const url = this.publicUrl();
    // the URLs in what is held are those of another public URL: none of it is the answer now
    if (url !== this.madeFor) {
      this.held = this.empty();
      this.madeFor = url;
    }
    const held = this.held;
    let pinned: PinnedRecord<HeldJson> | undefined;
    // the place in the answer's order of the next entry asked for
    let place = 0;
    return {
      known: (patientKey, page) => {
        const rows = Math.max(page.rows, 1);
        place = page.offset;
        const around = { from: page.offset - KNOWN_PAGES_AROUND * rows, to: page.offset + (KNOWN_PAGES_AROUND + 1) * rows, max: (2 * KNOWN_PAGES_AROUND + 1) * rows };
        return (pinned = held.pin(patientKey, around)).known;
      },
      jsonOf: (row, relations) => {
        if (!pinned) throw new Error('the search gave entries before it knew the record');
        const at = place++;
        let json = pinned.get(row.entryUuid, row.rowVersion, at);
        if (!json) {
          if (!row.entry) throw new Error(`entry ${row.entryUuid} came unread but is not held at version ${row.rowVersion}`);
          json = heldJson(url, row.entry());
          pinned.put(row.entryUuid, row.rowVersion, json, at);
        }
        const relatesTo = relatesToOf(relations ?? []);
        return relatesTo.length ? [json.head, Buffer.from(`,"relatesTo":${fhirJson(relatesTo)}`), json.tail] : [json.head, json.tail];
      },
    };
  }

  /** entries held, all records together */
  get size(): number {
    return this.held.size;
  }
}
