// ITI-18 Registry Stored Query request -> a typed query. Which parameters each stored query takes,
// whether they are required, single or multiple and how they are typed follows ITI TF-2 3.18.4.1.2.3.7
// (+ Metadata Update additions: $MetadataLevel, $XDSAssociationStatus, logical ids).
import { CarnetError, CarnetErrors } from '../../domain/errors.js';
import type { Coded, PatientIdentifier } from '../../domain/model.js';
import { NS, attr, childElements, firstChild, textOf } from '../../xml/index.js';
import type { Element } from '../../xml/index.js';
import { isDtm } from '../../domain/entry-requirements.js';
import { parseCx } from '../../domain/hl7v2.js';
import { DEFAULT_SEARCH_MAX_VALUES } from '../../domain/input-limits.js';
import { parseValue, ValueBudget } from './values.js';
import type { Token } from './values.js';

export const STORED_QUERY_IDS = {
  FindDocuments: 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d',
  FindDocumentsByReferenceId: 'urn:uuid:12941a89-e02e-4be5-967c-ce4bfc8fe492',
  FindSubmissionSets: 'urn:uuid:f26abbcb-ac74-4422-8a30-edb644bbc1a9',
  FindFolders: 'urn:uuid:958f3006-baad-4929-a4de-ff1114824431',
  GetAll: 'urn:uuid:10b545ea-725c-446d-9b95-8aeb444eddf3',
  GetDocuments: 'urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4',
  GetFolders: 'urn:uuid:5737b14c-8a1a-4539-b659-e03a34a5e1e4',
  GetAssociations: 'urn:uuid:a7ae438b-4bc2-4642-93e9-be891f7bb155',
  GetDocumentsAndAssociations: 'urn:uuid:bab9529a-4a10-40b3-a01f-f68a615d247a',
  GetSubmissionSets: 'urn:uuid:51224314-5390-4169-9b91-b1980040715a',
  GetSubmissionSetAndContents: 'urn:uuid:e8e3cb2c-e39c-46b9-99e4-c12f57260b83',
  GetFolderAndContents: 'urn:uuid:b909a503-523d-4517-8acf-8e5834dfc4c7',
  GetFoldersForDocument: 'urn:uuid:10cae35a-c7f9-4cf5-b61e-fc3278ffb578',
  GetRelatedDocuments: 'urn:uuid:d90e5407-b356-4d91-a89f-873917b4b0e6',
} as const;

export type StoredQueryName = keyof typeof STORED_QUERY_IDS;

/**
 * Typed parameters. Codes: outer array = AND across repeated slots, inner = OR within a slot.
 * Times are HL7 DTM strings (From inclusive, To exclusive). Status values are full URNs.
 */
export interface QueryParams {
  patientId?: PatientIdentifier;
  classCode?: Coded[][];
  typeCode?: Coded[][];
  practiceSettingCode?: Coded[][];
  healthcareFacilityTypeCode?: Coded[][];
  eventCode?: Coded[][];
  confidentialityCode?: Coded[][];
  formatCode?: Coded[][];
  creationTimeFrom?: string;
  creationTimeTo?: string;
  serviceStartTimeFrom?: string;
  serviceStartTimeTo?: string;
  serviceStopTimeFrom?: string;
  serviceStopTimeTo?: string;
  /** LIKE patterns (% and _ wildcards) */
  authorPerson?: string[];
  documentEntryStatus?: string[];
  documentEntryType?: string[];
  referenceIds?: string[][];
  submissionSetSourceId?: string[];
  submissionTimeFrom?: string;
  submissionTimeTo?: string;
  submissionSetAuthorPerson?: string;
  contentTypeCode?: Coded[][];
  submissionSetStatus?: string[];
  folderLastUpdateTimeFrom?: string;
  folderLastUpdateTimeTo?: string;
  folderCodeList?: Coded[][];
  folderStatus?: string[];
  documentEntryUuid?: string[];
  documentEntryUniqueId?: string[];
  documentEntryLogicalId?: string[];
  folderUuid?: string[];
  folderUniqueId?: string[];
  folderLogicalId?: string[];
  submissionSetUuid?: string[];
  submissionSetUniqueId?: string[];
  /** $uuid of GetAssociations / GetSubmissionSets */
  uuid?: string[];
  associationTypes?: string[];
  associationStatus?: string[];
  metadataLevel?: number;
}

