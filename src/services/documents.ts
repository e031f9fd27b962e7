// Reading documents: search (ACC-08: the visibility filter is part of the SQL), read one entry,
// retrieve its content. Every read is traced (TRACE-01).
import { CarnetError } from '../domain/errors.js';
import type { StoredDocumentEntry } from '../domain/model.js';
import { visibilityFilter } from '../domain/visibility.js';
import { getEntry, getLatestByLogicalId, toStoredEntry } from '../store/document-repo.js';
import { findDocuments, type DocumentPage, type DocumentQuery } from '../store/document-search.js';
import {
  countDocumentsUpTo,
  documentIdsSelect,
  documentRowOf,
  documentRowsPage,
  documentRowsSelect,
  findDocumentIds,
  findDocumentRows,
  idsOf,
  readDocumentPages,
  type DocumentIdsRow,
  type DocumentRowsPage,
} from '../store/document-stream.js';
import { contentSlices, getContentHead, recordContentUtf8, type ContentHead, type ContentPart } from '../store/content-slices.js';
import { isUtf8Slices } from '../util/utf8-slices.js';
import type { Queryable } from '../store/db.js';

export type { DocumentCriteria, DocumentNarrowing, DocumentPage, DocumentRelation };
import { lookupObjects, lookupUniqueIds } from '../store/registry-repo.js';
import { findRelations, relationsColumn, relationsOfPage, type DocumentRelation } from '../store/relations-repo.js';
import type { Caller, ServiceDeps } from './deps.js';
import { guarded } from './guard.js';
import type { PatientRef } from './patient-binding.js';
import { recordSearches, type DocumentCriteria, type DocumentNarrowing } from './record-searches.js';
import { EntryUuidList } from '../util/entry-uuid-list.js';

/** An entry of a streamed search: its entryUUID, the version of its row, and the entry itself. */
export interface StreamedEntry {
  entryUuid: string;
  /** changes whenever the row does (the transaction that wrote it) */
  rowVersion: string;
  /** the entry, made when asked; null when the sink said it knew this version (its row was not read) */
  entry: (() => StoredDocumentEntry) | null;
}

/** Where a streamed search goes: `begin` once access is decided and the answer is known to fit, then its pages in order. */
export interface DocumentPageSink {
  /**
   * Asked once, before the pages: the entries of this record the sink already holds in its own
   * form, as `<entryUUID>:<version>` (entryUUID bare); a row found at one of these versions comes
   * without its entry. It decides nothing: the search finds what it finds, under the caller's
   * filter, whatever the sink holds.
   */
  known(patientKey: string): readonly string[];
  begin(): void | Promise<void>;
  page(entries: StreamedEntry[]): void | Promise<void>;
}

/**
 * Rows per page of a streamed search: a small first page, so that the answer starts early, then
 * larger ones (each page is a round trip to the database and a turn of the event loop; pages of
 * 500 after the first took 8–27% less CPU per 1,000-entry answer than pages of 100 in two A/B
 * runs, docs/PERFORMANCE.md).
 */
const STREAM_PAGES = { first: 100, next: 500 };

/** Where a document is: by its entryUUID (FHIR id) or by its uniqueId (XDS retrieve). */
export type DocumentRef = { entryUuid: string } | { uniqueId: string };

/**
 * A document's bytes as a retrieval hands them over: its size, and the bytes read from the store
 * slice by slice as the answer is written, after the access (decision and trace) was committed.
 */
export interface DocumentContent {
  size: number;
  /** the SHA-256 of the bytes (hex): it names them, and changes with any of them */
  sha256: string;
  /**
   * whether the bytes are UTF-8: as decided at deposit; for a content stored before that was kept
   * (migration 0065), decided from all of its bytes on this first need, then stored
   */
  isUtf8(): Promise<boolean>;
  /**
   * the bytes in order, or only the `length` bytes from `offset` (a byte range: only those are
   * read from the store); a store that fails mid-way makes the iteration throw
   */
  slices(part?: ContentPart): AsyncIterable<Buffer>;
  /** the bytes in one buffer, for answers that carry them encoded (base64 in JSON or XML) */
  whole(): Promise<Buffer>;
}

export interface RetrievedDocument {
  entry: StoredDocumentEntry;
  content: DocumentContent;
}

function storedContent(db: Queryable, patientKey: string, sha256: string, head: ContentHead): DocumentContent {
  const slices = (part?: ContentPart) => contentSlices(db, patientKey, sha256, head, part);
  return {
    size: head.size,
    sha256,
    async isUtf8() {
      if (head.utf8 !== null) return head.utf8;
      const utf8 = await isUtf8Slices(slices());
      await recordContentUtf8(db, patientKey, sha256, utf8);
      return utf8;
    },
    slices,
    async whole() {
      if (head.first.byteLength === head.size) return head.first;
      const parts: Buffer[] = [];
      for await (const s of slices()) parts.push(s);
      return Buffer.concat(parts, head.size);
    },
  };
}

