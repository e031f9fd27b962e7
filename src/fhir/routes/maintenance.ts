// DMP-06 on the FHIR door: the maintenance announcement as Communication resources, readable
// without a token like GET /maintenance, so that a FHIR client can warn its users before a
// function stops. One Communication per window not over yet: status in-progress while it runs,
// preparation before; topic names the suspended function; the period is an extension.
import type { FastifyInstance } from 'fastify';
import type { Communication } from '@medplum/fhirtypes';
import type { MaintenanceRow } from '../../services/maintenance.js';
import { EXT } from '../mappings/carnet-fhir.js';
import type { FhirRouteContext } from '../door.js';
import { sendResource } from '../reply.js';
import { searchParamsOf, undeclared } from './search-params.js';
import { searchset } from './searchset.js';
import { baseOf, notFound } from './support.js';

const CATEGORY = { system: 'http://terminology.hl7.org/CodeSystem/communication-category', code: 'notification' };

export function windowToCommunication(w: MaintenanceRow, now: Date): Communication {
  return {
    resourceType: 'Communication',
    id: w.window_id,
    status: w.starts_at.getTime() <= now.getTime() ? 'in-progress' : 'preparation',
    category: [{ coding: [CATEGORY], text: 'maintenance' }],
    topic: { text: w.function },
    sent: w.created_at.toISOString(),
    payload: [{ contentString: w.message }],
    extension: [{ url: EXT.MAINTENANCE_PERIOD, valuePeriod: { start: w.starts_at.toISOString(), end: w.ends_at.toISOString() } }],
  };
}

export function registerMaintenanceRoutes(fhir: FastifyInstance, ctx: FhirRouteContext): void {
  const { maintenance } = ctx.services;
  const now = () => ctx.services.deps.clock.now();

  fhir.get('/Communication', async (req, reply) => {
    const q = searchParamsOf(req);
    const ignored = undeclared(req, q, ctx.caps.searchParamNames('Communication'), 'Communication');
    const resources = (await maintenance.announced()).map((w) => windowToCommunication(w, now()));
    return sendResource(req, reply, searchset({ base: baseOf(ctx), type: 'Communication', params: q, resources, total: resources.length, ignored }));
  });

  fhir.get<{ Params: { id: string } }>('/Communication/:id', async (req, reply) => {
    const w = (await maintenance.announced()).find((x) => x.window_id === req.params.id);
    if (!w) throw notFound('Communication');
    return sendResource(req, reply, windowToCommunication(w, now()));
  });

  ctx.caps.addInteraction('Communication', 'read');
  ctx.caps.addInteraction('Communication', 'search-type');
  ctx.caps.addNote('Communication: the announced and current maintenance windows (DMP-06), readable without a token; topic.text = the suspended function, extension dmp-maintenance-period = when.');
}
