// Submission sets and folders of a record (ITI-66 Find Document Lists, FindSubmissionSets /
// FindFolders): one guarded `record.read`, and every member that is a document goes through the
// caller's visibility filter, so a list never reveals a document its reader cannot find (ACC-08).
import type { AvailabilityStatus, StoredFolder, StoredSubmissionSet } from '../domain/model.js';
import { visibilityFilter } from '../domain/visibility.js';
import { bareUuid, findDocuments } from '../store/document-repo.js';
import { findAssociations, findFolders, findSubmissionSets, lookupObjects } from '../store/registry-repo.js';
import type { Caller, ServiceDeps } from './deps.js';
import { guarded } from './guard.js';
import { recordKeyFor, type PatientRef } from './patient-binding.js';

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
}

export interface ListMember {
  entryUuid: string;
  type: 'DocumentEntry' | 'Folder';
}

export type FoundList =
  | { kind: 'submissionset'; submissionSet: StoredSubmissionSet; members: ListMember[] }
  | { kind: 'folder'; folder: StoredFolder; members: ListMember[] };

export function listService(deps: ServiceDeps) {
  return {
    async find(caller: Caller, patient: PatientRef, criteria: ListCriteria = {}): Promise<FoundList[]> {
      const kinds = criteria.kinds ?? ['submissionset', 'folder'];
      const patientKey = await recordKeyFor(deps, caller, patient, 'record.read', { details: { lists: kinds } });
      if (!patientKey) return [];
      return guarded(deps, caller, {
        patientKey,
        action: 'record.read',
        trace: { details: { lists: kinds } },
        act: async ({ tx, record }) => {
          const sets = kinds.includes('submissionset')
            ? await findSubmissionSets(tx, {
                patientKey,
                entryUuids: criteria.entryUuids,
                uniqueIds: criteria.uniqueIds,
                sourceIds: criteria.sourceIds,
                submissionTimeFrom: criteria.from,
                submissionTimeTo: criteria.to,
                contentTypeCodes: criteria.designationTypes,
                statuses: criteria.statuses,
              })
            : [];
          const folders =
            kinds.includes('folder') && !criteria.sourceIds
              ? await findFolders(tx, {
                  patientKey,
                  entryUuids: criteria.entryUuids,
                  uniqueIds: criteria.uniqueIds,
                  statuses: criteria.statuses,
                  lastUpdateTimeFrom: criteria.from,
                  lastUpdateTimeTo: criteria.to,
                  codeList: criteria.designationTypes ? [criteria.designationTypes] : undefined,
                })
              : [];
          const owners = [...sets.map((s) => s.entryUuid), ...folders.map((f) => f.entryUuid)];
          const links = owners.length
            ? await findAssociations(tx, { patientKey, sources: owners, types: ['HasMember'], statuses: ['Approved'] })
            : [];
          const targets = [...new Set(links.map((l) => l.targetId))];
          const types = new Map((targets.length ? await lookupObjects(tx, targets) : []).map((o) => [o.entryUuid, o.type]));
          const documentIds = targets.filter((t) => types.get(t) === 'DocumentEntry');
          // Only the latest version of a document is listed: an older one may carry the
          // confidentiality it had before being masked, and must not lead back to the content.
          const visibility = visibilityFilter(deps.policy, caller.actor, record.context, deps.clock.now());
          const visible = documentIds.length
            ? new Set((await findDocuments(tx, { patientKey, visibility, entryUuids: documentIds })).entries.map((e) => e.entryUuid))
            : new Set<string>();
          const membersOf = (owner: string): { members: ListMember[]; hiddenDocuments: number } => {
            const members: ListMember[] = [];
            let hiddenDocuments = 0;
            for (const l of links) {
              if (bareUuid(l.sourceId) !== bareUuid(owner)) continue;
              const type = types.get(l.targetId);
              if (type === 'Folder') members.push({ entryUuid: l.targetId, type });
              else if (type === 'DocumentEntry') {
                if (visible.has(l.targetId)) members.push({ entryUuid: l.targetId, type });
                else hiddenDocuments++;
              }
            }
            return { members, hiddenDocuments };
          };
          const out: FoundList[] = [];
          for (const s of sets) {
            const { members, hiddenDocuments } = membersOf(s.entryUuid);
            // A submission set whose every document is hidden would still tell that something
            // was deposited (or masked) at that time: it is left out like its documents.
            if (hiddenDocuments > 0 && !members.some((m) => m.type === 'DocumentEntry')) continue;
            out.push({ kind: 'submissionset', submissionSet: s, members });
          }
          for (const f of folders) out.push({ kind: 'folder', folder: f, members: membersOf(f.entryUuid).members });
          return out;
        },
      });
    },
  };
}

export type ListService = ReturnType<typeof listService>;
