// The patient's own pages as operations on Patient (patient side; the services decide):
//   GET  /Patient/{id}/$home          PAT-01 home figures (+ PAT-02 settings)
//   GET  /Patient/{id}/$preferences   PAT-02 display settings; POST changes them
//   GET  /Patient/{id}/$contacts      PAT-05 emergency contacts and representatives; POST changes them
//   POST /Patient/{id}/$copy-request  PAT-07 formal copy request
// Shapes: src/fhir/mappings/portal.ts; PAT-06 ($download) is in download.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { callerOf } from '../caller.js';
import type { FhirRouteContext } from '../door.js';
import { operationUrl } from '../mappings/carnet-fhir.js';
import {
  asParameters,
  contactsToParameters,
  displayToParameters,
  homeToParameters,
  parametersToContactsUpdate,
  parametersToCopyRequest,
  parametersToDisplay,
} from '../mappings/portal.js';
import { sendResource } from '../reply.js';
import { documentReferenceOf } from './documents.js';
import { ifMatchOf, orNotFound, readResource } from './support.js';

type ById = { Params: { id: string } };

async function bodyOf(req: FastifyRequest): Promise<unknown> {
  return typeof req.body === 'string' ? (req.body.trim() === '' ? undefined : readResource(req)) : req.body;
}

export function registerPortalRoutes(fhir: FastifyInstance, ctx: FhirRouteContext): void {
  const { services, config } = ctx;

  fhir.get<ById>('/Patient/:id/$home', async (req, reply) => {
    const home = await orNotFound(services.home.home(callerOf(req), req.params.id), 'Patient');
    const latest = home.latest.map((e) => documentReferenceOf(config.publicUrl, e));
    return sendResource(req, reply, homeToParameters({ ...home, latest }));
  });

  fhir.get<ById>('/Patient/:id/$preferences', async (req, reply) => {
    const display = await orNotFound(services.home.display(callerOf(req), req.params.id), 'Patient');
    return sendResource(req, reply, displayToParameters(display));
  });
  fhir.post<ById>('/Patient/:id/$preferences', async (req, reply) => {
    const changes = parametersToDisplay(asParameters(await bodyOf(req), '$preferences'));
    const display = await orNotFound(services.home.setDisplay(callerOf(req), req.params.id, changes), 'Patient');
    return sendResource(req, reply, displayToParameters(display));
  });

  fhir.get<ById>('/Patient/:id/$contacts', async (req, reply) => {
    const view = await orNotFound(services.contacts.get(callerOf(req), req.params.id), 'Patient');
    return sendResource(req, reply, contactsToParameters(view));
  });
  fhir.post<ById>('/Patient/:id/$contacts', async (req, reply) => {
    const update = parametersToContactsUpdate(asParameters(await bodyOf(req), '$contacts'));
    // the emergency contacts are the Patient's (Patient.contact): If-Match names a Patient version
    const view = await orNotFound(services.contacts.update(callerOf(req), req.params.id, update, ifMatchOf(req)), 'Patient');
    return sendResource(req, reply, contactsToParameters(view));
  });

  fhir.post<ById>('/Patient/:id/$copy-request', async (req, reply) => {
    const input = parametersToCopyRequest(asParameters(await bodyOf(req), '$copy-request'));
    const done = await orNotFound(services.copyRequests.request(callerOf(req), req.params.id, input), 'Patient');
    return sendResource(
      req,
      reply,
      {
        resourceType: 'Parameters',
        parameter: [
          { name: 'requestId', valueString: done.requestId },
          { name: 'created', valueDateTime: done.createdAt },
          { name: 'status', valueCode: 'open' },
          { name: 'supportNotified', valueBoolean: done.notified },
        ],
      },
      201,
    );
  });

  const caps = ctx.caps;
  caps.addOperation('Patient', { name: 'home', definition: operationUrl('dmp-home') });
  caps.addOperation('Patient', { name: 'preferences', definition: operationUrl('dmp-preferences') });
  caps.addOperation('Patient', { name: 'contacts', definition: operationUrl('dmp-contacts') });
  caps.addOperation('Patient', { name: 'copy-request', definition: operationUrl('dmp-copy-request') });
}
