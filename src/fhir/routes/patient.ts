// Patient: does a DMP exist and how does the caller stand with it (TD0.2, DMP-04: no DMP is an
// empty searchset, not an error), read by record key, create with the patient's consent
// (DMP-01), close and reactivate (DMP-05) as operations.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Parameters, Patient } from '@medplum/fhirtypes';
import { CarnetError } from '../../domain/errors.js';
import type { ResourceVersion } from '../../domain/resource-versions.js';
import type { EmergencyContact } from '../../services/contacts.js';
import type { Caller } from '../../services/deps.js';
import type { RecordView } from '../../services/records.js';
import { callerOf } from '../caller.js';
import type { FhirRouteContext } from '../door.js';
import { okOutcome } from '../outcome.js';
import { sendResource } from '../reply.js';
import { operationUrl } from '../mappings/carnet-fhir.js';
import { credentialsExtensions, insIdentifier, patientToCreateInput, recordToPatient } from '../mappings/patient.js';
import { emergencyContactsToPatientContacts, storedEmergencyContacts } from '../mappings/portal.js';
import { searchParamsOf, single, token, values, undeclared } from './search-params.js';
import { searchset } from './searchset.js';
import { PROFILE } from '../validation/profiles.js';
import { atVersion, baseOf, ifMatchOf, orNotFound, readResource, setLocation } from './support.js';
import { assertShapes } from '../validation/shapes.js';

/** The Patient with its version (R4 meta.versionId, meta.lastUpdated). */
function versioned(patient: Patient, version: ResourceVersion | undefined): Patient {
  return version ? { ...patient, meta: { ...patient.meta, versionId: version.versionId, lastUpdated: version.lastUpdated } } : patient;
}

function viewToPatient(v: RecordView): Patient {
  return versioned(unversionedPatient(v), v.version);
}

function unversionedPatient(v: RecordView): Patient {
  return recordToPatient({
    patientKey: v.patient_key,
    status: v.status,
    closedAt: v.closed_at,
    closureReason: v.closure_reason,
    identifiers: v.identifiers,
    given: v.given,
    family: v.family,
    gender: v.gender,
    birthDate: v.birth_date,
    authorised: v.authorised,
    blocked: v.blocked,
    medecinTraitant: v.medecinTraitant,
  });
}

/** The close reason: Parameters `reason` (string or code); a body is optional. */
function closeReason(body: unknown): string | undefined {
  if (body === undefined || body === null || body === '') return undefined;
  const p = body as Parameters;
  if (p.resourceType !== 'Parameters') throw new CarnetError('invalid_metadata', '$close takes a Parameters resource (parameter "reason")');
  assertShapes(p);
  const unknown = p.parameter?.find((x) => x.name !== 'reason');
  if (unknown) throw new CarnetError('invalid_metadata', `$close: unknown parameter ${unknown.name} (reason)`, { location: unknown.name ?? 'parameter' });
  const reason = p.parameter?.find((x) => x.name === 'reason');
  return reason?.valueString ?? reason?.valueCode ?? reason?.valueCodeableConcept?.text ?? undefined;
}

/** PAT-05: the contacts a professional may see; none when the rules refuse (the refusal is traced). */
async function contactsOrNone(contacts: FhirRouteContext['services']['contacts'], caller: Caller, patientKey: string): Promise<EmergencyContact[]> {
  try {
    return await contacts.emergencyContactsFor(caller, patientKey);
  } catch (e) {
    if (e instanceof CarnetError && (e.code === 'forbidden' || e.code === 'not_found' || e.code === 'record_closed')) return [];
    throw e;
  }
}

