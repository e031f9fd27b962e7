// Each stored query of ITI-18 but FindDocuments (answered by the document service) as what it
// selects from one record, read through the caller's RecordView. Apart from the service
// (registry-queries.ts), which finds the records a query concerns and guards each.
import type { AvailabilityStatus, StoredDocumentEntry, StoredFolder } from '../domain/model.js';
import type { DocumentQuery } from '../store/document-search.js';
import type { RegistryObjectType } from '../store/registry-repo.js';
import type { ContentFilter, IdSelector, RegistryQuery, RegistrySelection } from './registry-queries.js';
import type { RecordView } from './registry-record-view.js';

export const empty = (): RegistrySelection => ({ submissionSets: [], folders: [], documents: [], associations: [] });

const DEFAULT_ASSOCIATION_STATUS: AvailabilityStatus[] = ['Approved'];

export function filterContents(docs: StoredDocumentEntry[], f: { objectTypes?: ContentFilter['objectTypes'] }): StoredDocumentEntry[] {
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

export async function run(view: RecordView, q: Exclude<RegistryQuery, { kind: 'FindDocuments' }>): Promise<RegistrySelection> {
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
