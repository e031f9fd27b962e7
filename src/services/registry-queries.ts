// Registry stored queries (ITI-18) as use cases on the record: each runs through guarded() with
// `record.read`, on the record named by the patient id or by the objects asked for. ACC-08 holds
// for every shape of answer: documents the caller may not see are absent, and so are the
// associations that touch them and the submission sets that would only reveal them.
import { CarnetError } from '../domain/errors.js';
import type {
  AssociationType,
  AvailabilityStatus,
  PatientIdentifier,
  StoredAssociation,
  StoredDocumentEntry,
  StoredFolder,
  StoredSubmissionSet,
} from '../domain/model.js';
import { knownObjects } from '../domain/known-objects.js';
import { visibilityFilter, type VisibilityFilter } from '../domain/visibility.js';
import type { Tx } from '../store/db.js';
import { findDocuments, type CodeCriterion, type DocumentQuery } from '../store/document-search.js';
import {
  findAssociations,
  findFolders,
  findSubmissionSets,
  lookupObjects,
  lookupUniqueIds,
  type AssociationQuery,
  type FolderQuery,
  type RegistryObjectType,
  type SubmissionSetQuery,
} from '../store/registry-repo.js';
import { loadRegistryGraph } from '../store/registry-graph.js';
import type { Caller, ServiceDeps } from './deps.js';
import { idKey } from './known-ids.js';
import { documentService, type DocumentCriteria, type DocumentNarrowing, type DocumentPageSink } from './documents.js';
import { guarded } from './guard.js';
import { recordKeyFor, recordsOfOwnPatient } from './patient-binding.js';
import type { EntryUuidList } from '../util/entry-uuid-list.js';

/** Filters on the documents a "contents" query returns. */
export interface ContentFilter {
  formatCodes?: CodeCriterion;
  confidentialityCodes?: CodeCriterion[];
  objectTypes?: Array<'stable' | 'on-demand'>;
}

/** Objects named by entryUUID, uniqueId or logical id (one kind per query). */
export interface IdSelector {
  uuids?: string[];
  uniqueIds?: string[];
  logicalIds?: string[];
  /** by uniqueId, every version of a folder (ITI-57 MetadataLevel 2), not only the latest */
  allVersions?: boolean;
}

export type RegistryQuery =
  | { kind: 'FindDocuments'; patientId: PatientIdentifier; criteria: DocumentCriteria; referenceIdGroups?: string[][]; objectTypes?: ContentFilter['objectTypes'] }
  | { kind: 'FindSubmissionSets'; patientId: PatientIdentifier; query: Omit<SubmissionSetQuery, 'patientKey'> }
  | { kind: 'FindFolders'; patientId: PatientIdentifier; query: Omit<FolderQuery, 'patientKey'> }
  | {
      kind: 'GetAll';
      patientId: PatientIdentifier;
      documentStatuses: AvailabilityStatus[];
      submissionSetStatuses: AvailabilityStatus[];
      folderStatuses: AvailabilityStatus[];
      filter: ContentFilter;
    }
  | { kind: 'GetDocuments'; ids: IdSelector }
  | { kind: 'GetDocumentsAndAssociations'; ids: IdSelector; associationStatuses?: AvailabilityStatus[] }
  | { kind: 'GetFolders'; ids: IdSelector }
  | { kind: 'GetAssociations'; uuids: string[]; associationStatuses?: AvailabilityStatus[] }
  | { kind: 'GetSubmissionSets'; uuids: string[]; associationStatuses?: AvailabilityStatus[] }
  | { kind: 'GetSubmissionSetAndContents'; ids: IdSelector; filter: ContentFilter; associationStatuses?: AvailabilityStatus[] }
  | { kind: 'GetFolderAndContents'; ids: IdSelector; filter: ContentFilter; associationStatuses?: AvailabilityStatus[] }
  | { kind: 'GetFoldersForDocument'; ids: IdSelector; associationStatuses?: AvailabilityStatus[] }
  | { kind: 'GetRelatedDocuments'; ids: IdSelector; associationTypes: AssociationType[]; objectTypes?: ContentFilter['objectTypes']; associationStatuses?: AvailabilityStatus[] };

export type FindDocumentsQuery = Extract<RegistryQuery, { kind: 'FindDocuments' }>;

/** FindDocuments' objectType and referenceIdList filters, read in SQL with the others. */
function narrowingOf(q: FindDocumentsQuery): DocumentNarrowing {
  const n: DocumentNarrowing = {};
  if (q.objectTypes?.length) n.objectTypes = q.objectTypes;
  if (q.referenceIdGroups) n.referenceIdGroups = q.referenceIdGroups;
  return n;
}

