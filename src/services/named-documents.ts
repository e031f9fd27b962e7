// ACC-09: documents a reader names by id as input ($download's chosen documents, a personal
// selection's members). An id is read as FHIR read reads it: the entryUUID of a metadata version
// (a document's logical id is its first version's entryUUID), current or old, naming that
// version, found only when the reader may read it under the lineage rule (the visibility SQL
// checks the version, its document's latest version and its lineage's current member). An id
// that finds nothing — unknown, or hidden from this reader — answers the same "no such document".
import { CarnetError } from '../domain/errors.js';
import type { StoredDocumentEntry } from '../domain/model.js';
import type { VisibilityFilter } from '../domain/visibility.js';
import type { Queryable } from '../store/db.js';
import { bareUuid } from '../store/document-repo.js';
import { findDocuments, type DocumentSort } from '../store/document-search.js';

/** The versions `ids` (bare, lower case, distinct) name, for the reader whose filter is `visibility`; throws for the first that names none. */
export async function namedDocuments(q: Queryable, patientKey: string, ids: readonly string[], visibility: VisibilityFilter, sort: DocumentSort = 'date-desc'): Promise<StoredDocumentEntry[]> {
  const found = await findDocuments(q, { patientKey, visibility, latestOnly: false, entryUuids: [...ids], sort });
  const seen = new Set(found.entries.map((e) => bareUuid(e.entryUuid)));
  const missing = ids.find((id) => !seen.has(id));
  if (missing !== undefined) throw new CarnetError('not_found', `no such document: ${missing}`);
  return found.entries;
}