export interface StoredQuery {
  name: StoredQueryName;
  id: string;
  returnType: 'LeafClass' | 'ObjectRef';
  /** AdhocQuery/@home */
  homeCommunityId?: string;
  params: QueryParams;
  /** slots not defined for this query (ignored) */
  ignoredParams: string[];
}

type Kind = 'patientId' | 'code' | 'dtm' | 'string' | 'int';

interface ParamDef {
  slot: string;
  key: keyof QueryParams;
  kind: Kind;
  /** several values allowed (OR) */
  multi?: boolean;
  /** the slot may repeat: AND across repetitions (codes, referenceIds) */
  andOr?: boolean;
  required?: boolean;
}

const p = (slot: string, key: keyof QueryParams, kind: Kind, opts: Partial<ParamDef> = {}): ParamDef => ({ slot, key, kind, ...opts });

const DE_CODE_FILTERS: ParamDef[] = [
  p('$XDSDocumentEntryClassCode', 'classCode', 'code', { multi: true, andOr: true }),
  p('$XDSDocumentEntryTypeCode', 'typeCode', 'code', { multi: true }),
  p('$XDSDocumentEntryPracticeSettingCode', 'practiceSettingCode', 'code', { multi: true }),
  p('$XDSDocumentEntryCreationTimeFrom', 'creationTimeFrom', 'dtm'),
  p('$XDSDocumentEntryCreationTimeTo', 'creationTimeTo', 'dtm'),
  p('$XDSDocumentEntryServiceStartTimeFrom', 'serviceStartTimeFrom', 'dtm'),
  p('$XDSDocumentEntryServiceStartTimeTo', 'serviceStartTimeTo', 'dtm'),
  p('$XDSDocumentEntryServiceStopTimeFrom', 'serviceStopTimeFrom', 'dtm'),
  p('$XDSDocumentEntryServiceStopTimeTo', 'serviceStopTimeTo', 'dtm'),
  p('$XDSDocumentEntryHealthcareFacilityTypeCode', 'healthcareFacilityTypeCode', 'code', { multi: true }),
  p('$XDSDocumentEntryEventCodeList', 'eventCode', 'code', { multi: true, andOr: true }),
  p('$XDSDocumentEntryConfidentialityCode', 'confidentialityCode', 'code', { multi: true, andOr: true }),
  p('$XDSDocumentEntryAuthorPerson', 'authorPerson', 'string', { multi: true }),
  p('$XDSDocumentEntryFormatCode', 'formatCode', 'code', { multi: true }),
  p('$XDSDocumentEntryStatus', 'documentEntryStatus', 'string', { multi: true, required: true }),
  p('$XDSDocumentEntryType', 'documentEntryType', 'string', { multi: true }),
];

const CONTENT_FILTERS: ParamDef[] = [
  p('$XDSDocumentEntryFormatCode', 'formatCode', 'code', { multi: true }),
  p('$XDSDocumentEntryConfidentialityCode', 'confidentialityCode', 'code', { multi: true, andOr: true }),
  p('$XDSDocumentEntryType', 'documentEntryType', 'string', { multi: true }),
];

const METADATA_LEVEL = p('$MetadataLevel', 'metadataLevel', 'int');
const ASSOCIATION_STATUS = p('$XDSAssociationStatus', 'associationStatus', 'string', { multi: true });

interface QueryDef {
  params: ParamDef[];
  /** exactly one parameter of each group must be given */
  oneOf?: (keyof QueryParams)[][];
}

const DOC_IDS = [
  p('$XDSDocumentEntryEntryUUID', 'documentEntryUuid', 'string', { multi: true }),
  p('$XDSDocumentEntryUniqueId', 'documentEntryUniqueId', 'string', { multi: true }),
];
const ONE_DOC = [
  p('$XDSDocumentEntryEntryUUID', 'documentEntryUuid', 'string'),
  p('$XDSDocumentEntryUniqueId', 'documentEntryUniqueId', 'string'),
];

