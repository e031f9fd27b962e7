// Submission sets and folders of a record (ITI-66 Find Document Lists, FindSubmissionSets /
// FindFolders): one guarded `record.read`, and every member that is a document goes through the
// caller's visibility filter, so a list never reveals a document its reader cannot find (ACC-08).
import type { AvailabilityStatus, StoredFolder, StoredSubmissionSet } from '../domain/model.js';
import { knownObjects } from '../domain/known-objects.js';
import { visibilityFilter } from '../domain/visibility.js';
import { bareUuid } from '../store/document-repo.js';
import { findDocuments } from '../store/document-search.js';
import { lookupObjects } from '../store/registry-repo.js';
import { findAssociations } from '../store/association-repo.js';
import { countFolders, findFolders, type FolderQuery } from '../store/folder-repo.js';
import { pageOfKnownSets, setsToJudge, type KnownSetsQuery } from '../store/submission-set-pages.js';
import type { Caller, ServiceDeps } from './deps.js';
import { loadRegistryGraph } from '../store/registry-graph.js';
import { guarded } from './guard.js';
import { idKey } from './known-ids.js';
import { CarnetError } from '../domain/errors.js';
import type { Tx } from '../store/db.js';
import type { LoadedRecord } from '../store/record-repo.js';
import { recordKeyFor, type PatientRef } from './patient-binding.js';
import { startsWithFoldedMatcher } from '../domain/string-search.js';

/** What a read answers for a list id that names nothing the caller may see. */
export const NO_SUCH_LIST = 'no such List';

export type ListKind = 'submissionset' | 'folder';
type Code = { code: string; system?: string };

export interface ListCriteria {
  kinds?: ListKind[];
  /** entryUUIDs or uniqueIds */
  entryUuids?: string[];
  uniqueIds?: string[];
  statuses?: AvailabilityStatus[];
  /** submissionTime (submission sets) or lastUpdateTime (folders) */
  from?: Date;
  to?: Date;
  /** contentTypeCode (submission sets) or codeList (folders), any of */
  designationTypes?: Code[];
  /** submission sets only; a folder has no sourceId, so asking for one leaves folders out */
  sourceIds?: string[];
  /**
   * The start of an author's family or given name (ITI-66 source.family / source.given; R4
   * string search: case and accents ignored). Submission sets only: a folder has no author.
   */
  sourceFamily?: string;
  sourceGiven?: string;
}

/** Whether a set has an author of the names asked; each name folded once for every set judged. */
function authoredBy(criteria: ListCriteria): (set: StoredSubmissionSet) => boolean {
  const family = criteria.sourceFamily === undefined ? undefined : startsWithFoldedMatcher(criteria.sourceFamily);
  const given = criteria.sourceGiven === undefined ? undefined : startsWithFoldedMatcher(criteria.sourceGiven);
  return (set) => (set.authors ?? []).some((a) => (!family || family(a.person?.family)) && (!given || given(a.person?.given)));
}

export interface ListMember {
  entryUuid: string;
  type: 'DocumentEntry' | 'Folder';
}

export type FoundList =
  | { kind: 'submissionset'; submissionSet: StoredSubmissionSet; members: ListMember[] }
  | { kind: 'folder'; folder: StoredFolder; members: ListMember[] };

/** A page of a list search: where it starts, how many it holds. */
export interface ListPage {
  offset: number;
  count: number;
}

export interface FoundLists {
  /** the page's lists: the submission sets first, then the folders */
  lists: FoundList[];
  /** how many lists the reader may see in all (ACC-08) */
  total: number;
}

/**
 * The lists of one record matching the criteria, inside the caller's guarded transaction: each
 * member document passes the caller's visibility filter (ACC-08). The folders are paged and
 * counted in SQL, and only the page's members are read: any depositing professional may make
 * folders in a record, and a search must not cost more for each one there is.
 */
