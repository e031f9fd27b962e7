// What the route modules of this door share: reading a resource body in JSON or XML, the
// door's base URL for links, and the rule that an unknown record
// reached through a resource id is a 404 (not the 400 an unknown patient in a submission is).
import type { Resource } from '@medplum/fhirtypes';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CarnetError, isCarnetError } from '../../domain/errors.js';
import { parseIfMatch, type IfMatch } from '../../domain/resource-versions.js';
import type { FhirRouteContext } from '../door.js';
import { checkXml, XmlParseError } from '../../xml/index.js';
import { assertShapes } from '../validation/shapes.js';

/**
 * The resource of a request body: FHIR JSON as parsed, FHIR XML read on a worker thread. Its
 * JSON types are checked against the R4 definitions (shapes.ts) before any route reads it;
 * `shapes: false` for a reader that reports them itself ($validate, ITI-65).
 */
export async function readResource(req: FastifyRequest, options: { shapes?: boolean } = {}): Promise<Resource> {
  const resource = await bodyResource(req);
  if (options.shapes !== false) assertShapes(resource);
  return resource;
}

async function bodyResource(req: FastifyRequest): Promise<Resource> {
  const body = req.body;
  if (typeof body === 'string') {
    if (body.trim() === '') throw new CarnetError('invalid_metadata', 'the request has no resource');
    const limits = req.server.inputLimits.xml;
    // The limits are met here, on the way in; the worker only ever receives an admissible body.
    try {
      checkXml(body, limits);
    } catch (e) {
      if (e instanceof XmlParseError) throw new CarnetError('invalid_metadata', `The FHIR resource: ${e.message}`);
      throw e;
    }
    return req.server.fhirWork.xmlToJson(body, limits);
  }
  if (body === null || typeof body !== 'object' || typeof (body as { resourceType?: unknown }).resourceType !== 'string') {
    throw new CarnetError('invalid_metadata', 'the request body is not a FHIR resource');
  }
  return body as Resource;
}

/** The door's base as clients reach it, for fullUrl and links. */
export function baseOf(ctx: FhirRouteContext): string {
  return `${ctx.config.publicUrl.replace(/\/$/, '')}/fhir`;
}

/** A resource id that names no record is simply not found. */
export async function orNotFound<T>(work: Promise<T>, what: string): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (isCarnetError(e) && e.code === 'unknown_patient') throw new CarnetError('not_found', `no such ${what}`);
    throw e;
  }
}

export function notFound(what: string): CarnetError {
  return new CarnetError('not_found', `no such ${what}`);
}

/**
 * vread (R4 http.html#vread) of what a read answered: only the current version is kept, so an
 * older versionId is not found (its resource may have changed status since, or been masked).
 */
export function atVersion<T extends Resource>(resource: T, versionId: string): T {
  if (resource.meta?.versionId !== versionId) throw new CarnetError('not_found', `no such version of ${resource.resourceType}/${resource.id}: only the current one is kept`);
  return resource;
}

/** R4 http.html#create: the new resource's address names its version, [base]/[type]/[id]/_history/[vid]. */
export function setLocation(reply: FastifyReply, ctx: FhirRouteContext, resource: Resource): void {
  const version = resource.meta?.versionId ? `/_history/${resource.meta.versionId}` : '';
  reply.header('location', `${baseOf(ctx)}/${resource.resourceType}/${resource.id}${version}`);
}

/** The request's If-Match (R4 http.html#concurrency); a malformed one is refused (400). */
export function ifMatchOf(req: FastifyRequest): IfMatch | undefined {
  return parseIfMatch(req.headers['if-match']);
}
