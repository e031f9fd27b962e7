// The conformance resources as a read-only FHIR API (read, search by url / name / _id), and
// `$validate`, which runs the very validation the write paths run (validateAgainstProfile, on a worker thread).
import type { Bundle, Parameters, Resource } from '@medplum/fhirtypes';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CarnetError } from '../../domain/errors.js';
import type { FhirRouteContext } from '../door.js';
import { sendResource } from '../reply.js';
import { operationUrl } from '../mappings/carnet-fhir.js';
import { readResource } from '../routes/support.js';
import { defaultProfile, VALIDATABLE } from './default-profile.js';
import { CONFORMANCE_TYPES, loadConformance, type ConformanceRegistry, type ConformanceResource } from './registry.js';

/** Carnet's own $validate (based on the core one): what it takes is published with it. */
const VALIDATE_DEFINITION = operationUrl('carnet-validate');


function searchset(base: string, type: string, self: string, found: ConformanceResource[]): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: found.length,
    link: [{ relation: 'self', url: `${base}/${self}` }],
    entry: found.map((resource) => ({ fullUrl: `${base}/${type}/${resource.id}`, resource, search: { mode: 'match' } })),
  };
}

function search(registry: ConformanceRegistry, type: (typeof CONFORMANCE_TYPES)[number], query: Record<string, unknown>): ConformanceResource[] {
  const known = new Set(['url', 'name', '_id', '_format', '_count', '_summary']);
  const unknown = Object.keys(query).find((k) => !known.has(k));
  if (unknown) throw new CarnetError('invalid_metadata', `${type} is searched by url, name or _id, not ${unknown}`, { location: unknown });
  const values = (k: string) => {
    const v = query[k];
    return v === undefined ? undefined : (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(','));
  };
  const urls = values('url');
  const names = values('name')?.map((n) => n.toLowerCase());
  const ids = values('_id');
  return registry.all(type).filter(
    (r) =>
      (!urls || urls.some((u) => u.split('|')[0] === r.url)) &&
      (!names || names.some((n) => (r.name ?? '').toLowerCase().startsWith(n))) &&
      (!ids || ids.includes(r.id ?? '')),
  );
}

/** $validate's input: the resource itself, or Parameters with `resource` (and `profile`). */
async function validateInput(req: FastifyRequest): Promise<{ resource: Resource; profile?: string }> {
  // a wrong JSON type is one of the issues $validate reports (profileIssues), not a refusal
  const body = await readResource(req, { shapes: false });
  const q = req.query as Record<string, unknown>;
  let profile = typeof q.profile === 'string' ? q.profile : undefined;
  if (body.resourceType !== 'Parameters') return { resource: body, profile };
  const params = (body as Parameters).parameter ?? [];
  // what OperationDefinition carnet-validate documents (no `mode`: only plain validation)
  const unknown = params.find((p) => p.name !== 'resource' && p.name !== 'profile');
  if (unknown) throw new CarnetError('invalid_metadata', `$validate: unknown parameter ${unknown.name} (resource, profile)`, { location: unknown.name ?? 'parameter' });
  const resource = params.find((p) => p.name === 'resource')?.resource;
  if (!resource) throw new CarnetError('invalid_metadata', 'Parameters must carry the resource to validate (parameter "resource")', { location: 'Parameters.parameter' });
  profile ??= params.find((p) => p.name === 'profile')?.valueUri ?? params.find((p) => p.name === 'profile')?.valueCanonical;
  return { resource, profile };
}

export function conformanceRoutes(fhir: FastifyInstance, ctx: FhirRouteContext): void {
  const registry = loadConformance(ctx.config.profilesDir);
  const base = () => `${ctx.config.publicUrl.replace(/\/$/, '')}/fhir`;
  for (const type of CONFORMANCE_TYPES) {
    fhir.get(`/${type}`, async (req, reply) => {
      const found = search(registry, type, (req.query ?? {}) as Record<string, unknown>);
      return sendResource(req, reply, searchset(base(), type, req.url.replace(/^\/fhir\/?/, ''), found));
    });
    fhir.get<{ Params: { id: string } }>(`/${type}/:id`, async (req, reply) => {
      const found = registry.byId(type, req.params.id);
      if (!found) throw new CarnetError('not_found', `no ${type} ${req.params.id}`);
      return sendResource(req, reply, found);
    });
    ctx.caps.addInteraction(type, 'read');
    ctx.caps.addInteraction(type, 'search-type');
    ctx.caps.addSearchParams(type, [
      { name: 'url', type: 'uri', definition: `http://hl7.org/fhir/SearchParameter/${type === 'SearchParameter' ? 'SearchParameter' : 'conformance'}-url` },
      { name: 'name', type: 'string', definition: `http://hl7.org/fhir/SearchParameter/${type === 'SearchParameter' ? 'SearchParameter' : 'conformance'}-name` },
      { name: '_id', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Resource-id' },
    ]);
  }
  for (const type of VALIDATABLE) {
    fhir.post(`/${type}/$validate`, async (req, reply) => {
      const { resource, profile } = await validateInput(req);
      if (resource.resourceType !== type) throw new CarnetError('invalid_metadata', `POST ${type}/$validate expects a ${type}, not ${resource.resourceType}`, { location: 'resourceType' });
      const url = profile ?? defaultProfile(resource);
      if (!url) throw new CarnetError('invalid_metadata', `no profile to validate a ${type} against`);
      // on a worker thread, which reads the same profiles (CARNET_PROFILES_DIR) as this registry
      return sendResource(req, reply, await req.server.fhirWork.validate(resource, url));
    });
    ctx.caps.addOperation(type, { name: 'validate', definition: VALIDATE_DEFINITION });
  }
  for (const { type, url } of registry.profileTypes()) {
    if (type) ctx.caps.addProfile(type, url);
  }
  ctx.caps.useSearchParamDefinitions((type, name) => {
    const sp = registry.all('SearchParameter').find((r) => r.resourceType === 'SearchParameter' && r.code === name && (r.base as string[]).includes(type));
    return sp?.url;
  });
}