export interface RegistrySelection {
  submissionSets: StoredSubmissionSet[];
  folders: StoredFolder[];
  documents: StoredDocumentEntry[];
  associations: StoredAssociation[];
}

export interface RegistryQueryOptions {
  /** the answer must concern one patient (LeafClass answers); several -> `not_single_patient` */
  singlePatient?: boolean;
}

const empty = (): RegistrySelection => ({ submissionSets: [], folders: [], documents: [], associations: [] });
const DEFAULT_ASSOCIATION_STATUS: AvailabilityStatus[] = ['Approved'];

/** The record as one caller may see it, inside one transaction. */
class RecordView {
  private visible?: Map<string, StoredDocumentEntry>;
  private readonly types = new Map<string, RegistryObjectType | null>();

  constructor(
    readonly tx: Tx,
    readonly patientKey: string,
    private readonly visibility: VisibilityFilter,
    private readonly maxResults: number,
  ) {}

  private guardSize<T>(rows: T[]): T[] {
    if (rows.length > this.maxResults) {
      throw new CarnetError('too_many_results', `the query matches more than ${this.maxResults} objects; narrow it`);
    }
    return rows;
  }

  async documents(criteria: Omit<DocumentQuery, 'patientKey' | 'visibility'>): Promise<StoredDocumentEntry[]> {
    const page = await findDocuments(this.tx, { ...criteria, patientKey: this.patientKey, visibility: this.visibility, limit: this.maxResults + 1 });
    return this.guardSize(page.entries);
  }

  /** every metadata version the caller may see, by entryUUID */
  async visibleDocuments(): Promise<Map<string, StoredDocumentEntry>> {
    if (!this.visible) {
      const page = await findDocuments(this.tx, { patientKey: this.patientKey, visibility: this.visibility, latestOnly: false });
      this.visible = new Map(page.entries.map((d) => [d.entryUuid, d]));
    }
    return this.visible;
  }

  async typesOf(ids: string[]): Promise<void> {
    const unknown = [...new Set(ids.filter((id) => !this.types.has(id) && /^urn:uuid:/i.test(id)))];
    if (!unknown.length) return;
    const found = await lookupObjects(this.tx, unknown);
    for (const id of unknown) this.types.set(id, null);
    for (const o of found) this.types.set(o.entryUuid, o.patientKey === this.patientKey ? o.type : null);
  }

  typeOf(id: string): RegistryObjectType | null {
    return this.types.get(id) ?? null;
  }

  /**
   * ACC-08, ACC-09: whether each object around these ids exists for the caller (knownObjects): a
   * document they see, an association whose ends they know, a submission set that does not hold
   * only what is hidden from them.
   */
  async knows(ids: string[]): Promise<(id: string) => boolean> {
    const visible = await this.visibleDocuments();
    const graph = await loadRegistryGraph(this.tx, this.patientKey, ids);
    return knownObjects(graph, (id) => visible.has(`urn:uuid:${idKey(id)}`));
  }

  /** ACC-08: an association is shown only if it reveals no document hidden from the caller. */
  async associationsAllowed(list: StoredAssociation[]): Promise<StoredAssociation[]> {
    if (!list.length) return list;
    const known = await this.knows(list.map((a) => a.entryUuid));
    return list.filter((a) => known(a.entryUuid));
  }

  async associations(q: Omit<AssociationQuery, 'patientKey'>): Promise<StoredAssociation[]> {
    // ACC-08: bounded after what the caller may not see is left out, or the refusal would count it
    return this.guardSize(await this.associationsAllowed(await findAssociations(this.tx, { ...q, patientKey: this.patientKey })));
  }

  /** A submission set whose members that lead to documents are all hidden would reveal them: it is hidden too. */
  async submissionSetsAllowed(list: StoredSubmissionSet[]): Promise<StoredSubmissionSet[]> {
    if (!list.length) return list;
    const known = await this.knows(list.map((s) => s.entryUuid));
    return list.filter((s) => known(s.entryUuid));
  }

  async submissionSets(q: Omit<SubmissionSetQuery, 'patientKey'>): Promise<StoredSubmissionSet[]> {
    // ACC-08: bounded after the sets that reveal hidden documents are left out (as associations())
    return this.guardSize(await this.submissionSetsAllowed(await findSubmissionSets(this.tx, { ...q, patientKey: this.patientKey })));
  }

  async folders(q: Omit<FolderQuery, 'patientKey'>): Promise<StoredFolder[]> {
    // ACC-08: each folder's time as this reader is shown it (folder-time-sql.ts)
    return this.guardSize(await findFolders(this.tx, { ...q, patientKey: this.patientKey, visibility: this.visibility }));
  }
}