/** Relations by the entryUUID of their source document. */
function byDocument(rows: DocumentRelation[]): Map<string, DocumentRelation[]> {
  const bySource = new Map<string, DocumentRelation[]>();
  for (const r of rows) bySource.set(r.sourceId, [...(bySource.get(r.sourceId) ?? []), r]);
  return bySource;
}

export function documentService(deps: ServiceDeps) {
  const { searchRecord, pageSearch } = recordSearches(deps);

  /** The record and entry a reference names, or null; nothing about access is decided here. */
  async function locate(ref: DocumentRef): Promise<{ patientKey: string; entryUuid?: string; logicalId?: string } | null> {
    if ('entryUuid' in ref) {
      const [obj] = await lookupObjects(deps.db, [ref.entryUuid]);
      return obj && obj.type === 'DocumentEntry' ? { patientKey: obj.patientKey, entryUuid: obj.entryUuid } : null;
    }
    const [row] = await lookupUniqueIds(deps.db, [ref.uniqueId]);
    return row && row.object_type === 'DocumentEntry' ? { patientKey: row.patient_key, logicalId: row.logical_id } : null;
  }

  function loader(loc: { patientKey: string; entryUuid?: string; logicalId?: string }) {
    return (tx: Parameters<typeof getEntry>[0]) =>
      loc.entryUuid ? getEntry(tx, loc.patientKey, loc.entryUuid) : getLatestByLogicalId(tx, loc.patientKey, loc.logicalId!);
  }

  const tooMany = (n: number) => {
    if (n > deps.limits.maxQueryResults) {
      throw new CarnetError('too_many_results', `the query matches more than ${deps.limits.maxQueryResults} documents; narrow it`);
    }
  };


  return {
    locate,

    /**
     * ITI-18 FindDocuments as ObjectRef: the search find() makes, reading the entryUUIDs alone.
     * Read with its trace row in one statement when it can be (too many results then neither
     * traced nor read there: the transaction's way refuses them and traces the refusal). The ids
     * stay the text the store read (EntryUuidList): the door writes them without an array of them.
     */
    async findIds(caller: Caller, patient: PatientRef, criteria: DocumentCriteria, narrowing: DocumentNarrowing = {}): Promise<EntryUuidList> {
      const cap = deps.limits.maxQueryResults + 1;
      return searchRecord<EntryUuidList, DocumentIdsRow>(
        caller,
        patient,
        criteria,
        narrowing,
        EntryUuidList.empty,
        async (tx, query) => {
          const ids = await findDocumentIds(tx, query, cap);
          tooMany(ids.length);
          return ids;
        },
        {
          select: (query) => ({
            precondition: (p) => ({
              with: `found AS MATERIALIZED (${documentIdsSelect(p, query, cap)})`,
              condition: `(SELECT found FROM found) <= ${p.add(deps.limits.maxQueryResults)}`,
            }),
            read: (_p, gate) => `SELECT found.found, found.ids FROM found WHERE ${gate}`,
          }),
          value: (rows) => idsOf(rows[0]),
        },
      );
    },

    /**
     * ITI-18 FindDocuments as LeafClass, streamed: the entries go to `sink` a page at a time while
     * the transaction reads them, never all in memory at once. Too many results are refused
     * before `begin`, so that nothing of an answer has gone out when it is refused.
     *
     * The trace row is written as for every search: by guarded(), after the act, in its
     * transaction, then committed. Not first: the trace append locks a lane head of the record's
     * chain until commit, and holding it for the whole stream would take that lane from every
     * other access to the record for one answer's transfer. The reader of the sink must therefore treat its answer as
     * complete only once this resolves (committed, trace included); if it throws after `begin`,
     * what went out must not be taken for an answer.
     */
    async stream(caller: Caller, patient: PatientRef, criteria: DocumentCriteria, narrowing: DocumentNarrowing, sink: DocumentPageSink): Promise<void> {
      const streamed = await searchRecord(caller, patient, criteria, narrowing, false, async (tx, query) => {
        tooMany(await countDocumentsUpTo(tx, query, deps.limits.maxQueryResults + 1));
        await sink.begin();
        const known = sink.known(query.patientKey);
        await readDocumentPages(tx, query, STREAM_PAGES, known, (rows) =>
          sink.page(rows.map(({ entry_uuid, row_version, row_json }) => ({ entryUuid: entry_uuid, rowVersion: row_version, entry: row_json === null ? null : () => toStoredEntry(documentRowOf(row_json)) }))),
        );
        return true;
      });
      // no record for this patient: an empty answer, as find() gives
      if (!streamed) await sink.begin();
    },

    /**
     * ITI-67 / ITI-18 FindDocuments / the patient's list: only what the caller may see, counted honestly.
     * `displayDefaults` (PAT-02): for the patient side, the page size and the sort the record
     * stores replace those the request left out; the page says which were used.
     */
    async find(
      caller: Caller,
      patient: PatientRef,
      criteria: DocumentCriteria = {},
      displayDefaults: { count?: boolean; sort?: boolean } = {},
      options: { withRelations?: boolean } = {},
    ): Promise<DocumentPage & { pageSize?: number; relations?: Map<string, DocumentRelation[]> }> {
      return pageSearch(caller, patient, criteria, displayDefaults, { entries: [], total: 0 }, async (tx, query, visibility, unbounded) => {
        // The page's relations in the page's own statement (not one more round trip for them),
        // under the same visibility filter.
        const { column, ...found } = await findDocuments(tx, query, options.withRelations ? relationsColumn(visibility) : undefined);
        if (unbounded) tooMany(found.entries.length);
        return column ? { ...found, relations: relationsOfPage(found.entries.map((e) => e.entryUuid), column) } : found;
      });
    },

    /**
     * find() with its relations, each entry with the version of its row, for a reader that keeps
     * what it made of entries by row version: the rows at a version `known` names (asked once
     * the record is known) come without their entry, neither read nor parsed. What is found, its
     * total, its relations and its trace are find()'s, whatever the reader holds.
     */
    async findVersioned(
      caller: Caller,
      patient: PatientRef,
      criteria: DocumentCriteria,
      displayDefaults: { count?: boolean; sort?: boolean },
      known: (patientKey: string, page: { offset: number; rows: number }) => readonly string[],
    ): Promise<{ rows: StreamedEntry[]; total?: number; pageSize?: number; relations: Map<string, DocumentRelation[]> }> {
      const pageOf = (found: DocumentRowsPage) => {
        const rows = found.rows.map((row) => ({ entryUuid: row.entry_uuid, rowVersion: row.row_version, entry: row.row_read ? () => toStoredEntry(row) : null }));
        return { rows, total: found.total, relations: relationsOfPage(rows.map((r) => `urn:uuid:${r.entryUuid}`), found.column) };
      };
      const knownOf = (query: DocumentQuery) => known(query.patientKey, { offset: query.offset ?? 0, rows: query.limit! });
      return pageSearch(
        caller,
        patient,
        criteria,
        displayDefaults,
        { rows: [], total: 0, relations: new Map() },
        async (tx, query, visibility, unbounded) => {
          // pageSearch always sets the page's limit
          const found = await findDocumentRows(tx, query, knownOf(query), relationsColumn(visibility));
          if (unbounded) tooMany(found.rows.length);
          return pageOf(found);
        },
        {
          select: (query, visibility) => (p, gate) => documentRowsSelect(p, query, knownOf(query), relationsColumn(visibility), gate),
          page: (rows, query) => pageOf(documentRowsPage(rows, query)),
        },
      );
    },

    /** One document entry (any metadata version) by reference, if the caller may read it. */
    async read(caller: Caller, ref: DocumentRef): Promise<StoredDocumentEntry> {
      const loc = await locate(ref);
      if (!loc) throw new CarnetError('not_found', 'no such document');
      return guarded(deps, caller, {
        patientKey: loc.patientKey,
        action: 'document.read',
        loadDocument: loader(loc),
        act: async ({ document }) => document!,
      });
    },

    /**
     * The relations (replaces, transforms, appends, signs) of entries the caller already holds,
     * by source entryUUID, read in one query; a target the caller may not see is left out. The
     * read of the entries was traced, so this adds no trace row of its own.
     */
    async relations(caller: Caller, patientKey: string, entryUuids: string[]): Promise<Map<string, DocumentRelation[]>> {
      if (entryUuids.length === 0) return new Map();
      const rows = await guarded(deps, caller, {
        patientKey,
        action: 'record.read',
        skipMainTrace: true,
        act: ({ tx, record }) => findRelations(tx, patientKey, entryUuids, visibilityFilter(deps.policy, caller.actor, record.context, deps.clock.now())),
      });
      return byDocument(rows);
    },

    /**
     * ITI-43 / ITI-68: the document's bytes, if the caller may read it. The decision and its trace
     * are committed before this resolves, so before any byte leaves; the bytes past the first
     * slice are read from the store as the answer asks for them.
     */
    async retrieve(caller: Caller, ref: DocumentRef, limits: { maxBytes?: number } = {}): Promise<RetrievedDocument> {
      await deps.availability?.ensureAvailable('document.retrieve');
      const loc = await locate(ref);
      if (!loc) throw new CarnetError('not_found', 'no such document');
      return guarded(deps, caller, {
        patientKey: loc.patientKey,
        action: 'document.read',
        loadDocument: loader(loc),
        trace: { action: 'document.retrieve' },
        act: async ({ tx, document }) => {
          const key = document!.contentKey;
          const head = key ? await getContentHead(tx, loc.patientKey, key) : null;
          if (!head) throw new CarnetError('not_found', 'the document has no stored content');
          // a caller that holds the bytes whole (an answer written in one piece) says how many it
          // still takes: a document past them is refused before a byte of it is read
          if (limits.maxBytes !== undefined && head.size > limits.maxBytes) {
            throw new CarnetError('too_long', `the document (${head.size} bytes) does not fit in what this answer may still carry (${limits.maxBytes} bytes)`);
          }
          return { entry: document!, content: storedContent(deps.db, loc.patientKey, key!, head) };
        },
      });
    },
  };
}

export type DocumentService = ReturnType<typeof documentService>;
