// ITI-18 Registry Stored Query: the typed query becomes a registry query of the record, whose
// answer is written as LeafClass objects or ObjectRefs.
import { dtmToDate } from '../../domain/entry-requirements.js';
import type { AssociationType, AvailabilityStatus, Coded } from '../../domain/model.js';
import type { Caller, Services } from '../../services/index.js';
import type { DocumentPageSink } from '../../services/documents.js';
import type { ContentFilter, IdSelector, RegistryQuery, RegistrySelection } from '../../services/registry-queries.js';
import { associationTypeFromUrn, statusFromUrn } from '../ebrim/constants.js';
import { writeAdhocQueryResponse, writeLeafClassObjects, writeObjectRef, writeObjectRefs } from '../ebrim/write.js';
import { parseAdhocQueryRequest, type QueryParams, type StoredQuery } from '../query/params.js';
import type { Element } from '../../xml/index.js';
import { errorsFor, passDatabaseOutage } from './errors.js';
import type { FactsOf } from '../../http/request-facts.js';
import { lookup } from '../../domain/lookup.js';
import { CarnetError } from '../../domain/errors.js';

type Criterion = Array<{ code: string; system?: string }>;

const key = (c: Coded) => `${c.code}\u0000${c.system}`;

/** AND of OR-groups on a single-valued attribute: the values present in every group. */
function intersect(groups: Coded[][] | undefined): Criterion | undefined {
  if (!groups?.length) return undefined;
  let acc = groups[0]!;
  for (const g of groups.slice(1)) {
    const keys = new Set(g.map(key));
    acc = acc.filter((c) => keys.has(key(c)));
  }
  return acc.map((c) => ({ code: c.code, system: c.system }));
}

function groupsOf(groups: Coded[][] | undefined): Criterion[] | undefined {
  return groups?.map((g) => g.map((c) => ({ code: c.code, system: c.system })));
}

function statuses(values: string[] | undefined): AvailabilityStatus[] | undefined {
  if (!values) return undefined;
  return values.map(statusFromUrn).filter((s): s is AvailabilityStatus => !!s);
}

/** Single-valued id parameters arrive as one string, multi-valued ones as a list. */
const list = (v: string | string[] | undefined): string[] | undefined => (v === undefined ? undefined : ([] as string[]).concat(v));

const date = (v: string | undefined) => (v ? dtmToDate(v) : undefined);

const OBJECT_TYPES: Record<string, 'stable' | 'on-demand'> = {
  'urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1': 'stable',
  'urn:uuid:34268e47-fdf5-41a6-ba33-82133c465248': 'on-demand',
};

/** $XDSDocumentEntryType: the two objectType UUIDs; anything else is refused, not read as "any type". */
function objectTypes(values: string[] | undefined): ContentFilter['objectTypes'] {
  if (!values) return undefined;
  const out: NonNullable<ContentFilter['objectTypes']> = [];
  for (const v of values) {
    const type = lookup(OBJECT_TYPES, v);
    if (!type) {
      throw new CarnetError('invalid_metadata', `parameter $XDSDocumentEntryType: ${v.slice(0, 80)} is not a DocumentEntry objectType`, { location: '$XDSDocumentEntryType', reason: 'XDSRegistryError' });
    }
    if (!out.includes(type)) out.push(type);
  }
  return out;
}

function contentFilter(p: QueryParams): ContentFilter {
  const f: ContentFilter = {};
  const format = intersect(p.formatCode);
  if (format) f.formatCodes = format;
  const conf = groupsOf(p.confidentialityCode);
  if (conf) f.confidentialityCodes = conf;
  const types = objectTypes(p.documentEntryType);
  if (types) f.objectTypes = types;
  return f;
}

/** ITI-57 MetadataLevel 2: a folder named by uniqueId is every version of it, not only the latest. */
function allVersions(sel: IdSelector, level: number | undefined): IdSelector {
  return level === 2 && sel.uniqueIds ? { ...sel, allVersions: true } : sel;
}

