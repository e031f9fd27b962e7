// Sending FHIR answers in the format the client asked for (_format, Accept, else the request's).
import type { Resource } from '@medplum/fhirtypes';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { responseFormat, serialize } from './format.js';

export function formatFor(req: FastifyRequest): 'json' | 'xml' {
  const q = req.query as Record<string, unknown> | undefined;
  const format = typeof q?._format === 'string' ? q._format : undefined;
  return responseFormat({ format, accept: req.headers.accept, contentType: req.headers['content-type'] });
}

export function sendResource(req: FastifyRequest, reply: FastifyReply, resource: Resource, status = 200): FastifyReply {
  const { contentType, body } = serialize(resource, formatFor(req));
  return reply.code(status).type(contentType).send(body);
}
