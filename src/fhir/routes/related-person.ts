// RelatedPerson: a record's legal representatives (MIN-01..04, MASK-04).
//   GET  /RelatedPerson?patient=Patient/<key>   the representatives, ended ones with active=false
//   GET  /RelatedPerson/<id>
//   POST /RelatedPerson                         add one (dmp-internet-account: with its own account)
//   PUT  /RelatedPerson/<id>                    end it (active=false) or set MASK-04
// The services decide who may (the patient side, a professional at the family's request,
// the support service); this module only reads and writes the resources.
import type { RelatedPerson } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { CarnetError } from '../../domain/errors.js';
import { checkIfMatch } from '../../domain/resource-versions.js';
import type { Caller } from '../../services/deps.js';
import { callerOf } from '../caller.js';
import type { FhirRouteContext } from '../door.js';
import { EXT } from '../mappings/carnet-fhir.js';
import { parseRecordScopedId } from '../mappings/composite-id.js';
import { credentialsExtensions, representativeOf } from '../mappings/patient.js';
import { representativeToRelatedPerson } from '../mappings/related-person.js';
import { sendResource } from '../reply.js';
import { invalidParam, parseReference, searchParamsOf, single, undeclared } from './search-params.js';
import { searchset } from './searchset.js';
import { baseOf, ifMatchOf, notFound, orNotFound, readResource, setLocation } from './support.js';

function relatedPersonBody(body: unknown): RelatedPerson {
  const r = body as RelatedPerson;
  if (r.resourceType !== 'RelatedPerson') throw new CarnetError('invalid_metadata', `expected a RelatedPerson, got ${r.resourceType}`, { location: 'resourceType' });
  return r;
}

function flag(r: RelatedPerson, url: string): boolean | undefined {
  return r.extension?.find((e) => e.url === url)?.valueBoolean;
}

export function registerRelatedPersonRoutes(fhir: FastifyInstance, ctx: FhirRouteContext): void {
  const { representatives } = ctx.services;
  const now = () => ctx.services.deps.clock.now();

  async function readOne(caller: Caller, id: string): Promise<RelatedPerson> {
    const parsed = parseRecordScopedId(id);
    if (!parsed || parsed.kind !== 'pair') throw notFound('RelatedPerson');
    const list = await orNotFound(representatives.list(caller, parsed.patientKey), 'RelatedPerson');
    const row = list.find((r) => r.representative_id === parsed.localId);
    if (!row) throw notFound('RelatedPerson');
    return representativeToRelatedPerson(parsed.patientKey, row, now());
  }

  fhir.get('/RelatedPerson', async (req, reply) => {
    const q = searchParamsOf(req);
    const ignored = undeclared(req, q, ctx.caps.searchParamNames('RelatedPerson'), 'RelatedPerson');
    const caller = callerOf(req);
    const v = single(q, 'patient');
    const a = caller.actor;
    const patientKey =
      v !== undefined ? parseReference(v, ['Patient'], 'patient').id : a.kind === 'patient' || a.kind === 'legal_representative' ? a.patientKey : undefined;
    if (!patientKey) throw invalidParam('patient', 'name the record: patient=Patient/<id>');
    const rows = await orNotFound(representatives.list(caller, patientKey), 'Patient');
    const resources = rows.map((r) => representativeToRelatedPerson(patientKey, r, now()));
    return sendResource(req, reply, searchset({ base: baseOf(ctx), type: 'RelatedPerson', params: q, resources, total: resources.length, ignored }));
  });

  fhir.get<{ Params: { id: string } }>('/RelatedPerson/:id', async (req, reply) => sendResource(req, reply, await readOne(callerOf(req), req.params.id.toLowerCase())));

  fhir.post('/RelatedPerson', async (req, reply) => {
    const body = relatedPersonBody(await readResource(req));
    const patientRef = body.patient?.reference;
    if (!patientRef) throw new CarnetError('invalid_metadata', 'RelatedPerson.patient names the record (Patient/<id>)', { location: 'RelatedPerson.patient' });
    const patientKey = parseReference(patientRef, ['Patient'], 'RelatedPerson.patient').id;
    const rep = representativeOf(body, 'RelatedPerson');
    const caller = callerOf(req);
    const added = await orNotFound(representatives.add(caller, patientKey, rep, { openAccount: flag(body, EXT.INTERNET_ACCOUNT) === true }), 'Patient');
    const resource = representativeToRelatedPerson(patientKey, added.row, now());
    setLocation(reply, ctx, resource);
    if (!added.credentials) return sendResource(req, reply, resource, 201);
    // DMP-03, MIN-02: the representative's own account, shown this once
    reply.header('cache-control', 'no-store');
    const issued = credentialsExtensions([{ ...added.credentials, holder: { role: 'legal_representative', representativeId: added.representativeId } }]);
    return sendResource(req, reply, { ...resource, extension: [...(resource.extension ?? []), ...issued] }, 201);
  });

  fhir.put<{ Params: { id: string } }>('/RelatedPerson/:id', async (req, reply) => {
    const id = req.params.id.toLowerCase();
    const caller = callerOf(req);
    const ifMatch = ifMatchOf(req);
    const body = relatedPersonBody(await readResource(req));
    if (body.id !== undefined && body.id.toLowerCase() !== id) throw new CarnetError('invalid_metadata', 'the body\'s id differs from the URL\'s', { location: 'RelatedPerson.id' });
    const parsed = parseRecordScopedId(id);
    if (!parsed || parsed.kind !== 'pair') throw notFound('RelatedPerson');
    const current = await readOne(caller, id);
    // A representative keeps no versions (its access also ends with time, at majority): If-Match
    // can only be *, once the rules let the caller read it (R4 http.html#concurrency).
    checkIfMatch(ifMatch, null);
    // Only these two change here; the representative's contact changes through Patient/$contacts.
    const presence = flag(body, EXT.DOCTOR_PRESENCE_REQUIRED);
    const currentPresence = flag(current, EXT.DOCTOR_PRESENCE_REQUIRED);
    if (body.active === true && current.active === false) {
      throw new CarnetError('business_rule', 'an ended representative is not restored; add the representative again', { reason: 'representative_access_ended' });
    }
    if (presence !== undefined && presence !== currentPresence) {
      await representatives.setDoctorPresenceRequired(caller, parsed.patientKey, parsed.localId, presence);
    }
    if (body.active === false && current.active !== false) await representatives.end(caller, parsed.patientKey, parsed.localId);
    return sendResource(req, reply, await readOne(caller, id));
  });

  const caps = ctx.caps;
  for (const i of ['create', 'read', 'search-type', 'update'] as const) caps.addInteraction('RelatedPerson', i);
  caps.addSearchParams('RelatedPerson', [
    { name: 'patient', type: 'reference', definition: 'http://hl7.org/fhir/SearchParameter/RelatedPerson-patient', documentation: 'The record (Patient/<id>); the patient side may leave it out' },
  ]);
}
