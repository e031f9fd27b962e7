// ITI-66 Find Document Lists: `GET /fhir/List` (and POST _search) over submission sets and
// folders, and the read of any List by id. The list service decides access and leaves out the documents the caller cannot see,
// so List.entry never points at a hidden document.
import type { List, Reference } from '@medplum/fhirtypes';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AvailabilityStatus } from '../../domain/model.js';
import type { FoundList, ListCriteria, ListKind } from '../../services/lists.js';
import { callerOf } from '../caller.js';
import type { SearchParamDecl } from '../capabilities.js';
import type { FhirRouteContext } from '../door.js';
import { folderToList, submissionSetToList } from '../mhd/lists.js';
import { sendResource } from '../reply.js';
import { CONTROL_PARAMS, type PatientSelector } from './document-search.js';
import { acceptFormBodies } from './documents.js';
import { parseIdentifierToken, patientIdOf, patientReferenceOf } from './patients.js';
import { PAGING_PARAM_DECLS, codeCriterion, dateRange, identifierCriterion, invalidParam, isLenient, pagingOf, searchParamsOf, tokens, unsupported, type SearchParam } from './search-params.js';
import { atVersion, baseOf } from './support.js';
import { searchset } from './searchset.js';
import { readSelection, SELECTION_CODE, searchSelections } from './selections.js';
import { lookup } from '../../domain/lookup.js';

const BASE = 'http://hl7.org/fhir/SearchParameter';
const IHE = 'https://profiles.ihe.net/ITI/MHD/SearchParameter';