export function registerPatientRoutes(fhir: FastifyInstance, ctx: FhirRouteContext): void {
  const { records, contacts } = ctx.services;

  fhir.get('/Patient', async (req, reply) => {
    const q = searchParamsOf(req);
    const ignored = undeclared(req, q, ctx.caps.searchParamNames('Patient'), 'Patient');
    const caller = callerOf(req);
    const identifiers = values(q, 'identifier');
    const id = single(q, '_id');
    if (identifiers.length === 0 && id === undefined) {
      throw new CarnetError('invalid_metadata', 'search a DMP by identifier (the INS: urn:oid:1.2.250.1.213.1.4.8|<INS>) or by _id', { location: 'identifier' });
    }
    if (identifiers.length > 1) throw new CarnetError('invalid_metadata', 'one INS per search', { location: 'identifier' });
    let found: Patient | undefined;
    if (identifiers.length === 1) {
      const ins = token(identifiers[0]);
      const status = await records.status(caller, insIdentifier(ins.system, ins.code));
      if (status.exists && status.identity && (id === undefined || id === status.patientKey)) {
        found = versioned(recordToPatient({
          patientKey: status.patientKey!,
          status: status.status!,
          closedAt: status.closedAt,
          closureReason: status.closureReason,
          ...status.identity,
          authorised: status.authorised,
          blocked: status.blocked,
          medecinTraitant: status.medecinTraitant,
        }), status.version);
      }
    } else {
      try {
        found = viewToPatient(await records.get(caller, id!));
      } catch (e) {
        // DMP-04: an unknown record is an empty answer here too.
        if (!(e instanceof CarnetError && (e.code === 'unknown_patient' || e.code === 'not_found'))) throw e;
      }
    }
    const resources = found ? [found] : [];
    return sendResource(req, reply, searchset({ base: baseOf(ctx), type: 'Patient', params: q, resources, total: resources.length, ignored }));
  });

  async function readPatient(req: FastifyRequest<{ Params: { id: string } }>): Promise<Patient> {
    const caller = callerOf(req);
    const view = await orNotFound(records.get(caller, req.params.id), 'Patient');
    const patient = viewToPatient(view);
    // PAT-05: the patient side sees its emergency contacts on its Patient ($contacts changes them);
    // a professional sees them when allowed to read the record (asked, and traced, only then).
    const owner = caller.actor.kind === 'patient' || caller.actor.kind === 'legal_representative';
    const mayRead = caller.actor.kind === 'professional' && !view.blocked && (view.authorised || caller.actor.mode !== 'normal');
    const stored = owner ? storedEmergencyContacts(view.emergency_contacts) : mayRead ? await contactsOrNone(contacts, caller, req.params.id) : [];
    const shown = emergencyContactsToPatientContacts(stored);
    return shown.length ? { ...patient, contact: shown } : patient;
  }
  fhir.get<{ Params: { id: string } }>('/Patient/:id', async (req, reply) => sendResource(req, reply, await readPatient(req)));
  fhir.get<{ Params: { id: string; vid: string } }>('/Patient/:id/_history/:vid', async (req, reply) =>
    sendResource(req, reply, atVersion(await readPatient(req), req.params.vid)),
  );

  fhir.post('/Patient', async (req, reply) => {
    const body = await readResource(req);
    // DMP creation: the published Patient profile first, as `$validate` would report it (on a
    // worker thread: its cost grows with the body)
    if (body.resourceType === 'Patient') await req.server.fhirWork.checkProfile(body, PROFILE.patient);
    const input = patientToCreateInput(body);
    const { patientKey, credentials, version } = await records.create(callerOf(req), input);
    const patient = versioned(recordToPatient({
      patientKey,
      status: 'open',
      identifiers: input.identifiers,
      given: input.given,
      family: input.family,
      gender: input.gender,
      birthDate: input.birthDate,
    }), version);
    setLocation(reply, ctx, patient);
    if (!credentials.length) return sendResource(req, reply, patient, 201);
    // DMP-03: the one answer that carries the temporary passwords; no cache keeps it.
    reply.header('cache-control', 'no-store');
    return sendResource(req, reply, { ...patient, extension: [...(patient.extension ?? []), ...credentialsExtensions(credentials)] }, 201);
  });

  fhir.post<{ Params: { id: string } }>('/Patient/:id/$close', async (req, reply) => {
    const body = typeof req.body === 'string' && req.body.trim() !== '' ? await readResource(req) : req.body;
    await orNotFound(records.close(callerOf(req), req.params.id, closeReason(body), ifMatchOf(req)), 'Patient');
    return sendResource(req, reply, okOutcome('the DMP is closed; its data are kept for the retention period and it may be reactivated'));
  });

  fhir.post<{ Params: { id: string } }>('/Patient/:id/$reactivate', async (req, reply) => {
    await orNotFound(records.reactivate(callerOf(req), req.params.id, ifMatchOf(req)), 'Patient');
    return sendResource(req, reply, okOutcome('the DMP is open again, as it was'));
  });

  const caps = ctx.caps;
  caps.addInteraction('Patient', 'read');
  caps.addInteraction('Patient', 'vread');
  caps.addInteraction('Patient', 'search-type');
  caps.addInteraction('Patient', 'create');
  caps.addSearchParams('Patient', [
    { name: 'identifier', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Patient-identifier', documentation: 'The INS (urn:oid:1.2.250.1.213.1.4.8|<INS>): 0 entries when there is no DMP (DMP-04), else the DMP with its state' },
    { name: '_id', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Resource-id' },
  ]);
  caps.addOperation('Patient', { name: 'close', definition: operationUrl('dmp-close') });
  caps.addOperation('Patient', { name: 'reactivate', definition: operationUrl('dmp-reactivate') });
}
