// The body of an ITI-65 submission: the resource as readResource reads it (JSON parsed under the
// JSON limits, XML checked then read on a worker thread), with a Bundle's entries held to the
// same limit whichever format they came in.
import type { Resource } from '@medplum/fhirtypes';
import type { FastifyRequest } from 'fastify';
import { checkBundleEntries } from '../../json/read.js';
import { readResource } from './support.js';

export async function resourceBody<T extends Resource = Resource>(req: FastifyRequest): Promise<T> {
  // the reader names every wrong JSON type itself, among its other problems
  const resource = await readResource(req, { shapes: false });
  if (typeof req.body === 'string') checkBundleEntries(resource, req.server.inputLimits.json);
  return resource as T;
}