function ids(uuids?: string[], uniqueIds?: string[], logicalIds?: string[]): IdSelector {
  if (uuids) return { uuids: uuids.map((u) => u.toLowerCase()) };
  if (logicalIds) return { logicalIds: logicalIds.map((u) => u.toLowerCase()) };
  return { uniqueIds: uniqueIds ?? [] };
}

/** The stored query as a registry query of the record (nothing decided here). */
export function toRegistryQuery(q: StoredQuery): RegistryQuery {
  const p = q.params;
  const assocStatuses = statuses(p.associationStatus);
  const withAssoc = <T extends object>(o: T) => (assocStatuses ? { ...o, associationStatuses: assocStatuses } : o);
  switch (q.name) {
    case 'FindDocuments':
    case 'FindDocumentsByReferenceId': {
      const criteria: Record<string, unknown> = {
        statuses: statuses(p.documentEntryStatus),
        classCodes: intersect(p.classCode),
        typeCodes: intersect(p.typeCode),
        practiceSettingCodes: intersect(p.practiceSettingCode),
        facilityTypeCodes: intersect(p.healthcareFacilityTypeCode),
        formatCodes: intersect(p.formatCode),
        eventCodes: groupsOf(p.eventCode),
        confidentialityCodes: groupsOf(p.confidentialityCode),
        creationFrom: date(p.creationTimeFrom),
        creationTo: date(p.creationTimeTo),
        serviceStartFrom: date(p.serviceStartTimeFrom),
        serviceStartTo: date(p.serviceStartTimeTo),
        serviceStopFrom: date(p.serviceStopTimeFrom),
        serviceStopTo: date(p.serviceStopTimeTo),
        authorPersons: p.authorPerson,
      };
      for (const k of Object.keys(criteria)) if (criteria[k] === undefined) delete criteria[k];
      const out: RegistryQuery = { kind: 'FindDocuments', patientId: p.patientId!, criteria };
      if (p.referenceIds) out.referenceIdGroups = p.referenceIds;
      const types = objectTypes(p.documentEntryType);
      if (types) out.objectTypes = types;
      return out;
    }
    case 'FindSubmissionSets': {
      const query: Record<string, unknown> = {
        statuses: statuses(p.submissionSetStatus),
        sourceIds: p.submissionSetSourceId,
        submissionTimeFrom: date(p.submissionTimeFrom),
        submissionTimeTo: date(p.submissionTimeTo),
        contentTypeCodes: intersect(p.contentTypeCode),
        authorPersons: p.submissionSetAuthorPerson ? [p.submissionSetAuthorPerson] : undefined,
      };
      for (const k of Object.keys(query)) if (query[k] === undefined) delete query[k];
      return { kind: 'FindSubmissionSets', patientId: p.patientId!, query };
    }
    case 'FindFolders': {
      const query: Record<string, unknown> = {
        statuses: statuses(p.folderStatus),
        lastUpdateTimeFrom: date(p.folderLastUpdateTimeFrom),
        lastUpdateTimeTo: date(p.folderLastUpdateTimeTo),
        codeList: groupsOf(p.folderCodeList),
      };
      for (const k of Object.keys(query)) if (query[k] === undefined) delete query[k];
      return { kind: 'FindFolders', patientId: p.patientId!, query };
    }
    case 'GetAll':
      return {
        kind: 'GetAll',
        patientId: p.patientId!,
        documentStatuses: statuses(p.documentEntryStatus) ?? [],
        submissionSetStatuses: statuses(p.submissionSetStatus) ?? [],
        folderStatuses: statuses(p.folderStatus) ?? [],
        filter: contentFilter(p),
      };
    case 'GetDocuments':
      return { kind: 'GetDocuments', ids: ids(p.documentEntryUuid, p.documentEntryUniqueId, p.documentEntryLogicalId) };
    case 'GetDocumentsAndAssociations':
      return withAssoc({ kind: 'GetDocumentsAndAssociations' as const, ids: ids(p.documentEntryUuid, p.documentEntryUniqueId) });
    case 'GetFolders':
      return { kind: 'GetFolders', ids: allVersions(ids(p.folderUuid, p.folderUniqueId, p.folderLogicalId), p.metadataLevel) };
    case 'GetAssociations':
      return withAssoc({ kind: 'GetAssociations' as const, uuids: (p.uuid ?? []).map((u) => u.toLowerCase()) });
    case 'GetSubmissionSets':
      return withAssoc({ kind: 'GetSubmissionSets' as const, uuids: (p.uuid ?? []).map((u) => u.toLowerCase()) });
    case 'GetSubmissionSetAndContents':
      return withAssoc({
        kind: 'GetSubmissionSetAndContents' as const,
        ids: ids(list(p.submissionSetUuid), list(p.submissionSetUniqueId)),
        filter: contentFilter(p),
      });
    case 'GetFolderAndContents':
      return withAssoc({
        kind: 'GetFolderAndContents' as const,
        ids: allVersions(ids(list(p.folderUuid), list(p.folderUniqueId)), p.metadataLevel),
        filter: contentFilter(p),
      });
    case 'GetFoldersForDocument':
      return withAssoc({
        kind: 'GetFoldersForDocument' as const,
        ids: ids(list(p.documentEntryUuid), list(p.documentEntryUniqueId)),
      });
    case 'GetRelatedDocuments': {
      const types = (p.associationTypes ?? []).map(associationTypeFromUrn).filter((t): t is AssociationType => !!t);
      const out = withAssoc({
        kind: 'GetRelatedDocuments' as const,
        ids: ids(list(p.documentEntryUuid), list(p.documentEntryUniqueId)),
        associationTypes: types,
      });
      const ot = objectTypes(p.documentEntryType);
      return ot ? { ...out, objectTypes: ot } : out;
    }
  }
}