export const STORED_QUERIES: Record<StoredQueryName, QueryDef> = {
  FindDocuments: {
    params: [p('$XDSDocumentEntryPatientId', 'patientId', 'patientId', { required: true }), ...DE_CODE_FILTERS, METADATA_LEVEL],
  },
  FindDocumentsByReferenceId: {
    params: [
      p('$XDSDocumentEntryPatientId', 'patientId', 'patientId', { required: true }),
      p('$XDSDocumentEntryReferenceIdList', 'referenceIds', 'string', { multi: true, andOr: true, required: true }),
      ...DE_CODE_FILTERS,
      METADATA_LEVEL,
    ],
  },
  FindSubmissionSets: {
    params: [
      p('$XDSSubmissionSetPatientId', 'patientId', 'patientId', { required: true }),
      p('$XDSSubmissionSetSourceId', 'submissionSetSourceId', 'string', { multi: true }),
      p('$XDSSubmissionSetSubmissionTimeFrom', 'submissionTimeFrom', 'dtm'),
      p('$XDSSubmissionSetSubmissionTimeTo', 'submissionTimeTo', 'dtm'),
      p('$XDSSubmissionSetAuthorPerson', 'submissionSetAuthorPerson', 'string'),
      p('$XDSSubmissionSetContentType', 'contentTypeCode', 'code', { multi: true }),
      p('$XDSSubmissionSetStatus', 'submissionSetStatus', 'string', { multi: true, required: true }),
      METADATA_LEVEL,
    ],
  },
  FindFolders: {
    params: [
      p('$XDSFolderPatientId', 'patientId', 'patientId', { required: true }),
      p('$XDSFolderLastUpdateTimeFrom', 'folderLastUpdateTimeFrom', 'dtm'),
      p('$XDSFolderLastUpdateTimeTo', 'folderLastUpdateTimeTo', 'dtm'),
      p('$XDSFolderCodeList', 'folderCodeList', 'code', { multi: true, andOr: true }),
      p('$XDSFolderStatus', 'folderStatus', 'string', { multi: true, required: true }),
      METADATA_LEVEL,
    ],
  },
  GetAll: {
    params: [
      p('$patientId', 'patientId', 'patientId', { required: true }),
      p('$XDSDocumentEntryStatus', 'documentEntryStatus', 'string', { multi: true, required: true }),
      p('$XDSSubmissionSetStatus', 'submissionSetStatus', 'string', { multi: true, required: true }),
      p('$XDSFolderStatus', 'folderStatus', 'string', { multi: true, required: true }),
      ...CONTENT_FILTERS,
      METADATA_LEVEL,
    ],
  },
  GetDocuments: {
    params: [...DOC_IDS, p('$XDSDocumentEntryLogicalID', 'documentEntryLogicalId', 'string', { multi: true }), METADATA_LEVEL],
    oneOf: [['documentEntryUuid', 'documentEntryUniqueId', 'documentEntryLogicalId']],
  },
  GetFolders: {
    params: [
      p('$XDSFolderEntryUUID', 'folderUuid', 'string', { multi: true }),
      p('$XDSFolderUniqueId', 'folderUniqueId', 'string', { multi: true }),
      p('$XDSFolderLogicalID', 'folderLogicalId', 'string', { multi: true }),
      METADATA_LEVEL,
    ],
    oneOf: [['folderUuid', 'folderUniqueId', 'folderLogicalId']],
  },
  GetAssociations: {
    params: [p('$uuid', 'uuid', 'string', { multi: true, required: true }), ASSOCIATION_STATUS, METADATA_LEVEL],
  },
  GetDocumentsAndAssociations: {
    params: [...DOC_IDS, ASSOCIATION_STATUS, METADATA_LEVEL],
    oneOf: [['documentEntryUuid', 'documentEntryUniqueId']],
  },
  GetSubmissionSets: {
    params: [p('$uuid', 'uuid', 'string', { multi: true, required: true }), ASSOCIATION_STATUS, METADATA_LEVEL],
  },
  GetSubmissionSetAndContents: {
    params: [
      p('$XDSSubmissionSetEntryUUID', 'submissionSetUuid', 'string'),
      p('$XDSSubmissionSetUniqueId', 'submissionSetUniqueId', 'string'),
      ...CONTENT_FILTERS,
      ASSOCIATION_STATUS,
      METADATA_LEVEL,
    ],
    oneOf: [['submissionSetUuid', 'submissionSetUniqueId']],
  },
  GetFolderAndContents: {
    params: [
      p('$XDSFolderEntryUUID', 'folderUuid', 'string'),
      p('$XDSFolderUniqueId', 'folderUniqueId', 'string'),
      ...CONTENT_FILTERS,
      ASSOCIATION_STATUS,
      METADATA_LEVEL,
    ],
    oneOf: [['folderUuid', 'folderUniqueId']],
  },
  GetFoldersForDocument: {
    params: [...ONE_DOC, ASSOCIATION_STATUS, METADATA_LEVEL],
    oneOf: [['documentEntryUuid', 'documentEntryUniqueId']],
  },
  GetRelatedDocuments: {
    params: [
      ...ONE_DOC,
      p('$AssociationTypes', 'associationTypes', 'string', { multi: true, required: true }),
      p('$XDSDocumentEntryType', 'documentEntryType', 'string', { multi: true }),
      ASSOCIATION_STATUS,
      METADATA_LEVEL,
    ],
    oneOf: [['documentEntryUuid', 'documentEntryUniqueId']],
  },
};

