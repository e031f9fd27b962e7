// Registry stored queries (ITI-18) as use cases on the record: each runs through guarded() with
// `record.read`, on the record named by the patient id or by the objects asked for. ACC-08 holds
// for every shape of answer: documents the caller may not see are absent, and so are the
// associations that touch them and the submission sets that would only reveal them.
// What each query selects is in registry-query-run.ts, through the caller's view of the record
// (registry-record-view.ts); this file holds the queries' shapes and the service.
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
import { visibilityFilter } from '../domain/visibility.js';
import type { CodeCriterion } from '../store/document-search.js';
import { lookupObjects, lookupUniqueIds } from '../store/registry-repo.js';
import type { FolderQuery } from '../store/folder-repo.js';
import type { SubmissionSetQuery } from '../store/submission-set-repo.js';
import type { Caller, ServiceDeps } from './deps.js';
import { documentService, type DocumentCriteria, type DocumentNarrowing, type DocumentPageSink } from './documents.js';
import { guarded } from './guard.js';
import { recordKeyFor, recordsOfOwnPatient } from './patient-binding.js';
import type { EntryUuidList } from '../util/entry-uuid-list.js';
import { empty, filterContents, run } from './registry-query-run.js';
import { RecordView } from './registry-record-view.js';

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
