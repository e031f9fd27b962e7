// TRACE-05: a history never reveals to its reader what that reader may not see. An entry about
// a document (its deposit, a read, a masking, a change of its visibility flags...) is shown to a
// reader only while the reader may read that document: its latest version, under the lineage
// rule (ACC-09), with the reader's own filter. So the entries come back as soon as the
// document becomes visible (the announcement consultation lifting INVISIBLE_PATIENT), and an
// entry naming a replaced document never tells of a replacement the reader may not see.
// Availability does not hide an entry: a deleted document's history stays with those who could
// read it. The store's twin is `historyVisibilitySql` (visibility-sql.ts).
import type { DocumentFacts } from './record.js';
import { filterAllows, type VisibilityFilter } from './visibility.js';

/** The reader's filter as the history applies it: the same, except that no status hides an entry. */
export function historyFilter(f: VisibilityFilter): VisibilityFilter {
  return f.kind === 'some' ? { ...f, excludedStatuses: [] } : f;
}

/**
 * What an entry is about: nothing (an authorisation, a login...), a document of the record
 * (its latest version, loaded with its lineage), or a document the record does not hold.
 */
export type EntrySubject = { kind: 'none' } | { kind: 'document'; latest: DocumentFacts } | { kind: 'unknown_document' };

/** TRACE-05: whether the reader whose history filter is `f` is shown an entry. */
export function historyShows(f: VisibilityFilter, subject: EntrySubject): boolean {
  switch (subject.kind) {
    case 'none':
      return true;
    case 'document':
      return filterAllows(f, subject.latest);
    case 'unknown_document':
      return false;
  }
}
