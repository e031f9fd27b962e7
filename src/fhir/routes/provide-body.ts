// The Bundle of an ITI-65 request with what its reading needs. A large JSON body is read whole
// on a worker thread (parsing, the documents' base64, the profile checks: seconds for a Bundle at
// the body limit); XML is read there by readResource, its profile checks made there too. A small
// JSON Bundle — a few documents' metadata, as most deposits are — is read here: its checks cost a
// few milliseconds, less than the hop to the worker and back (the Bundle copied out, its answers
// and marked copy copied in, a second reading to replay them), so the bounds below keep what the
// event loop does per request as small as any other request's work.
import type { Bundle } from '@medplum/fhirtypes';
import type { FastifyRequest } from 'fastify';
import { CarnetError } from '../../domain/errors.js';
import { isBlockBody, readJsonBody, type BlockBody } from '../../http/bodies.js';
import { checkBundleEntries } from '../../json/read.js';
import type { ShapeCheck } from '../mhd/provide-bundle.js';
import { payloadChars } from '../mhd/provide-payloads.js';
import type { ProfileCheck } from '../validation/validate.js';
import { resourceBody } from './body.js';

/** A JSON body up to this size is parsed on the event loop (well under a millisecond). */
export const INLINE_MAX_BODY_BYTES = 64 * 1024;
/**
 * ...and its Bundle checked there when its metadata (the body less its documents' base64) is no
 * larger than this, in no more entries: about two documents, a few milliseconds of checks.
 */
export const INLINE_MAX_METADATA_CHARS = 6 * 1024;
export const INLINE_MAX_ENTRIES = 6;

export interface ProvideBody {
  bundle: Bundle;
  /** the profile checks: the worker's answers replayed; absent when they are made here, as read */
  check?: ProfileCheck;
  /** the shape check: the worker's answer replayed; absent when made here */
  shapes?: ShapeCheck;
  /** the documents' bytes the worker decoded; absent when they are decoded here */
  payload?: (data: string) => Uint8Array | undefined | null;
}

function asResource(value: unknown): { resourceType: string } {
  const r = value as { resourceType?: unknown } | null | undefined;
  if (r === null || typeof r !== 'object' || typeof r.resourceType !== 'string') throw new CarnetError('invalid_metadata', 'the request body is not a FHIR resource');
  return r as { resourceType: string };
}

/** Whether a parsed Bundle is small enough for its checks to run on the event loop. */
export function checkedInline(bundle: Bundle, bodyBytes: number): boolean {
  if (!Array.isArray(bundle.entry) || bundle.entry.length > INLINE_MAX_ENTRIES) return false;
  return bodyBytes - payloadChars(bundle) <= INLINE_MAX_METADATA_CHARS;
}

async function smallJsonBody(req: FastifyRequest, body: BlockBody): Promise<ProvideBody> {
  const limits = req.server.inputLimits.json;
  const resource = asResource(readJsonBody(Buffer.concat(body.blocks.map((b) => new Uint8Array(b))), limits));
  checkBundleEntries(resource, limits);
  const bundle = resource as Bundle;
  if (bundle.resourceType !== 'Bundle' || checkedInline(bundle, body.length)) return { bundle };
  // parsed here, but too much to check here: the worker checks it, as an XML Bundle
  return { bundle, ...(await req.server.fhirWork.provideBundleChecks(bundle, true)) };
}

export async function provideBody(req: FastifyRequest): Promise<ProvideBody> {
  const work = req.server.fhirWork;
  if (isBlockBody(req.body)) {
    if (req.body.length <= INLINE_MAX_BODY_BYTES) return smallJsonBody(req, req.body);
    const read = await work.readProvideJson(req.body, req.server.inputLimits.json, true);
    return { bundle: asResource(read.resource) as Bundle, check: read.check, shapes: read.shapes, payload: read.payload };
  }
  const bundle = await resourceBody<Bundle>(req);
  return bundle.resourceType === 'Bundle' ? { bundle, ...(await work.provideBundleChecks(bundle, true)) } : { bundle };
}