function filterContents(docs: StoredDocumentEntry[], f: { objectTypes?: ContentFilter['objectTypes'] }): StoredDocumentEntry[] {
  if (!f.objectTypes?.length) return docs;
  return docs.filter((d) => f.objectTypes!.includes(d.objectType ?? 'stable'));
}

function contentCriteria(f: ContentFilter): Omit<DocumentQuery, 'patientKey' | 'visibility'> {
  const c: Omit<DocumentQuery, 'patientKey' | 'visibility'> = {};
  if (f.formatCodes) c.formatCodes = f.formatCodes;
  if (f.confidentialityCodes) c.confidentialityCodes = f.confidentialityCodes;
  return c;
}

function uniq<T extends { entryUuid: string }>(list: T[]): T[] {
  const seen = new Set<string>();
  return list.filter((x) => (seen.has(x.entryUuid) ? false : (seen.add(x.entryUuid), true)));
}

/** Documents named by an IdSelector, any version when named by UUID or logical id. */
async function selectDocuments(view: RecordView, ids: IdSelector): Promise<StoredDocumentEntry[]> {
  if (ids.uuids) return view.documents({ entryUuids: ids.uuids, latestOnly: false, sort: 'stored-desc' });
  if (ids.logicalIds) return view.documents({ logicalIds: ids.logicalIds, latestOnly: false, sort: 'stored-desc' });
  if (ids.uniqueIds) return view.documents({ uniqueIds: ids.uniqueIds, latestOnly: false, sort: 'stored-desc' });
  return [];
}

async function selectFolders(view: RecordView, ids: IdSelector): Promise<StoredFolder[]> {
  if (ids.uuids) return view.folders({ entryUuids: ids.uuids, latestOnly: false });
  if (ids.logicalIds) return view.folders({ logicalIds: ids.logicalIds, latestOnly: false });
  if (ids.uniqueIds) return view.folders({ uniqueIds: ids.uniqueIds, latestOnly: !ids.allVersions });
  return [];
}

