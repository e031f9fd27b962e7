// Request bodies of the FHIR door: JSON arrives parsed, FHIR XML arrives as a string (the shared
// server leaves XML to its door) and is read here into the JSON form the mappings use.
import type { Resource } from '@medplum/fhirtypes';
import type { FastifyRequest } from 'fastify';
import { CarnetError } from '../../domain/errors.js';
import { requestFormat } from '../format.js';
import { checkBundleEntries } from '../../json/read.js';

export async function resourceBody<T extends Resource = Resource>(req: FastifyRequest): Promise<T> {
  const body = req.body;
  if (typeof body === 'string') {
    if (requestFormat(req.headers['content-type']) !== 'xml') throw new CarnetError('invalid_metadata', 'the body is neither FHIR JSON nor FHIR XML');
    const resource = (await req.server.fhirWork.xmlToJson(body, req.server.inputLimits.xml)) as T;
    checkBundleEntries(resource, req.server.inputLimits.json);
    return resource;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body) || typeof (body as Resource).resourceType !== 'string') {
    throw new CarnetError('invalid_metadata', 'the body must be a FHIR resource (resourceType missing)');
  }
  return body as T;
}
