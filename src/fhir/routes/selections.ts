// DOC-07 personal selections as List resources (code dmp-list-type#carnet-selection): create
// (POST /List), read (through the List read of lists.ts), replace (PUT), delete, and search (GET /List?code=carnet-selection, which
// the ITI-66 List search hands over here). Ids carry the record (composite-id.ts). Entries are
// DocumentReference/<id> (an entryUUID or a logical id); the services keep only documents the
// caller sees and answer each member as the current version's DocumentReference.
import type { List } from '@medplum/fhirtypes';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CarnetError } from '../../domain/errors.js';
import type { StoredDocumentEntry } from '../../domain/model.js';
import type { Caller } from '../../services/deps.js';
import type { VersionedSelection } from '../../services/selections.js';
import { callerOf } from '../caller.js';
import type { FhirRouteContext } from '../door.js';
import { CS } from '../mappings/carnet-fhir.js';
import { pairId, parseRecordScopedId } from '../mappings/composite-id.js';
import { sendResource } from '../reply.js';
import { isSelection, SELECTION_CODE } from '../conformance/default-profile.js';
import { PROFILE } from '../validation/profiles.js';
import type { FhirWork } from '../work/work.js';
import { patientIdOf } from './patients.js';
import { CONTROL_PARAMS, isLenient, parseReference, searchParamsOf, tokens, unsupported } from './search-params.js';
import { searchset } from './searchset.js';
import { baseOf, ifMatchOf, notFound, orNotFound, readResource, setLocation } from './support.js';

export { SELECTION_CODE };

type Selection = VersionedSelection & { members: StoredDocumentEntry[] };

export function selectionToList(patientKey: string, s: Selection): List {
  return {
    resourceType: 'List',
    id: pairId(patientKey, s.selection_id),
    meta: { versionId: s.version.versionId, lastUpdated: s.version.lastUpdated },
    status: 'current',
    mode: 'working',
    title: s.name,
    code: { coding: [{ system: CS.LIST_TYPE, code: SELECTION_CODE, display: 'Sélection personnelle' }] },
    subject: { reference: `Patient/${patientKey}` },
    date: s.version.lastUpdated,
    entry: s.members.map((e) => ({ item: { reference: `DocumentReference/${e.entryUuid.replace(/^urn:uuid:/, '')}` } })),
  };
}

/** A List body -> what the selection service saves (after the profile check of every write, on a worker thread). */
async function listToSelection(list: List, work: FhirWork): Promise<{ name: string; logicalIds: string[] }> {
  if (list.resourceType !== 'List') throw new CarnetError('invalid_metadata', 'the body is not a List');
  if (!isSelection(list)) throw new CarnetError('invalid_metadata', `a personal selection is a List with code ${CS.LIST_TYPE}|${SELECTION_CODE}`, { location: 'List.code' });
  await work.checkProfile(list, PROFILE.selection);
  const name = list.title?.trim();
  if (!name || name.length > 200) throw new CarnetError('invalid_metadata', 'the selection needs a title (at most 200 characters)', { location: 'List.title' });
  const logicalIds = (list.entry ?? []).map((e, i) => {
    const ref = e.item?.reference;
    if (!ref) throw new CarnetError('invalid_metadata', 'each entry names a DocumentReference', { location: `List.entry[${i}].item` });
    return parseReference(ref, ['DocumentReference'], `List.entry[${i}].item`).id;
  });
  return { name, logicalIds };
}

/** The record a List names (subject), else the patient side's own record. */
function recordOf(list: List, caller: Caller): string {
  const ref = list.subject?.reference;
  if (ref) return parseReference(ref, ['Patient'], 'List.subject').id;
  const a = caller.actor;
  if (a.kind === 'patient' || a.kind === 'legal_representative') return a.patientKey;
  throw new CarnetError('invalid_metadata', 'List.subject names the record (Patient/<id>)', { location: 'List.subject' });
}

function parseId(id: string): { patientKey: string; selectionId: string } {
  const p = parseRecordScopedId(id);
  if (!p || p.kind !== 'pair') throw notFound('List');
  return { patientKey: p.patientKey, selectionId: p.localId };
}