async function run(view: RecordView, q: Exclude<RegistryQuery, { kind: 'FindDocuments' }>): Promise<RegistrySelection> {
  const out = empty();
  switch (q.kind) {
    case 'FindSubmissionSets':
      out.submissionSets = await view.submissionSets(q.query);
      return out;
    case 'FindFolders':
      out.folders = await view.folders(q.query);
      return out;
    case 'GetAll': {
      out.documents = filterContents(await view.documents({ ...contentCriteria(q.filter), statuses: q.documentStatuses, latestOnly: false }), q.filter);
      out.submissionSets = await view.submissionSets({ statuses: q.submissionSetStatuses });
      out.folders = await view.folders({ statuses: q.folderStatuses, latestOnly: false });
      const ids = new Set([...out.documents, ...out.submissionSets, ...out.folders].map((o) => o.entryUuid));
      const all = await view.associations({ sources: [...ids] });
      // associations between returned objects, then those linking a submission set to them
      const inner = all.filter((a) => ids.has(a.targetId));
      const innerIds = new Set(inner.map((a) => a.entryUuid));
      out.associations = uniq([...inner, ...all.filter((a) => innerIds.has(a.targetId))]);
      return out;
    }
    case 'GetDocuments':
      out.documents = await selectDocuments(view, q.ids);
      return out;
    case 'GetDocumentsAndAssociations': {
      out.documents = await selectDocuments(view, q.ids);
      if (out.documents.length) {
        out.associations = await view.associations({
          touching: out.documents.map((d) => d.entryUuid),
          statuses: q.associationStatuses ?? DEFAULT_ASSOCIATION_STATUS,
        });
      }
      return out;
    }
    case 'GetFolders':
      out.folders = await selectFolders(view, q.ids);
      return out;
    case 'GetAssociations': {
      // the objects named must themselves be known: a hidden document's associations are not
      // listed, nor those of an association or a submission set that reveals one
      await view.typesOf(q.uuids);
      const known = await view.knows(q.uuids);
      const named = q.uuids.filter((id) => view.typeOf(id) !== null && known(id));
      if (named.length) out.associations = await view.associations({ touching: named, statuses: q.associationStatuses ?? DEFAULT_ASSOCIATION_STATUS });
      return out;
    }
    case 'GetSubmissionSets': {
      await view.typesOf(q.uuids);
      const known = await view.knows(q.uuids);
      const named = q.uuids.filter((id) => view.typeOf(id) !== null && known(id));
      if (!named.length) return out;
      const links = await view.associations({ targets: named, types: ['HasMember'], statuses: q.associationStatuses ?? DEFAULT_ASSOCIATION_STATUS });
      await view.typesOf(links.map((l) => l.sourceId));
      const ssLinks = links.filter((l) => view.typeOf(l.sourceId) === 'SubmissionSet');
      if (!ssLinks.length) return out;
      out.submissionSets = await view.submissionSets({ entryUuids: [...new Set(ssLinks.map((l) => l.sourceId))] });
      const shown = new Set(out.submissionSets.map((s) => s.entryUuid));
      out.associations = ssLinks.filter((l) => shown.has(l.sourceId));
      return out;
    }
    case 'GetSubmissionSetAndContents': {
      const sets = await view.submissionSets(q.ids.uuids ? { entryUuids: q.ids.uuids } : { uniqueIds: q.ids.uniqueIds ?? [] });
      const ss = sets[0];
      if (!ss) return out;
      out.submissionSets = [ss];
      const links = await view.associations({ sources: [ss.entryUuid], types: ['HasMember'], statuses: q.associationStatuses ?? DEFAULT_ASSOCIATION_STATUS });
      await view.typesOf(links.map((l) => l.targetId));
      const byType = (t: RegistryObjectType) => links.filter((l) => view.typeOf(l.targetId) === t).map((l) => l.targetId);
      const docIds = byType('DocumentEntry');
      const folderIds = byType('Folder');
      out.documents = docIds.length
        ? filterContents(await view.documents({ ...contentCriteria(q.filter), entryUuids: docIds, latestOnly: false }), q.filter)
        : [];
      out.folders = folderIds.length ? await view.folders({ entryUuids: folderIds, latestOnly: false }) : [];
      const kept = new Set([...out.documents, ...out.folders].map((o) => o.entryUuid));
      const assocMembers = byType('Association');
      const memberAssocs = assocMembers.length ? await view.associations({ entryUuids: assocMembers }) : [];
      // an association member is returned when it links objects that are returned
      const keptAssocs = memberAssocs.filter((a) => (kept.has(a.sourceId) || a.sourceId === ss.entryUuid) && kept.has(a.targetId));
      const keptAssocIds = new Set(keptAssocs.map((a) => a.entryUuid));
      out.associations = uniq([...links.filter((l) => kept.has(l.targetId) || keptAssocIds.has(l.targetId)), ...keptAssocs]);
      return out;
    }
    case 'GetFolderAndContents': {
      const folders = await selectFolders(view, { uuids: q.ids.uuids, uniqueIds: q.ids.uuids ? undefined : (q.ids.uniqueIds ?? []), allVersions: q.ids.allVersions });
      // one folder; at MetadataLevel 2 named by uniqueId, each of its versions with its contents
      out.folders = q.ids.allVersions ? folders : folders.slice(0, 1);
      if (!out.folders.length) return out;
      const links = await view.associations({ sources: out.folders.map((f) => f.entryUuid), types: ['HasMember'], statuses: q.associationStatuses ?? DEFAULT_ASSOCIATION_STATUS });
      await view.typesOf(links.map((l) => l.targetId));
      const docIds = links.filter((l) => view.typeOf(l.targetId) === 'DocumentEntry').map((l) => l.targetId);
      out.documents = docIds.length
        ? filterContents(await view.documents({ ...contentCriteria(q.filter), entryUuids: docIds, latestOnly: false }), q.filter)
        : [];
      const kept = new Set(out.documents.map((d) => d.entryUuid));
      out.associations = links.filter((l) => kept.has(l.targetId));
      return out;
    }
    case 'GetFoldersForDocument': {
      const docs = await selectDocuments(view, q.ids.uuids ? q.ids : { uniqueIds: q.ids.uniqueIds });
      if (!docs.length) return out;
      const links = await view.associations({ targets: docs.map((d) => d.entryUuid), types: ['HasMember'], statuses: q.associationStatuses ?? DEFAULT_ASSOCIATION_STATUS });
      await view.typesOf(links.map((l) => l.sourceId));
      const folderIds = [...new Set(links.filter((l) => view.typeOf(l.sourceId) === 'Folder').map((l) => l.sourceId))];
      out.folders = folderIds.length ? await view.folders({ entryUuids: folderIds, latestOnly: false }) : [];
      return out;
    }
    case 'GetRelatedDocuments': {
      const docs = q.ids.uuids
        ? await view.documents({ entryUuids: q.ids.uuids, latestOnly: false })
        : await view.documents({ uniqueIds: q.ids.uniqueIds ?? [] });
      const doc = docs[0];
      if (!doc) return out;
      const links = await view.associations({ touching: [doc.entryUuid], types: q.associationTypes, statuses: q.associationStatuses ?? DEFAULT_ASSOCIATION_STATUS });
      const otherIds = [...new Set(links.map((l) => (l.sourceId === doc.entryUuid ? l.targetId : l.sourceId)))];
      const others = otherIds.length ? filterContents(await view.documents({ entryUuids: otherIds, latestOnly: false }), q) : [];
      if (!others.length) return out;
      const kept = new Set(others.map((d) => d.entryUuid));
      out.documents = [doc, ...others];
      out.associations = links.filter((l) => kept.has(l.sourceId) || kept.has(l.targetId));
      return out;
    }
  }
}

