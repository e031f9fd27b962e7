// Sending FHIR answers in the format the client asked for (_format, Accept, else the request's).
import type { Resource } from '@medplum/fhirtypes';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { responseFormat, serialize } from './format.js';

export function formatFor(req: FastifyRequest): 'json' | 'xml' {
  const q = req.query as Record<string, unknown> | undefined;
  const format = typeof q?._format === 'string' ? q._format : undefined;
  return responseFormat({ format, accept: req.headers.accept, contentType: req.headers['content-type'] });
}

/**
 * R4 http.html#versioning: a resource answered on its own (read, vread, create, update, patch)
 * carries its version as a weak ETag and its lastUpdated as Last-Modified.
 */
function versionHeaders(reply: FastifyReply, resource: Resource, status: number): void {
  if ((status !== 200 && status !== 201) || resource.resourceType === 'Bundle' || resource.resourceType === 'OperationOutcome') return;
  if (resource.meta?.versionId) reply.header('etag', weakEtag(resource.meta.versionId));
  if (resource.meta?.lastUpdated) reply.header('last-modified', new Date(resource.meta.lastUpdated).toUTCString());
}

export function weakEtag(versionId: string): string {
  return `W/"${versionId}"`;
}

export function sendResource(req: FastifyRequest, reply: FastifyReply, resource: Resource, status = 200): FastifyReply {
  versionHeaders(reply, resource, status);
  const { contentType, body } = serialize(resource, formatFor(req));
  return reply.code(status).type(contentType).send(body);
}