export const LIST_SEARCH_PARAMS: SearchParamDecl[] = [
  { name: 'code', type: 'token', definition: `${BASE}/List-code`, documentation: 'submissionset | folder; carnet-selection: the patient\'s personal selections (DOC-07)' },
  { name: 'patient', type: 'reference', definition: `${BASE}/clinical-patient`, documentation: 'Patient/<record key>' },
  { name: 'patient.identifier', type: 'token', documentation: 'urn:oid:<oid>|<value> (INS)' },
  { name: 'status', type: 'token', definition: `${BASE}/List-status` },
  { name: 'identifier', type: 'token', definition: `${BASE}/clinical-identifier` },
  { name: 'date', type: 'date', definition: `${BASE}/clinical-date`, documentation: 'submissionTime / lastUpdateTime' },
  { name: 'designationType', type: 'token', definition: `${IHE}/List-DesignationType` },
  { name: 'sourceId', type: 'token', definition: `${IHE}/List-SourceId` },
  { name: 'source.given', type: 'string', documentation: 'an author of the submission set: given name starts with (case and accents ignored)' },
  { name: 'source.family', type: 'string', documentation: 'an author of the submission set: family name starts with (case and accents ignored)' },
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const STATUS: Record<string, AvailabilityStatus[]> = { current: ['Approved', 'Archived'], retired: ['Deprecated', 'Deleted'] };

export function readListSearch(params: SearchParam[], lenient: boolean): { patient: PatientSelector; criteria: ListCriteria; ignored: string[] } {
  const criteria: ListCriteria = {};
  const ignored: string[] = [];
  let patient: PatientSelector | undefined;
  const dates: string[] = [];
  const known = new Set(LIST_SEARCH_PARAMS.map((p) => p.name));
  for (const p of params) {
    if (CONTROL_PARAMS.has(p.name) && p.modifier === undefined) continue;
    if (!known.has(p.name) || p.modifier) {
      unsupported(p, 'List', lenient, ignored);
      continue;
    }
    switch (p.name) {
      case 'code': {
        const kinds = tokens(p.value).map((t) => t.code);
        if (!kinds.every((k) => k === 'submissionset' || k === 'folder')) throw invalidParam('code', 'code is submissionset or folder');
        criteria.kinds = kinds as ListKind[];
        break;
      }
      case 'patient': {
        const id = patientIdOf(p.value);
        if (!id || patient) throw invalidParam('patient', 'one patient, as Patient/<id>');
        patient = { patientId: id };
        break;
      }
      case 'patient.identifier':
        if (patient) throw invalidParam('patient.identifier', 'only one patient may be searched');
        patient = { identifier: parseIdentifierToken(p.value, 'patient.identifier') };
        break;
      case 'status':
        criteria.statuses = tokens(p.value).flatMap((t) => {
          const s = lookup(STATUS, t.code);
          if (!s) throw invalidParam('status', `status ${t.code} is not supported (current, retired)`);
          return s;
        });
        break;
      case 'identifier': {
        const { uuids, uniqueIds } = identifierCriterion(p.value);
        if (uuids.length) criteria.entryUuids = uuids;
        else criteria.uniqueIds = uniqueIds;
        break;
      }
      case 'date':
        dates.push(p.value);
        break;
      case 'designationType':
        criteria.designationTypes = codeCriterion(p.value);
        break;
      case 'source.given':
      case 'source.family': {
        const value = p.value.trim();
        if (!value || value.includes(',')) throw invalidParam(p.name, `${p.name} takes one name`);
        if (p.name === 'source.given') criteria.sourceGiven = value;
        else criteria.sourceFamily = value;
        break;
      }
      case 'sourceId':
        criteria.sourceIds = tokens(p.value).map((t) => (t.code.startsWith('urn:oid:') ? t.code.slice(8) : t.code));
        break;
    }
  }
  if (!patient) throw invalidParam('patient', 'ITI-66 needs patient or patient.identifier');
  const range = dateRange(dates, 'date');
  if (range.from) criteria.from = range.from;
  if (range.to) criteria.to = range.to;
  return { patient, criteria, ignored };
}

function toList(found: FoundList): List {
  const patientKey = found.kind === 'submissionset' ? found.submissionSet.patientKey : found.folder.patientKey;
  const members: Reference[] = found.members.map((m) => ({
    reference: `${m.type === 'Folder' ? 'List' : 'DocumentReference'}/${m.entryUuid.replace(/^urn:uuid:/, '')}`,
  }));
  const options = { patientReference: patientReferenceOf(patientKey), members };
  return found.kind === 'submissionset' ? submissionSetToList(found.submissionSet, options) : folderToList(found.folder, options);
}

export function listRoutes(fhir: FastifyInstance, ctx: FhirRouteContext): void {
  const { services, config } = ctx;
  acceptFormBodies(fhir);
  async function search(req: FastifyRequest) {
    const params = searchParamsOf(req);
    // DOC-07: personal selections are Lists too, searched by their own code (selections.ts)
    if (params.some((p) => p.name === 'code' && p.modifier === undefined && tokens(p.value).some((t) => t.code === SELECTION_CODE))) return searchSelections(req, ctx);
    const caller = callerOf(req);
    const paging = pagingOf(params, config);
    const { patient, criteria, ignored } = readListSearch(params, isLenient(req));
    // the page is cut in the service's statements: a record may hold thousands of folders
    const found = await services.lists.find(caller, 'identifier' in patient ? patient.identifier : { patientKey: patient.patientId }, criteria, {
      offset: paging.offset,
      count: paging.count,
    });
    return searchset({
      base: baseOf(ctx),
      type: 'List',
      params,
      paging,
      resources: found.lists.map(toList),
      total: paging.total ? found.total : undefined,
      more: paging.offset + paging.count < found.total,
      ignored,
    });
  }
  fhir.get('/List', async (req, reply) => sendResource(req, reply, await search(req)));
  fhir.post('/List/_search', async (req, reply) => sendResource(req, reply, await search(req)));
  // Every List id the server hands out reads here: a submission set's or folder's (its bare
  // entryUUID, from ITI-65's response.location and ITI-66's fullUrl) and a personal selection's.
  async function read(req: FastifyRequest<{ Params: { id: string } }>): Promise<List> {
    const caller = callerOf(req);
    const id = req.params.id;
    if (!UUID.test(id)) return readSelection(ctx, caller, id);
    return toList(await services.lists.read(caller, `urn:uuid:${id.toLowerCase()}`));
  }
  fhir.get<{ Params: { id: string } }>('/List/:id', async (req, reply) => sendResource(req, reply, await read(req)));
  fhir.get<{ Params: { id: string; vid: string } }>('/List/:id/_history/:vid', async (req, reply) => sendResource(req, reply, atVersion(await read(req), req.params.vid)));
  ctx.caps.addInteraction('List', 'read');
  ctx.caps.addInteraction('List', 'vread');
  ctx.caps.addInteraction('List', 'search-type');
  ctx.caps.addSearchParams('List', [...LIST_SEARCH_PARAMS, ...PAGING_PARAM_DECLS]);
}