function sqError(reason: string, message: string, location?: string): CarnetError {
  return new CarnetError('invalid_metadata', message, { reason, location });
}

function coded(token: Token, slot: string): Coded {
  // CE-like: code^display^scheme — the display may be empty; the scheme is required
  const parts = token.value.split('^');
  const code = parts[0] ?? '';
  const system = parts.length >= 3 ? parts[parts.length - 1]! : '';
  if (!token.quoted || parts.length < 3 || !code || !system) {
    throw sqError('XDSRegistryError', `parameter ${slot}: coded values must be 'code^^codingScheme' (got ${token.value})`, slot);
  }
  const out: Coded = { code, system };
  if (parts.length > 3 || parts[1]) {
    const display = parts.slice(1, -1).join('^');
    if (display) out.display = display;
  }
  return out;
}

function dtm(token: Token, slot: string): string {
  if (!isDtm(token.value)) {
    throw sqError('XDSRegistryError', `parameter ${slot}: a time must be an HL7 DTM number like 20041224 (got ${token.value})`, slot);
  }
  return token.value;
}

function typed(def: ParamDef, token: Token): unknown {
  switch (def.kind) {
    case 'patientId': {
      const pid = parseCx(token.value);
      if (!pid) throw sqError('XDSRegistryError', `parameter ${def.slot}: not a patient id value^^^&oid&ISO (got ${token.value})`, def.slot);
      return pid;
    }
    case 'code':
      return coded(token, def.slot);
    case 'dtm':
      return dtm(token, def.slot);
    case 'int':
      if (!/^[0-9]+$/.test(token.value)) throw sqError('XDSRegistryError', `parameter ${def.slot}: an integer is expected`, def.slot);
      return Number(token.value);
    case 'string':
      return token.value;
  }
}

export function storedQueryName(id: string): StoredQueryName | undefined {
  for (const [name, qid] of Object.entries(STORED_QUERY_IDS)) if (qid === id) return name as StoredQueryName;
  return undefined;
}

/**
 * Parses `query:AdhocQueryRequest`. Throws a CarnetError (or CarnetErrors when several
 * parameters are wrong) whose `reason` is the XDS error code.
 */
