// The FHIR door: every route under /fhir. It translates FHIR onto the services and back, and
// records what it registers so that /fhir/metadata describes exactly this door. It decides
// nothing: who may do what is the services' (and the domain's) answer.
import type { FastifyError, FastifyInstance } from 'fastify';
import type { BearerVerifier } from '../auth/bearer.js';
import type { Config } from '../config/config.js';
import { isCarnetError, retryAfterSeconds } from '../domain/errors.js';
import { noteError } from '../http/request-facts.js';
import type { Services } from '../services/index.js';
import { SOFTWARE } from '../version.js';
import { FhirCapabilities } from './capabilities.js';
import { checkBodyTypes } from './body-types.js';
import { createFhirWork, type FhirWork } from './work/work.js';
import { formatOfMediaType } from './format.js';
import { requireBearer } from './caller.js';
import { errorOutcome, outcomeForError, outcomeForUnknown } from './outcome.js';
import { sendResource } from './reply.js';
import { mhdRoutes } from './routes/mhd.js';
import { recordRoutes } from './routes/record.js';
import { conformanceRoutes } from './conformance/routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** the FHIR door's worker threads (XML bodies, profile checks) */
    fhirWork: FhirWork;
  }
}

export interface FhirDoorDeps {
  config: Config;
  services: Services;
  verifier: BearerVerifier;
}

/** What each route module receives. */
export interface FhirRouteContext extends FhirDoorDeps {
  caps: FhirCapabilities;
}

/** The route modules of the door; each registers its routes and declares them in `caps`. */
type RouteModule = (fhir: FastifyInstance, ctx: FhirRouteContext) => void | Promise<void>;
const ROUTE_MODULES: RouteModule[] = [mhdRoutes, recordRoutes, conformanceRoutes];

export async function registerFhirDoor(app: FastifyInstance, deps: FhirDoorDeps): Promise<FhirCapabilities> {
  const caps = new FhirCapabilities();
  // Reading FHIR XML and checking profiles grow with the body: they run on worker threads.
  const work = createFhirWork({ threads: deps.config.workers.threads, budgetMs: deps.config.workers.taskBudgetMs, niceness: deps.config.workers.niceness, profilesDir: deps.config.profilesDir });
  // On the server itself (not only under /fhir): `carnet serve` warms it, close() stops it.
  app.decorate('fhirWork', work);
  app.addHook('onClose', async () => {
    await work.close();
  });
  await app.register(
    async (fhir) => {
      // First, so that the answers of the checks below (401, 415...) carry them too.
      fhir.addHook('onRequest', async (_req, reply) => {
        // Every answer here is chosen by Accept (JSON or XML; a document's own bytes or a Binary
        // resource): a cache must not give one form's answer to a request for the other.
        reply.header('vary', 'Accept');
        // ACC-08: what an address answers depends on who asks (a minor and a parent on one
        // browser ask for the same ones), and a read's Last-Modified would let a browser reuse a
        // stored answer without asking: nothing here is stored, so every answer comes from the
        // rules of its own caller. Conditional requests (If-None-Match) still work for clients
        // that keep their own copies.
        reply.header('cache-control', 'no-store');
      });
      requireBearer(fhir, deps.verifier, deps.services, deps.services.directory.withStanding);
      checkBodyTypes(fhir);
      // A `_format` that names neither FHIR JSON nor FHIR XML cannot be honoured (406), rather
      // than answered in a format the caller did not ask for.
      fhir.addHook('onRequest', async (req, reply) => {
        const query = req.url.indexOf('?');
        if (query < 0) return;
        const format = new URLSearchParams(req.url.slice(query + 1)).get('_format');
        if (format !== null && !formatOfMediaType(format)) {
          await sendResource(req, reply, errorOutcome('not-supported', `_format ${format.slice(0, 80)} is not supported (json, xml, or their media types)`), 406);
        }
      });
      fhir.setErrorHandler((error: FastifyError, req, reply) => {
        noteError(req.facts, error, { code: error.statusCode && error.statusCode < 500 ? `http_${error.statusCode}` : 'internal' });
        if (isCarnetError(error)) {
          const { status, outcome } = outcomeForError(error);
          if (status === 401) reply.header('www-authenticate', `Bearer realm="carnet", error="invalid_token"`);
          const retry = retryAfterSeconds(error);
          if (retry) reply.header('retry-after', String(retry));
          return sendResource(req, reply, outcome, status);
        }
        if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
          const code = error.statusCode === 413 ? 'too-costly' : error.statusCode === 415 ? 'not-supported' : 'invalid';
          return sendResource(req, reply, errorOutcome(code, error.statusCode === 413 ? 'the request body is larger than this server accepts' : error.message), error.statusCode);
        }
        req.log.error({ err: error }, 'unexpected error');
        const { status, outcome } = outcomeForUnknown(error);
        return sendResource(req, reply, outcome, status);
      });

      fhir.get('/metadata', async (req, reply) =>
        sendResource(
          req,
          reply,
          caps.build({
            publicUrl: deps.config.publicUrl,
            software: SOFTWARE,
            formats: ['application/fhir+json', 'application/fhir+xml'],
          }),
        ),
      );
      for (const register of ROUTE_MODULES) await register(fhir, { ...deps, caps });
    },
    { prefix: '/fhir' },
  );
  return caps;
}
