// ITI-65 Provide Document Bundle: `POST /fhir` with an MHD transaction Bundle (JSON or XML).
// The Bundle is translated whole (every problem reported at once), the subjects are resolved to
// a record (see patients.ts), and the submission service stores all of it or nothing (DOC-03).
import type { Bundle } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { CarnetError } from '../../domain/errors.js';
import { callerOf } from '../caller.js';
import type { FhirRouteContext } from '../door.js';
import { provideBundleToSubmission, transactionResponse } from '../mhd/provide-bundle.js';
import { sendResource } from '../reply.js';
import { resourceBody } from './body.js';
import { patientResolver } from './patients.js';

export function provideRoutes(fhir: FastifyInstance, ctx: FhirRouteContext): void {
  const resolvePatient = patientResolver(ctx.services);
  fhir.post('/', { bodyLimit: ctx.config.documentBodyLimit }, async (req, reply) => {
    const caller = callerOf(req);
    const bundle = resourceBody<Bundle>(req);
    if (bundle.resourceType !== 'Bundle') throw new CarnetError('invalid_metadata', `POST ${'[base]'} expects a Bundle, not ${bundle.resourceType}`, { location: 'Bundle' });
    if (bundle.type === 'batch') {
      throw new CarnetError('business_rule', 'batch Bundles are not supported: send an ITI-65 transaction', { location: 'Bundle.type' });
    }
    const request = await provideBundleToSubmission(bundle, { resolvePatient });
    const result = await ctx.services.submissions.submit(caller, request);
    return sendResource(req, reply, transactionResponse(bundle, result, { lastModified: new Date().toISOString() }), 200);
  });
  ctx.caps.addSystemInteraction('transaction');
  ctx.caps.addNote(
    'ITI-65: the subject is Patient/<record key> (relative or absolute) or a Patient of the Bundle identified by one of the ' +
      "record's identifiers (INS as urn:oid:1.2.250.1.213.1.4.8). The submission is stored whole or not at all.",
  );
}
