// ITI-67 parameters -> the criteria of documents.find. Each MHD parameter maps onto one stored
// attribute (IHE-FACTS §6, ITI-67 Table 2:3.67.4.1.3.1-1), plus the PDSm `isArchived`.
// Only the latest metadata version of a document is ever searched: an older version may carry
// the confidentiality it had before masking.
import { normaliseConfidentialityCode } from '../../domain/confidentiality.js';
import type { AvailabilityStatus, PatientIdentifier } from '../../domain/model.js';
import type { DocumentCriteria } from '../../services/documents.js';
import { identifierSystemToOid } from '../codes.js';
import { writeCx } from '../../domain/hl7v2.js';
import type { SearchParamDecl } from '../capabilities.js';
import { parseIdentifierToken, patientIdOf } from './patients.js';
import { codeCriterion, dateRange, identifierCriterion, invalidParam, splitOr, tokens, unsupported, type SearchParam } from './search-params.js';
import { CONTROL_PARAMS } from './search-params.js';
import { lookup } from '../../domain/lookup.js';

export type PatientSelector = { patientId: string } | { identifier: PatientIdentifier };

export interface DocumentSearch {
  patient: PatientSelector;
  criteria: DocumentCriteria;
  /** parameters left out under Prefer: handling=lenient */
  ignored: string[];
}

const IHE = 'https://profiles.ihe.net/ITI/MHD/SearchParameter';
const BASE = 'http://hl7.org/fhir/SearchParameter';
const PDSM = 'https://interop.esante.gouv.fr/ig/fhir/pdsm/SearchParameter';

/** What the CapabilityStatement declares: exactly the parameters read below. */
export const DOCUMENT_REFERENCE_SEARCH_PARAMS: SearchParamDecl[] = [
  { name: 'patient', type: 'reference', definition: `${BASE}/clinical-patient`, documentation: 'Patient/<record key>' },
  { name: 'patient.identifier', type: 'token', documentation: 'urn:oid:<oid>|<value> (INS)' },
  { name: 'status', type: 'token', definition: `${BASE}/DocumentReference-status` },
  { name: 'type', type: 'token', definition: `${BASE}/clinical-type` },
  { name: 'category', type: 'token', definition: `${BASE}/DocumentReference-category` },
  { name: 'creation', type: 'date', definition: `${IHE}/DocumentReference-Creation` },
  { name: 'date', type: 'date', definition: `${BASE}/DocumentReference-date` },
  { name: 'period', type: 'date', definition: `${BASE}/DocumentReference-period` },
  { name: 'facility', type: 'token', definition: `${BASE}/DocumentReference-facility` },
  { name: 'setting', type: 'token', definition: `${BASE}/DocumentReference-setting` },
  { name: 'event', type: 'token', definition: `${BASE}/DocumentReference-event` },
  { name: 'format', type: 'token', definition: `${BASE}/DocumentReference-format` },
  { name: 'security-label', type: 'token', definition: `${BASE}/DocumentReference-security-label` },
  { name: 'identifier', type: 'token', definition: `${BASE}/clinical-identifier` },
  { name: 'related', type: 'reference', definition: `${BASE}/DocumentReference-related`, documentation: 'R4 core reference search on context.related; the DMP holds identifiers only (referenceIdList): related:identifier=system|value (the form without modifier is read the same way)' },
  { name: 'author.given', type: 'string', documentation: 'starts with, case and accents ignored; :exact for the whole name as written' },
  { name: 'author.family', type: 'string', documentation: 'starts with, case and accents ignored; :exact for the whole name as written' },
  { name: 'isArchived', type: 'token', definition: `${PDSM}/isArchived`, documentation: 'true | false; archived documents are left out unless isArchived=true (DOC-07)' },
];

export { CONTROL_PARAMS };

const STATUS: Record<string, AvailabilityStatus[]> = {
  // "current" covers the DMP's archived documents too (PDSm: isArchived tells them apart).
  current: ['Approved', 'Archived'],
  superseded: ['Deprecated'],
  'entered-in-error': ['Deleted'],
};

const SORTS: Record<string, NonNullable<DocumentCriteria['sort']>> = {
  date: 'date-asc',
  '-date': 'date-desc',
  creation: 'date-asc',
  '-creation': 'date-desc',
  author: 'author',
  'author.family': 'author',
  '-_lastUpdated': 'stored-desc',
};

type CodeKey = 'typeCodes' | 'classCodes' | 'formatCodes' | 'facilityTypeCodes' | 'practiceSettingCodes';
const SINGLE_CODES: Record<string, CodeKey> = {
  type: 'typeCodes',
  category: 'classCodes',
  format: 'formatCodes',
  facility: 'facilityTypeCodes',
  setting: 'practiceSettingCodes',
};

/** Two OR-lists on a single-valued attribute, both required: their common codes. */
function intersect(a: Array<{ code: string; system?: string }>, b: Array<{ code: string; system?: string }>) {
  return a.filter((x) => b.some((y) => y.code === x.code && (!x.system || !y.system || x.system === y.system)));
}

