// DMP-06 while the server runs: operators plan, list and cancel maintenance windows at
// /admin/maintenance with a bearer token of the support service (an operator). The public
// announcement stays at GET /maintenance and on the FHIR door (Communication).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { BearerVerifier } from '../auth/bearer.js';
import { verifyRequestBearer } from '../auth/request-bearer.js';
import { CarnetError } from '../domain/errors.js';
import { SUSPENDABLE, type SuspendableFunction } from '../services/maintenance.js';
import type { Caller } from '../services/deps.js';
import type { Services } from '../services/index.js';
import type { MaintenanceRow } from '../services/maintenance.js';
import { noteActor } from './request-facts.js';

/** A window as operators see it: with its id, to cancel it, and who planned it. */
export function windowJson(w: MaintenanceRow) {
  return { id: w.window_id, function: w.function, startsAt: w.starts_at.toISOString(), endsAt: w.ends_at.toISOString(), message: w.message, createdBy: w.created_by };
}

function field(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  if (typeof v !== 'string' || v.trim() === '') throw new CarnetError('invalid_metadata', `${name}: a text is required`, { location: name });
  return v;
}

function time(body: Record<string, unknown>, name: string): Date {
  const d = new Date(field(body, name));
  if (Number.isNaN(d.getTime())) throw new CarnetError('invalid_metadata', `${name}: an ISO date-time is required`, { location: name });
  return d;
}

export function registerMaintenanceAdmin(app: FastifyInstance, services: Services, verifier: BearerVerifier): void {
  async function operator(req: FastifyRequest): Promise<Caller> {
    const { actor } = await verifyRequestBearer(req, verifier, services, 'fhir');
    noteActor(req.facts, actor);
    if (actor.kind !== 'support') throw new CarnetError('forbidden', 'only operators plan maintenance');
    return { actor, channel: 'fhir', requestId: req.id };
  }

  app.get('/admin/maintenance', async (req) => {
    await operator(req);
    return { windows: (await services.maintenance.announced()).map(windowJson) };
  });

  app.post('/admin/maintenance', async (req, reply) => {
    const caller = await operator(req);
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    const fn = field(body, 'function');
    if (!SUSPENDABLE.includes(fn as SuspendableFunction)) {
      throw new CarnetError('invalid_metadata', `function: one of ${SUSPENDABLE.join(', ')}`, { location: 'function' });
    }
    const message = typeof body.message === 'string' && body.message.trim() ? body.message.trim().slice(0, 500) : 'maintenance';
    const w = await services.maintenance.announce(caller, { function: fn as SuspendableFunction, startsAt: time(body, 'startsAt'), endsAt: time(body, 'endsAt'), message });
    return reply.code(201).header('location', `/admin/maintenance/${w.window_id}`).send(windowJson(w));
  });

  app.delete<{ Params: { id: string } }>('/admin/maintenance/:id', async (req, reply) => {
    const caller = await operator(req);
    await services.maintenance.cancel(caller, req.params.id);
    return reply.code(204).send();
  });
}