/** The stored query of an AdhocQueryRequest; more than `maxValues` values in all are refused. */
export function parseAdhocQueryRequest(request: Element, maxValues = DEFAULT_SEARCH_MAX_VALUES): StoredQuery {
  if (request.namespaceURI !== NS.query || request.localName !== 'AdhocQueryRequest') {
    throw sqError('XDSRegistryError', 'expected query:AdhocQueryRequest');
  }
  const option = firstChild(request, NS.query, 'ResponseOption');
  const rt = option ? attr(option, 'returnType') : undefined;
  if (rt !== undefined && rt !== 'LeafClass' && rt !== 'ObjectRef') {
    throw sqError('XDSRegistryError', `returnType must be LeafClass or ObjectRef (got ${rt})`);
  }
  const adhoc = firstChild(request, NS.rim, 'AdhocQuery');
  if (!adhoc) throw sqError('XDSRegistryError', 'AdhocQueryRequest without AdhocQuery');
  const id = attr(adhoc, 'id') ?? '';
  const name = storedQueryName(id);
  if (!name) throw sqError('XDSUnknownStoredQuery', `unknown stored query id ${id || '(none)'}`, id || undefined);
  const def = STORED_QUERIES[name];

  const problems: CarnetError[] = [];
  const budget = new ValueBudget(maxValues);
  const params: Record<string, unknown> = {};
  const ignoredParams: string[] = [];
  const occurrences = new Map<string, Element[]>();
  for (const s of childElements(adhoc, NS.rim, 'Slot')) {
    const slot = attr(s, 'name') ?? '';
    (occurrences.get(slot) ?? occurrences.set(slot, []).get(slot)!).push(s);
  }
  // Parameters the query does not define are ignored (toolkit 11897/practicesetting_scheme), the
  // old `...CodeScheme` slots included: an old-style request fails on its code values, which lack
  // the `^^scheme` part (11897/old_scheme).
  for (const slot of occurrences.keys()) {
    if (!def.params.some((d) => d.slot === slot)) ignoredParams.push(slot);
  }
  for (const d of def.params) {
    const slots = occurrences.get(d.slot);
    if (!slots) continue;
    if (slots.length > 1 && !d.andOr) {
      problems.push(sqError('XDSStoredQueryParamNumber', `parameter ${d.slot} is given ${slots.length} times`, d.slot));
      continue;
    }
    try {
      const groups: unknown[][] = [];
      for (const s of slots) {
        const list = firstChild(s, NS.rim, 'ValueList');
        const values = list ? childElements(list, NS.rim, 'Value') : [];
        if (!values.length) throw sqError('XDSStoredQueryMissingParam', `parameter ${d.slot} has no value`, d.slot);
        const tokens = values.flatMap((v) => parseValue(textOf(v), d.slot, budget));
        groups.push(tokens.map((t) => typed(d, t)));
      }
      if (d.andOr || d.kind === 'code') params[d.key] = groups;
      else if (d.multi) params[d.key] = groups[0];
      else {
        if (groups[0]!.length !== 1) {
          throw sqError('XDSStoredQueryParamNumber', `parameter ${d.slot} takes a single value (got ${groups[0]!.length})`, d.slot);
        }
        params[d.key] = groups[0]![0];
      }
    } catch (e) {
      // past the values' limit, the query is refused on that alone: the rest is not read
      if (e instanceof CarnetError && !budget.spent) problems.push(e);
      else throw e;
    }
  }
  for (const d of def.params) {
    if (d.required && !occurrences.has(d.slot)) {
      problems.push(sqError('XDSStoredQueryMissingParam', `required parameter ${d.slot} is missing`, d.slot));
    }
  }
  for (const group of def.oneOf ?? []) {
    const given = group.filter((k) => def.params.some((d) => d.key === k && occurrences.has(d.slot)));
    const slotsOf = group.map((k) => def.params.find((d) => d.key === k)!.slot);
    if (given.length === 0) {
      problems.push(sqError('XDSStoredQueryMissingParam', `one of ${slotsOf.join(', ')} is required`, slotsOf[0]));
    } else if (given.length > 1) {
      problems.push(sqError('XDSStoredQueryParamNumber', `only one of ${slotsOf.join(', ')} may be given`, slotsOf[0]));
    }
  }
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) throw new CarnetErrors(problems);

  const query: StoredQuery = {
    name,
    id,
    returnType: rt ?? 'ObjectRef',
    params: params as QueryParams,
    ignoredParams,
  };
  const home = attr(adhoc, 'home');
  if (home) query.homeCommunityId = home;
  return query;
}