export function readDocumentSearch(params: SearchParam[], lenient: boolean): DocumentSearch {
  const criteria: DocumentCriteria = {};
  const ignored: string[] = [];
  let patient: PatientSelector | undefined;
  const dates = new Map<string, string[]>();
  let archived: boolean | undefined;
  const known = new Set(DOCUMENT_REFERENCE_SEARCH_PARAMS.map((p) => p.name));

  for (const p of params) {
    if (CONTROL_PARAMS.has(p.name) && p.modifier === undefined) continue;
    const supportedModifier = p.modifier === undefined || (p.modifier === 'exact' && p.name.startsWith('author.')) || (p.modifier === 'identifier' && p.name === 'related');
    if (!known.has(p.name) || !supportedModifier) {
      unsupported(p, 'DocumentReference', lenient, ignored);
      continue;
    }
    switch (p.name) {
      case 'patient': {
        const id = patientIdOf(p.value);
        if (!id) throw invalidParam('patient', 'patient must be Patient/<id>');
        if (patient) throw invalidParam('patient', 'only one patient may be searched');
        patient = { patientId: id };
        break;
      }
      case 'patient.identifier':
        if (patient) throw invalidParam('patient.identifier', 'only one patient may be searched');
        patient = { identifier: parseIdentifierToken(p.value, 'patient.identifier') };
        break;
      case 'status': {
        const wanted = tokens(p.value).flatMap((t) => {
          const s = lookup(STATUS, t.code);
          if (!s) throw invalidParam('status', `status ${t.code} is not a DocumentReference status`);
          return s;
        });
        criteria.statuses = criteria.statuses ? criteria.statuses.filter((s) => wanted.includes(s)) : wanted;
        break;
      }
      case 'type':
      case 'category':
      case 'format':
      case 'facility':
      case 'setting': {
        const key = lookup(SINGLE_CODES, p.name)!;
        const codes = codeCriterion(p.value);
        criteria[key] = criteria[key] ? intersect(criteria[key]!, codes) : codes;
        break;
      }
      case 'event':
        (criteria.eventCodes ??= []).push(codeCriterion(p.value));
        break;
      case 'security-label':
        (criteria.confidentialityCodes ??= []).push(
          codeCriterion(p.value).map((c) => ({ ...c, code: normaliseConfidentialityCode(c.code) })),
        );
        break;
      case 'creation':
      case 'date':
      case 'period':
        dates.set(p.name, [...(dates.get(p.name) ?? []), p.value]);
        break;
      case 'identifier':
        readIdentifier(p.value, criteria);
        break;
      case 'related':
        (criteria.referenceIds ??= []).push(
          ...tokens(p.value).map((t) => (t.code.includes('^') || !t.system ? t.code : writeCx({ value: t.code, system: identifierSystemToOid(t.system) }))),
        );
        break;
      case 'author.given':
      case 'author.family': {
        const values = splitOr(p.value);
        if (values.length !== 1) throw invalidParam(p.name, `${p.name} takes one value`);
        // R4 string search: the start, case and accents ignored; :exact, the whole name as written
        const exact = p.modifier === 'exact';
        if (p.name === 'author.given') criteria[exact ? 'authorGivenExact' : 'authorGiven'] = values[0];
        else criteria[exact ? 'authorFamilyExact' : 'authorFamily'] = values[0];
        break;
      }
      case 'isArchived':
        if (p.value !== 'true' && p.value !== 'false') throw invalidParam('isArchived', 'isArchived is true or false');
        if (archived !== undefined && archived !== (p.value === 'true')) criteria.statuses = [];
        archived = p.value === 'true';
        break;
    }
  }
  if (!patient) throw invalidParam('patient', 'ITI-67 needs patient or patient.identifier');
  // DOC-07: archived documents leave the default lists; isArchived=true is how they are found.
  const statuses = criteria.statuses ?? ['Approved', 'Archived', 'Deprecated', 'Deleted'];
  criteria.statuses = statuses.filter((s) => (archived === true ? s === 'Archived' : s !== 'Archived'));

  const creation = dateRange(dates.get('creation') ?? [], 'creation');
  if (creation.from) criteria.creationFrom = creation.from;
  if (creation.to) criteria.creationTo = creation.to;
  const date = dateRange(dates.get('date') ?? [], 'date');
  if (date.from) criteria.storedFrom = date.from;
  if (date.to) criteria.storedTo = date.to;
  // period: the service started by the upper bound and ended from the lower one (overlap).
  const period = dateRange(dates.get('period') ?? [], 'period');
  if (period.from) criteria.serviceStopFrom = period.from;
  if (period.to) criteria.serviceStartTo = period.to;

  const sort = params.filter((p) => p.name === '_sort' && p.modifier === undefined).flatMap((p) => splitOr(p.value))[0];
  if (sort !== undefined) {
    const s = lookup(SORTS, sort);
    if (!s) throw invalidParam('_sort', `_sort ${sort} is not supported (date, -date, author, -_lastUpdated)`);
    criteria.sort = s;
  }
  return { patient, criteria, ignored };
}

/** identifier: masterIdentifier (uniqueId, `urn:oid:` or plain) or identifier (entryUUID / logicalId). */
function readIdentifier(value: string, criteria: DocumentCriteria): void {
  const { uuids, uniqueIds: others } = identifierCriterion(value);
  if (uuids.length) {
    if (!uuids.every((u) => /^urn:uuid:[0-9a-f-]{36}$/i.test(u))) throw invalidParam('identifier', 'identifier: malformed urn:uuid');
    criteria.entryOrLogicalIds = criteria.entryOrLogicalIds ? criteria.entryOrLogicalIds.filter((u) => uuids.includes(u)) : uuids;
  } else {
    criteria.uniqueIds = criteria.uniqueIds ? criteria.uniqueIds.filter((u) => others.includes(u)) : others;
  }
}
