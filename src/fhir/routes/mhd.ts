// The MHD routes of the FHIR door (ITI-65, ITI-66, ITI-67, ITI-68 and the PDSm PATCH), one
// route module for door.ts.
import type { FastifyInstance } from 'fastify';
import type { FhirRouteContext } from '../door.js';
import { binaryRoutes } from './binary.js';
import { documentRoutes } from './documents.js';
import { listRoutes } from './lists.js';
import { patchRoutes } from './patch.js';
import { provideRoutes } from './provide.js';

export function mhdRoutes(fhir: FastifyInstance, ctx: FhirRouteContext): void {
  provideRoutes(fhir, ctx);
  documentRoutes(fhir, ctx);
  patchRoutes(fhir, ctx);
  binaryRoutes(fhir, ctx);
  listRoutes(fhir, ctx);
}