/** XDS DTM (UTC) of an ISO instant, as the folder's lastUpdateTime slot carries it. */
function dtmOf(iso: string): string {
  return iso.replace(/[-:T]/g, '').slice(0, 14);
}

function fragments(sel: RegistrySelection, returnType: StoredQuery['returnType']): string[] {
  if (returnType === 'ObjectRef') {
    return [...sel.submissionSets, ...sel.folders, ...sel.documents, ...sel.associations].map((o) => writeObjectRef(o.entryUuid));
  }
  return writeLeafClassObjects({
    submissionSets: sel.submissionSets,
    folders: sel.folders.map((f) => ({ ...f, lastUpdateTime: dtmOf(f.lastUpdateTime) })),
    documentEntries: sel.documents,
    associations: sel.associations,
  });
}

/**
 * The answer to a query that failed before anything of it was sent (a database outage is the
 * door's); `facts`: the request's record, where the error is noted for its log line.
 */
export function queryFailure(e: unknown, facts: FactsOf): string {
  passDatabaseOutage(e);
  return writeAdhocQueryResponse([], errorsFor(e, 'ITI-18', facts));
}

/** FindDocuments as LeafClass: an answer the door writes as the service reads it (query-stream.ts). */
export interface StreamedQuery {
  run(sink: DocumentPageSink): Promise<void>;
}

/**
 * The AdhocQueryResponse, or, for FindDocuments as LeafClass, the query to stream. FindDocuments
 * as ObjectRef reads the entryUUIDs alone; every other query is answered whole.
 */
export async function handleQuery(body: Element, caller: Caller, services: Services, facts: FactsOf, maxValues: number): Promise<string | StreamedQuery> {
  try {
    const q = parseAdhocQueryRequest(body, maxValues);
    const query = toRegistryQuery(q);
    if (query.kind === 'FindDocuments') {
      if (q.returnType === 'LeafClass') return { run: (sink) => services.registryQueries.streamDocuments(caller, query, sink) };
      return writeAdhocQueryResponse([writeObjectRefs(await services.registryQueries.findDocumentIds(caller, query))]);
    }
    const selection = await services.registryQueries.run(caller, query, { singlePatient: q.returnType === 'LeafClass' });
    return writeAdhocQueryResponse(fragments(selection, q.returnType));
  } catch (e) {
    return queryFailure(e, facts);
  }
}