export function registryQueryService(deps: ServiceDeps) {
  const docs = documentService(deps);

  /**
   * The records a query concerns: by patient id, or by where the named objects are. ACC-10: a
   * caller bound to a patient may name no other one, and another patient's objects are unknown
   * to it (the refusal is traced on their record).
   */
  async function recordsOf(caller: Caller, q: RegistryQuery): Promise<string[]> {
    const trace = { details: { query: q.kind } };
    if ('patientId' in q) {
      const key = await recordKeyFor(deps, caller, q.patientId, 'record.read', trace);
      return key ? [key] : [];
    }
    const keys = new Set<string>();
    const uuids = 'uuids' in q ? q.uuids : [...(q.ids.uuids ?? []), ...(q.ids.logicalIds ?? [])];
    const valid = uuids.filter((u) => /^urn:uuid:[0-9a-f-]{36}$/i.test(u));
    if (valid.length) for (const o of await lookupObjects(deps.db, valid)) keys.add(o.patientKey);
    if ('ids' in q && q.ids.uniqueIds?.length) for (const r of await lookupUniqueIds(deps.db, q.ids.uniqueIds)) keys.add(r.patient_key);
    return recordsOfOwnPatient(deps, caller, [...keys], 'record.read', trace);
  }

  return {
    /** FindDocuments answered as ObjectRef: the entryUUIDs found, in order (no entry is loaded). */
    async findDocumentIds(caller: Caller, q: FindDocumentsQuery): Promise<EntryUuidList> {
      return docs.findIds(caller, q.patientId, q.criteria, narrowingOf(q));
    },

    /** FindDocuments answered as LeafClass, its entries handed to `sink` page after page (see documents.stream). */
    async streamDocuments(caller: Caller, q: FindDocumentsQuery, sink: DocumentPageSink): Promise<void> {
      await docs.stream(caller, q.patientId, q.criteria, narrowingOf(q), sink);
    },

    async run(caller: Caller, q: RegistryQuery, options: RegistryQueryOptions = {}): Promise<RegistrySelection> {
      await deps.availability?.ensureAvailable('document.search');
      if (q.kind === 'FindDocuments') {
        const page = await docs.find(caller, q.patientId, q.criteria);
        let found = filterContents(page.entries, q);
        for (const group of q.referenceIdGroups ?? []) found = found.filter((d) => d.referenceIds.some((r) => group.includes(r)));
        return { ...empty(), documents: found };
      }
      const keys = await recordsOf(caller, q);
      const byIds = !('patientId' in q);
      const out = empty();
      let records = 0;
      for (const patientKey of keys) {
        const part = await guarded(deps, caller, {
          patientKey,
          action: 'record.read',
          // a record found through the ids asked for, that the caller may not read, answers as if
          // they named nothing (ACC-08)
          reachedByIds: byIds,
          trace: { details: { query: q.kind } },
          act: async ({ tx, record }) => {
            const visibility = visibilityFilter(deps.policy, caller.actor, record.context, deps.clock.now());
            return run(new RecordView(tx, patientKey, visibility, deps.limits.maxQueryResults), q);
          },
        }).catch((e: unknown) => {
          if (byIds && e instanceof CarnetError && e.code === 'not_found') return empty();
          throw e;
        });
        if (part.submissionSets.length + part.folders.length + part.documents.length + part.associations.length) records++;
        out.submissionSets.push(...part.submissionSets);
        out.folders.push(...part.folders);
        out.documents.push(...part.documents);
        out.associations.push(...part.associations);
      }
      // counted on what the caller sees: an id of a record it may not read does not make two
      if (options.singlePatient && records > 1) {
        throw new CarnetError('invalid_metadata', 'the objects asked for belong to more than one patient; ask for ObjectRef or one patient', {
          reason: 'not_single_patient',
        });
      }
      return out;
    },
  };
}

export type RegistryQueryService = ReturnType<typeof registryQueryService>;
