// Which bodies the FHIR door reads, decided from the request line before any body is parsed:
// a resource (POST, PUT) is FHIR JSON or FHIR XML, a POST _search is a form, a PATCH is a JSON
// Patch (its route says so itself). Anything else is 415 (R4 http.html: the server does not
// support the content type), rather than a 400 about a body it should never have read. A
// `_search` path answers POST only (405), where a read would otherwise take `_search` for an id.
import type { FastifyInstance } from 'fastify';
import { errorOutcome } from './outcome.js';
import { formatOfMediaType } from './format.js';
import { sendResource } from './reply.js';

const FORM = 'application/x-www-form-urlencoded';

function mediaTypeOf(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The body types a method and path take, or undefined when another check decides. */
function bodyTypeProblem(method: string, path: string, type: string): string | undefined {
  if (method !== 'POST' && method !== 'PUT') return undefined;
  if (path.endsWith('/_search')) return type === FORM || type === '' ? undefined : `a search is posted as ${FORM}, not ${type}`;
  if (type === '' || formatOfMediaType(type)) return undefined;
  return `the body is FHIR JSON or FHIR XML (application/fhir+json, application/fhir+xml), not ${type}`;
}

export function checkBodyTypes(fhir: FastifyInstance): void {
  fhir.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0]!;
    if (path.endsWith('/_search') && req.method !== 'POST') {
      reply.header('allow', 'POST');
      await sendResource(req, reply, errorOutcome('not-supported', `${req.method} is not allowed on ${path}; allowed: POST`), 405);
      return;
    }
    const problem = bodyTypeProblem(req.method, path, mediaTypeOf(req.headers['content-type']));
    if (problem) await sendResource(req, reply, errorOutcome('not-supported', problem), 415);
  });
}
