// The Bundle of an ITI-65 request with what its reading needs. JSON is read whole on a worker
// thread (parsing, the documents' base64, the shape and profile checks: seconds for a Bundle at
// the body limit); XML is read there by readResource, its checks made there too. The event loop
// then reads the Bundle again with the worker's answers (mhd/provide-bundle-checks.ts).
// A small Bundle is sent there too: checking it here was measured (docs/PERFORMANCE.md) to save
// little CPU per request and to cost throughput and latency, the loop's one thread then doing
// all of the request's work while the worker's was idle.
import type { Bundle } from '@medplum/fhirtypes';
import type { FastifyRequest } from 'fastify';
import { CarnetError } from '../../domain/errors.js';
import { isBlockBody } from '../../http/bodies.js';
import type { ShapeCheck } from '../mhd/provide-bundle.js';
import type { ProfileCheck } from '../validation/validate.js';
import { resourceBody } from './body.js';

export interface ProvideBody {
  bundle: Bundle;
  /** the profile checks: the worker's answers replayed */
  check: ProfileCheck;
  /** the shape check: the worker's answer replayed */
  shapes?: ShapeCheck;
  /** the documents' bytes the worker decoded; absent when they are decoded here */
  payload?: (data: string) => Uint8Array | undefined | null;
}

export async function provideBody(req: FastifyRequest): Promise<ProvideBody> {
  const work = req.server.fhirWork;
  if (isBlockBody(req.body)) {
    const read = await work.readProvideJson(req.body, req.server.inputLimits.json, true);
    const r = read.resource as { resourceType?: unknown } | null | undefined;
    if (r === null || typeof r !== 'object' || typeof r.resourceType !== 'string') throw new CarnetError('invalid_metadata', 'the request body is not a FHIR resource');
    return { bundle: r as Bundle, check: read.check, shapes: read.shapes, payload: read.payload };
  }
  const bundle = await resourceBody<Bundle>(req);
  return bundle.resourceType === 'Bundle' ? { bundle, ...(await work.provideBundleChecks(bundle, true)) } : { bundle, check: () => [] };
}
