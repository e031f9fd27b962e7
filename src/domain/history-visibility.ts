// TRACE-05: a history never reveals to its reader what that reader may not see. An entry about
// a document (its deposit, a read, a masking, a change of its visibility flags...) is shown to a
// reader only while the reader may read that document: its latest version, under the lineage
// rule (ACC-09), with the reader's own filter. So the entries come back as soon as the
// document becomes visible (the announcement consultation lifting INVISIBLE_PATIENT), and an
// entry naming a replaced document never tells of a replacement the reader may not see.
// Availability does not hide an entry: a deleted document's history stays with those who could
// read it. The store's twin is `historyVisibilitySql` (visibility-sql.ts).
//
// An entry may concern documents besides the one its document column names: a relation between
// two documents (an ITI-57 association, a replacement, an addendum deprecated with what it
// appended to), the objects an ITI-57 request named. Its details name them by entryUUID under
// the keys below, directly or through an association (whose two ends it then concerns); the
// entry is shown only when the reader may read every one of them.
//
// ACC-08 for the objects around documents (known-objects.ts): an association linking a hidden
// document, however many links away, and a submission set holding only such do not exist for the
// reader either. An entry naming one of them is not shown (a request that only named a link to a
// link to the document, or the set holding it). Folders are always known: naming one hides nothing.
import { knownObjects, type RegistryGraph } from './known-objects.js';
import type { DocumentFacts } from './record.js';
import { filterAllows, type VisibilityFilter } from './visibility.js';

/**
 * What a reader is shown of a history: `filter`, its history filter (the documents), and
 * `hiddenObjects`, the registry objects around the documents it hides that do not exist for it
 * (bare lower-case entryUUIDs; hiddenObjectsAround).
 */
export interface HistoryReader {
  filter: VisibilityFilter;
  hiddenObjects: readonly string[];
}

/**
 * Of `candidates` (associations and submission sets of the record around the documents the
 * reader may not read; bare entryUUIDs), those that do not exist for the reader, by knownObjects'
 * rule over `graph`, the record read around them: `knowsDocument` says which documents it reads.
 */
export function hiddenObjectsAround(graph: RegistryGraph, knowsDocument: (id: string) => boolean, candidates: readonly string[]): string[] {
  const known = knownObjects(graph, knowsDocument);
  return candidates.filter((id) => graph.kindOf(`urn:uuid:${id}`) !== 'DocumentEntry' && !known(`urn:uuid:${id}`)).map((id) => id.toLowerCase());
}

/** The reader's filter as the history applies it: the same, except that no status hides an entry. */
export function historyFilter(f: VisibilityFilter): VisibilityFilter {
  return f.kind === 'some' ? { ...f, excludedStatuses: [] } : f;
}

/**
 * The keys of a trace entry's details whose values (a bare entryUUID, or a list of them) name
 * registry objects the entry concerns: the ends of a relation (`source`, `target`), a
 * replacement (`replacedBy`, `replacedDocument`), an association (`association`), and every
 * object an ITI-57 request named (`objects`).
 */
export const RELATED_OBJECT_KEYS = ['source', 'target', 'replacedBy', 'replacedDocument', 'association', 'objects'] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The registry objects (bare entryUUIDs, lower case) an entry's details name; other values are ignored. */
export function relatedObjectIds(details: Record<string, unknown> | null | undefined): string[] {
  const ids = new Set<string>();
  for (const key of RELATED_OBJECT_KEYS) {
    const value = details?.[key];
    for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string' && UUID.test(v)) ids.add(v.toLowerCase());
  }
  return [...ids];
}

/** What the entry's own document column names. */
export type EntryDocument = { kind: 'none' } | { kind: 'document'; latest: DocumentFacts } | { kind: 'unknown_document' };

/**
 * What an entry is about: its document column's document — nothing (an authorisation, a
 * login...), a document of the record (its latest version, loaded with its lineage), or one the
 * record does not hold — and `related`, the latest versions of the other documents its details
 * name (relatedObjectIds, associations resolved to their ends).
 */
export type EntrySubject = EntryDocument & {
  related?: readonly DocumentFacts[];
  /** whether every registry object the details name exists for the reader (knownObjects); true when left out */
  namedObjectsKnown?: boolean;
};

/** TRACE-05: whether the reader whose history filter is `f` is shown an entry. */
export function historyShows(f: VisibilityFilter, subject: EntrySubject): boolean {
  if (subject.namedObjectsKnown === false) return false;
  if (!(subject.related ?? []).every((d) => filterAllows(f, d))) return false;
  switch (subject.kind) {
    case 'none':
      return true;
    case 'document':
      return filterAllows(f, subject.latest);
    case 'unknown_document':
      return false;
  }
}

/**
 * TRACE-05: a row's place in its lane as a reader is shown it — its rank among the rows of that
 * lane the reader is shown (1, 2, 3…), never the lane's own sequence number, whose gaps would
 * count the rows left out and date them between their neighbours. Where nothing is hidden the two
 * are the same. Asked for each shown row, oldest first; one numbering per history read.
 */
export function shownPlaces(): (lane: number) => number {
  const last = new Map<number, number>();
  return (lane) => {
    const place = (last.get(lane) ?? 0) + 1;
    last.set(lane, place);
    return place;
  };
}