async function listsOfRecord(deps: ServiceDeps, caller: Caller, tx: Tx, record: LoadedRecord, patientKey: string, criteria: ListCriteria, page?: ListPage): Promise<FoundLists> {
  const kinds = criteria.kinds ?? ['submissionset', 'folder'];
  // the caller's filter: the members listed, and each folder's time as the caller is shown it (ACC-08)
  const visibility = visibilityFilter(deps.policy, caller.actor, record.context, deps.clock.now());
  const bySource = criteria.sourceFamily !== undefined || criteria.sourceGiven !== undefined;
  const setQuery: KnownSetsQuery = {
    patientKey,
    entryUuids: criteria.entryUuids,
    uniqueIds: criteria.uniqueIds,
    sourceIds: criteria.sourceIds,
    submissionTimeFrom: criteria.from,
    submissionTimeTo: criteria.to,
    contentTypeCodes: criteria.designationTypes,
    statuses: criteria.statuses,
    visibility,
    // an author's name is searched as R4 strings are (accents ignored): in JS, on every set matching the rest
    judgeAll: bySource,
  };
  // the sets SQL cannot settle for this reader (src/store/submission-set-pages.ts), judged on their graph
  const toJudge = kinds.includes('submissionset') ? await setsToJudge(tx, setQuery) : [];
  const bySourceSets = bySource ? toJudge.filter(authoredBy(criteria)) : toJudge;
  // the record around them: whether each one holds only what is hidden (knownObjects)
  const graph = bySourceSets.length ? await loadRegistryGraph(tx, patientKey, bySourceSets.map((x) => x.entryUuid)) : null;
  // Every version the caller may see (each judged on its document's latest version), of which
  // only the latest is listed: an older one may carry the confidentiality it had before being
  // masked, and must not lead back to the content. But an older version still leads to a document
  // the caller sees: a set holding it (the deposit before an ITI-57 new version) is no hidden set.
  const seen = new Map<string, boolean>();
  const asked = new Set<string>();
  const readVisible = async (ids: string[]) => {
    const more = [...new Set(ids.filter((id) => !asked.has(idKey(id))))];
    more.forEach((id) => asked.add(idKey(id)));
    if (!more.length) return;
    for (const e of (await findDocuments(tx, { patientKey, visibility, entryUuids: more, latestOnly: false })).entries) seen.set(e.entryUuid, e.latest);
  };
  await readVisible(graph?.documents() ?? []);
  // A submission set whose every member leading to a document (the document, or a link to it) is
  // hidden would still tell that something was deposited, linked or masked at that time: it is
  // left out like its documents (ACC-08).
  const known = graph ? knownObjects(graph, (id) => seen.has(`urn:uuid:${idKey(id)}`)) : () => true;
  const judgedKnown = bySourceSets.filter((s) => known(s.entryUuid)).map((s) => s.entryUuid);
  const offset = page?.offset ?? 0;
  // the page's share of the sets and their count, cut in SQL among those settled there and those judged known
  const { sets: setsOnPage, total: setTotal } = kinds.includes('submissionset')
    ? await pageOfKnownSets(tx, setQuery, judgedKnown, page ? { offset, limit: page.count } : undefined)
    : { sets: [], total: 0 };
  const folderQuery: FolderQuery | undefined =
    kinds.includes('folder') && !criteria.sourceIds && !bySource
      ? {
          patientKey,
          entryUuids: criteria.entryUuids,
          uniqueIds: criteria.uniqueIds,
          statuses: criteria.statuses,
          lastUpdateTimeFrom: criteria.from,
          lastUpdateTimeTo: criteria.to,
          codeList: criteria.designationTypes ? [criteria.designationTypes] : undefined,
          visibility,
        }
      : undefined;
  // the folders follow the submission sets: the page's share of them, cut in SQL
  const folderSlots = page ? { offset: Math.max(0, offset - setTotal), limit: page.count - setsOnPage.length } : undefined;
  const folders = folderQuery && (!folderSlots || folderSlots.limit > 0) ? await findFolders(tx, folderQuery, folderSlots) : [];
  const folderTotal = !folderQuery ? 0 : page ? await countFolders(tx, folderQuery) : folders.length;
  // the members of the page's lists only, by one statement each for the links, their targets' types and their documents
  const owners = [...setsOnPage.map((s) => s.entryUuid), ...folders.map((f) => f.entryUuid)];
  const links = owners.length ? await findAssociations(tx, { patientKey, sources: owners, types: ['HasMember'], statuses: ['Approved'] }) : [];
  const targets = [...new Set(links.map((l) => l.targetId))];
  const types = new Map((targets.length ? await lookupObjects(tx, targets) : []).map((o) => [o.entryUuid, o.type]));
  await readVisible(targets.filter((t) => types.get(t) === 'DocumentEntry'));
  const membersBySource = new Map<string, ListMember[]>();
  for (const l of links) {
    const type = types.get(l.targetId);
    if (type !== 'Folder' && !(type === 'DocumentEntry' && seen.get(l.targetId) === true)) continue;
    const source = bareUuid(l.sourceId);
    const members = membersBySource.get(source) ?? [];
    members.push({ entryUuid: l.targetId, type });
    membersBySource.set(source, members);
  }
  const membersOf = (owner: string): ListMember[] => membersBySource.get(bareUuid(owner)) ?? [];
  const lists: FoundList[] = [
    ...setsOnPage.map((s): FoundList => ({ kind: 'submissionset', submissionSet: s, members: membersOf(s.entryUuid) })),
    ...folders.map((f): FoundList => ({ kind: 'folder', folder: f, members: membersOf(f.entryUuid) })),
  ];
  return { lists, total: setTotal + folderTotal };
}

