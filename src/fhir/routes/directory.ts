// Practitioner, PractitionerRole and Organization from the directory of professionals and
// structures (read and search; fed by operators, not through this door).
import type { FastifyInstance } from 'fastify';
import type { Resource } from '@medplum/fhirtypes';
import type { StringCriterion } from '../../domain/string-search.js';
import type { DirectoryService } from '../../services/directory.js';
import type { FhirRouteContext } from '../door.js';
import { sendResource } from '../reply.js';
import { SYSTEM } from '../mappings/carnet-fhir.js';
import { professionalToPractitioner, professionalToRole, PROFESSION_SYSTEM, SPECIALTY_SYSTEM, structureToOrganization } from '../mappings/directory.js';
import { invalidParam, pagingOf, parseReference, searchParamsOf, single, splitOr, token, values, type Paging, type SearchParam, undeclared } from './search-params.js';
import { searchset } from './searchset.js';
import { baseOf, notFound } from './support.js';

type ProfessionalSearch = Parameters<DirectoryService['searchProfessionals']>[0];

/** Ids from `_id` and `identifier` (the system, when given, must be `system`); AND between the two. */
function idsOf(q: SearchParam[], system: string): string[] | undefined {
  const byId = values(q, '_id');
  const byIdentifier = values(q, 'identifier').map((v) => {
    const t = token(v);
    if (t.system && t.system !== system) throw invalidParam('identifier', `identifiers here are of ${system}`);
    return t.code;
  });
  if (!byId.length) return byIdentifier.length ? byIdentifier : undefined;
  if (!byIdentifier.length) return byId;
  return byId.filter((id) => byIdentifier.includes(id));
}

/** One code of a token parameter, checked against its system. */
function codeOf(q: SearchParam[], name: string, system: string): string | undefined {
  const v = single(q, name);
  if (v === undefined) return undefined;
  const t = token(v);
  if (t.system && t.system !== system) throw invalidParam(name, `${name} codes are of ${system}`);
  return t.code;
}

/** The modifiers of a directory string parameter; `undeclared` names or refuses any other. */
const STRING_MODIFIERS = ['contains', 'exact'] as const;

/** What each directory search honours besides plain parameters. */
const PROFESSIONAL_MODIFIERS = { family: STRING_MODIFIERS, given: STRING_MODIFIERS, name: STRING_MODIFIERS, address: STRING_MODIFIERS };
const STRUCTURE_MODIFIERS = { name: STRING_MODIFIERS, address: STRING_MODIFIERS };

/**
 * A string parameter (R4 search.html#string): without modifier the start of the text, `:contains`
 * anywhere in it, `:exact` the whole of it as written. Another modifier was left out (named, or
 * refused under Prefer: handling=strict) by `undeclared` before the search is read.
 */
function stringOf(q: SearchParam[], name: string): StringCriterion | undefined {
  const all: StringCriterion[] = [];
  for (const p of q) {
    if (p.name !== name || (p.modifier !== undefined && !(STRING_MODIFIERS as readonly string[]).includes(p.modifier))) continue;
    const match = p.modifier === 'contains' || p.modifier === 'exact' ? p.modifier : 'start';
    for (const value of splitOr(p.value).map((v) => v.trim())) if (value !== '') all.push({ value, match });
  }
  if (all.length > 1) throw invalidParam(name, `${name} takes one value here`);
  return all[0];
}

function professionalSearch(q: SearchParam[], paging: Paging, roles: boolean): ProfessionalSearch {
  const s: ProfessionalSearch = { limit: paging.count, offset: paging.offset };
  const ids = idsOf(q, SYSTEM.IDNAT_PS);
  const practitioners = roles ? values(q, 'practitioner').map((v) => parseReference(v, ['Practitioner'], 'practitioner').id) : [];
  if (ids || practitioners.length) s.ids = ids ? (practitioners.length ? ids.filter((i) => practitioners.includes(i)) : ids) : practitioners;
  // `name` matches the start of the family name (the directory's name search).
  const family = stringOf(q, 'family') ?? stringOf(q, 'name');
  if (family) s.family = family;
  const given = stringOf(q, 'given');
  if (given) s.given = given;
  const profession = codeOf(q, roles ? 'role' : 'qualification', PROFESSION_SYSTEM);
  if (profession) s.profession = profession;
  if (roles) {
    const specialty = codeOf(q, 'specialty', SPECIALTY_SYSTEM);
    if (specialty) s.specialty = specialty;
  }
  const org = single(q, 'organization');
  if (roles && org) s.structureId = parseReference(org, ['Organization'], 'organization').id;
  // the place of practice: the address of the professional's structure
  const address = roles ? stringOf(q, 'address') : undefined;
  if (address) s.address = address;
  return s;
}