/** GET /List?code=carnet-selection: the caller's selections (patient / subject name the record). */
export async function searchSelections(req: FastifyRequest, ctx: FhirRouteContext) {
  const caller = callerOf(req);
  let patientKey: string | undefined;
  const params = searchParamsOf(req);
  const lenient = isLenient(req);
  const ignored: string[] = [];
  for (const p of params) {
    // no modifier is honoured here: `code:not` or `patient:identifier` read as plain would misread them
    if (p.modifier !== undefined) {
      unsupported(p, 'List (selections: code, patient)', lenient, ignored);
    } else if (p.name === 'code') {
      if (!tokens(p.value).every((t) => t.code === SELECTION_CODE)) throw new CarnetError('invalid_metadata', `search ${SELECTION_CODE} alone`, { location: 'code' });
    } else if (p.name === 'patient' || p.name === 'subject') {
      patientKey = patientIdOf(p.value);
      if (!patientKey) throw new CarnetError('invalid_metadata', `${p.name} is Patient/<id>`, { location: p.name });
    } else if (!CONTROL_PARAMS.has(p.name)) {
      unsupported(p, 'List (selections: code, patient)', lenient, ignored);
    }
  }
  if (!patientKey) {
    const a = caller.actor;
    if (a.kind !== 'patient' && a.kind !== 'legal_representative') throw new CarnetError('invalid_metadata', 'name the record: patient=Patient/<id>', { location: 'patient' });
    patientKey = a.patientKey;
  }
  const key = patientKey;
  const found = await orNotFound(ctx.services.selections.view(caller, key), 'Patient');
  return searchset({ base: baseOf(ctx), type: 'List', params, resources: found.map((s) => selectionToList(key, s)), total: found.length, ignored });
}

async function selectionOf(ctx: FhirRouteContext, caller: Caller, patientKey: string, selectionId: string): Promise<List> {
  const all = await orNotFound(ctx.services.selections.view(caller, patientKey), 'List');
  const s = all.find((x) => x.selection_id === selectionId);
  if (!s) throw notFound('List');
  return selectionToList(patientKey, s);
}

/** GET /List/<id> of a personal selection (the List read route, lists.ts, hands it over). */
export function readSelection(ctx: FhirRouteContext, caller: Caller, id: string): Promise<List> {
  const { patientKey, selectionId } = parseId(id);
  return selectionOf(ctx, caller, patientKey, selectionId);
}

export function registerSelectionRoutes(fhir: FastifyInstance, ctx: FhirRouteContext): void {
  const { selections } = ctx.services;

  const one = (caller: Caller, patientKey: string, selectionId: string) => selectionOf(ctx, caller, patientKey, selectionId);

  fhir.post('/List', async (req, reply) => {
    const caller = callerOf(req);
    const list = (await readResource(req)) as List;
    const input = await listToSelection(list, req.server.fhirWork);
    const patientKey = recordOf(list, caller);
    const selectionId = await orNotFound(selections.save(caller, patientKey, input), 'Patient');
    const created = await one(caller, patientKey, selectionId);
    setLocation(reply, ctx, created);
    return sendResource(req, reply, created, 201);
  });

  fhir.put<{ Params: { id: string } }>('/List/:id', async (req, reply) => {
    const caller = callerOf(req);
    const { patientKey, selectionId } = parseId(req.params.id);
    const ifMatch = ifMatchOf(req);
    const list = (await readResource(req)) as List;
    if (list.id !== undefined && list.id !== req.params.id) throw new CarnetError('invalid_metadata', 'the List id differs from the URL', { location: 'List.id' });
    if (recordOf(list, caller) !== patientKey) throw new CarnetError('invalid_metadata', 'a selection stays in its record', { location: 'List.subject' });
    // PUT replaces an existing selection only: a new one is POSTed (its id is the server's)
    const existing = await orNotFound(selections.list(caller, patientKey), 'List');
    if (!existing.some((s) => s.selection_id === selectionId)) throw notFound('List');
    await selections.save(caller, patientKey, { ...(await listToSelection(list, req.server.fhirWork)), selectionId }, ifMatch);
    return sendResource(req, reply, await one(caller, patientKey, selectionId));
  });

  fhir.delete<{ Params: { id: string } }>('/List/:id', async (req, reply) => {
    const { patientKey, selectionId } = parseId(req.params.id);
    await orNotFound(selections.remove(callerOf(req), patientKey, selectionId, ifMatchOf(req)), 'List');
    return reply.code(204).send();
  });

  const caps = ctx.caps;
  caps.addInteraction('List', 'create');
  caps.addInteraction('List', 'update');
  caps.addInteraction('List', 'delete');
}
