// ITI-65 Provide Document Bundle: `POST /fhir` with an MHD transaction Bundle (JSON or XML).
// The Bundle is translated whole (every problem reported at once), the subjects are resolved to
// a record (see patients.ts), and the submission service stores all of it or nothing (DOC-03).
import type { Readable } from 'node:stream';
import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify';
import { readBlocks } from '../../http/bodies.js';
import { CarnetError } from '../../domain/errors.js';
import type { SubmissionRequest } from '../../domain/submission.js';
import { callerOf } from '../caller.js';
import type { FhirRouteContext } from '../door.js';
import { provideBundleToSubmission } from '../mhd/provide-bundle.js';
import { provideBody } from './provide-body.js';
import { transactionResponse } from '../mhd/provide-response.js';
import { sendResource } from '../reply.js';
import { patientResolver } from './patients.js';

/**
 * A `urn:uuid:` fullUrl of a POST entry only names the entry inside the Bundle (FHIR transaction
 * rules): the server gives the stored objects their ids. The submission service keeps UUIDs it
 * is given (XDS senders choose entryUUIDs), so the Bundle's own ids become symbolic ones here,
 * and the answer maps them back. References to documents already stored keep their UUIDs.
 */
export function withServerIds(request: SubmissionRequest): { request: SubmissionRequest; bundleIdOf: Map<string, string> } {
  const local = new Map<string, string>();
  const rename = (id: string): string => {
    if (!local.has(id)) local.set(id, `bundle-entry-${local.size + 1}`);
    return local.get(id)!;
  };
  const own = [request.submissionSet.id, ...request.documents.map((d) => d.id), ...request.folders.map((f) => f.id), ...request.associations.map((a) => a.id)];
  for (const id of own) rename(id);
  const mapped = (id: string) => local.get(id) ?? id;
  const out: SubmissionRequest = {
    ...request,
    submissionSet: { ...request.submissionSet, id: mapped(request.submissionSet.id) },
    documents: request.documents.map((d) => ({ ...d, id: mapped(d.id) })),
    folders: request.folders.map((f) => ({ ...f, id: mapped(f.id) })),
    associations: request.associations.map((a) => ({ ...a, id: mapped(a.id), sourceId: mapped(a.sourceId), targetId: mapped(a.targetId) })),
  };
  return { request: out, bundleIdOf: new Map([...local].map(([bundleId, symbolic]) => [symbolic, bundleId])) };
}

/** JSON as an ITI-65 body arrives: bytes, read on a worker thread (provide-body.ts). */
const JSON_BODY_TYPES = ['application/json', 'application/fhir+json'];

export function provideRoutes(fhir: FastifyInstance, ctx: FhirRouteContext): void {
  void fhir.register(async (iti65) => {
    iti65.removeContentTypeParser(JSON_BODY_TYPES);
    iti65.addContentTypeParser(JSON_BODY_TYPES, (req: FastifyRequest, payload: Readable) =>
      readBlocks(payload, req.routeOptions.bodyLimit ?? ctx.config.documentBodyLimit, () => new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE(), Number(req.headers['content-length'])),
    );
    iti65.post('/', { bodyLimit: ctx.config.documentBodyLimit }, async (req, reply) => {
      const caller = callerOf(req);
      const resolvePatient = patientResolver(ctx.services, caller);
      const { bundle, check, shapes, payload } = await provideBody(req);
      if (bundle.resourceType !== 'Bundle') throw new CarnetError('invalid_metadata', `POST ${'[base]'} expects a Bundle, not ${bundle.resourceType}`, { location: 'Bundle' });
      if (bundle.type === 'batch') {
        throw new CarnetError('business_rule', 'batch Bundles are not supported: send an ITI-65 transaction', { location: 'Bundle.type' });
      }
      const { request, bundleIdOf } = withServerIds(await provideBundleToSubmission(bundle, { resolvePatient, terminology: true, check, ...(shapes ? { shapes } : {}), ...(payload ? { payload } : {}) }));
      const recordKey = resolvePatient.recordKeyOf(request.submissionSet.patientId);
      const result = await ctx.services.submissions.submit(caller, request, recordKey ? { recordKey } : {});
      const assignedIds = Object.fromEntries(Object.entries(result.assignedIds).map(([id, uuid]) => [bundleIdOf.get(id) ?? id, uuid]));
      const resubmitted = result.resubmitted.map((r) => ({ ...r, id: bundleIdOf.get(r.id) ?? r.id }));
      return sendResource(req, reply, transactionResponse(bundle, { ...result, assignedIds, resubmitted }, { lastModified: new Date().toISOString() }), 200);
    });
  });
  ctx.caps.addSystemInteraction('transaction');
  ctx.caps.addNote(
    'ITI-65: the subject is Patient/<record key> (relative or absolute) or a Patient of the Bundle identified by one of the ' +
      "record's identifiers (INS as urn:oid:1.2.250.1.213.1.4.8); its entry answers 200 with the record's location. The submission is " +
      'stored whole or not at all. Conditional create (request.ifNoneExist) and the other conditional fields are not supported: an entry carrying one is refused (400).',
  );
}