export function listService(deps: ServiceDeps) {
  return {
    /** The page of the record's lists matching `criteria`, and how many there are in all. */
    async find(caller: Caller, patient: PatientRef, criteria: ListCriteria = {}, page: ListPage = { offset: 0, count: Number.MAX_SAFE_INTEGER }): Promise<FoundLists> {
      const kinds = criteria.kinds ?? ['submissionset', 'folder'];
      const patientKey = await recordKeyFor(deps, caller, patient, 'record.read', { details: { lists: kinds } });
      if (!patientKey) return { lists: [], total: 0 };
      return guarded(deps, caller, {
        patientKey,
        action: 'record.read',
        trace: { details: { lists: kinds } },
        act: ({ tx, record }) => listsOfRecord(deps, caller, tx, record, patientKey, criteria, page),
      });
    },

    /**
     * One submission set or folder by its entryUUID (the id ITI-65 and ITI-66 hand out), under
     * the same rules as the search: a list whose every document is hidden, a record the caller
     * may not read, and an id that names nothing all answer alike (ACC-08).
     */
    async read(caller: Caller, entryUuid: string): Promise<FoundList> {
      const [obj] = await lookupObjects(deps.db, [entryUuid]);
      const kind: ListKind | undefined = obj?.type === 'SubmissionSet' ? 'submissionset' : obj?.type === 'Folder' ? 'folder' : undefined;
      if (!obj || !kind) throw new CarnetError('not_found', NO_SUCH_LIST);
      let found: FoundList[];
      try {
        found = await guarded(deps, caller, {
          patientKey: obj.patientKey,
          action: 'record.read',
          reachedByIds: true,
          trace: { details: { lists: [kind], entryUuids: [bareUuid(obj.entryUuid)] } },
          act: async ({ tx, record }) => (await listsOfRecord(deps, caller, tx, record, obj.patientKey, { kinds: [kind], entryUuids: [obj.entryUuid] })).lists,
        });
      } catch (e) {
        // the refusal's own wording ("no such document") would tell a hidden list from an absent one
        if (e instanceof CarnetError && (e.code === 'not_found' || e.code === 'unknown_patient')) throw new CarnetError('not_found', NO_SUCH_LIST, e.reason ? { reason: e.reason } : {});
        throw e;
      }
      if (found.length === 0) throw new CarnetError('not_found', NO_SUCH_LIST);
      return found[0];
    },
  };
}

export type ListService = ReturnType<typeof listService>;