export function registerDirectoryRoutes(fhir: FastifyInstance, ctx: FhirRouteContext): void {
  const { directory } = ctx.services;
  // The directory pages by 20 unless asked otherwise, within the server's maximum.
  const pagingOfDirectory = (q: SearchParam[]) => pagingOf(q, { defaultPageSize: 20, maxPageSize: ctx.config.maxPageSize });
  const reply = (type: string, q: SearchParam[], paging: Paging, resources: Resource[], total: number, ignored: string[]) =>
    searchset({ base: baseOf(ctx), type, params: q, paging, resources, total, ignored });

  fhir.get<{ Params: { id: string } }>('/Practitioner/:id', async (req, res) => {
    const found = await directory.searchProfessionals({ ids: [req.params.id], limit: 1 });
    if (!found.rows[0]) throw notFound('Practitioner');
    return sendResource(req, res, professionalToPractitioner(found.rows[0]));
  });
  fhir.get('/Practitioner', async (req, res) => {
    const q = searchParamsOf(req);
    const ignored = undeclared(req, q, ctx.caps.searchParamNames('Practitioner'), 'Practitioner', PROFESSIONAL_MODIFIERS);
    const paging = pagingOfDirectory(q);
    const found = await directory.searchProfessionals(professionalSearch(q, paging, false));
    return sendResource(req, res, reply('Practitioner', q, paging, found.rows.map(professionalToPractitioner), found.total, ignored));
  });

  fhir.get<{ Params: { id: string } }>('/PractitionerRole/:id', async (req, res) => {
    const found = await directory.searchProfessionals({ ids: [req.params.id], limit: 1 });
    if (!found.rows[0]) throw notFound('PractitionerRole');
    return sendResource(req, res, professionalToRole(found.rows[0]));
  });
  fhir.get('/PractitionerRole', async (req, res) => {
    const q = searchParamsOf(req);
    const ignored = undeclared(req, q, ctx.caps.searchParamNames('PractitionerRole'), 'PractitionerRole', PROFESSIONAL_MODIFIERS);
    const paging = pagingOfDirectory(q);
    const found = await directory.searchProfessionals(professionalSearch(q, paging, true));
    return sendResource(req, res, reply('PractitionerRole', q, paging, found.rows.map(professionalToRole), found.total, ignored));
  });

  fhir.get<{ Params: { id: string } }>('/Organization/:id', async (req, res) => {
    const found = await directory.searchStructures({ ids: [req.params.id], limit: 1 });
    if (!found.rows[0]) throw notFound('Organization');
    return sendResource(req, res, structureToOrganization(found.rows[0]));
  });
  fhir.get('/Organization', async (req, res) => {
    const q = searchParamsOf(req);
    const ignored = undeclared(req, q, ctx.caps.searchParamNames('Organization'), 'Organization', STRUCTURE_MODIFIERS);
    const paging = pagingOfDirectory(q);
    const ids = idsOf(q, SYSTEM.IDNAT_STRUCT);
    const name = stringOf(q, 'name');
    const address = stringOf(q, 'address');
    const found = await directory.searchStructures({ ...(ids ? { ids } : {}), ...(name ? { name } : {}), ...(address ? { address } : {}), limit: paging.count, offset: paging.offset });
    return sendResource(req, res, reply('Organization', q, paging, found.rows.map(structureToOrganization), found.total, ignored));
  });

  const caps = ctx.caps;
  const common = [
    { name: '_id', type: 'token' as const, definition: 'http://hl7.org/fhir/SearchParameter/Resource-id' },
    { name: '_count', type: 'number' as const },
    { name: '_offset', type: 'number' as const, documentation: 'paging: where the page starts' },
  ];
  for (const type of ['Practitioner', 'PractitionerRole', 'Organization']) {
    caps.addInteraction(type, 'read');
    caps.addInteraction(type, 'search-type');
  }
  caps.addSearchParams('Practitioner', [
    ...common,
    { name: 'identifier', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Practitioner-identifier', documentation: `${SYSTEM.IDNAT_PS}|<IdNat_PS>` },
    { name: 'family', type: 'string', definition: 'http://hl7.org/fhir/SearchParameter/individual-family' },
    { name: 'given', type: 'string', definition: 'http://hl7.org/fhir/SearchParameter/individual-given' },
    { name: 'name', type: 'string', definition: 'http://hl7.org/fhir/SearchParameter/Practitioner-name', documentation: 'the family name: its start, case and accents ignored; :contains anywhere in it; :exact the whole name as written' },
    { name: 'qualification', type: 'token', documentation: `profession (${PROFESSION_SYSTEM})` },
  ]);
  caps.addSearchParams('PractitionerRole', [
    ...common,
    { name: 'identifier', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/PractitionerRole-identifier', documentation: `${SYSTEM.IDNAT_PS}|<IdNat_PS>` },
    { name: 'practitioner', type: 'reference', definition: 'http://hl7.org/fhir/SearchParameter/PractitionerRole-practitioner' },
    { name: 'organization', type: 'reference', definition: 'http://hl7.org/fhir/SearchParameter/PractitionerRole-organization' },
    { name: 'role', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/PractitionerRole-role', documentation: `profession (${PROFESSION_SYSTEM})` },
    { name: 'specialty', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/PractitionerRole-specialty', documentation: `savoir-faire (${SPECIALTY_SYSTEM})` },
    { name: 'family', type: 'string', documentation: 'family name of the practitioner: its start, case and accents ignored; :contains, :exact' },
    { name: 'given', type: 'string', documentation: 'given name of the practitioner: its start, case and accents ignored; :contains, :exact' },
    { name: 'address', type: 'string', documentation: 'address of the structure where the practitioner works (the place of practice): its start, case and accents ignored; :contains anywhere in it; :exact' },
  ]);
  caps.addSearchParams('Organization', [
    ...common,
    { name: 'identifier', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Organization-identifier', documentation: `${SYSTEM.IDNAT_STRUCT}|<IdNat_Struct>` },
    { name: 'name', type: 'string', definition: 'http://hl7.org/fhir/SearchParameter/Organization-name', documentation: 'the start of the name, case and accents ignored; :contains anywhere in it; :exact the whole name as written' },
    { name: 'address', type: 'string', definition: 'http://hl7.org/fhir/SearchParameter/Organization-address', documentation: 'the start of the address, case and accents ignored; :contains anywhere in it; :exact the whole address as written' },
  ]);
}
