// The record's own resources on the FHIR door, one route module for door.ts: the DMP as
// Patient, the patient's choices as Consent, the access history as AuditEvent, and the
// directory as Practitioner, PractitionerRole and Organization.
import type { FastifyInstance } from 'fastify';
import type { FhirRouteContext } from '../door.js';
import { registerAuditEventRoutes } from './audit-event.js';
import { registerConsentRoutes } from './consent.js';
import { registerDirectoryRoutes } from './directory.js';
import { registerPatientRoutes } from './patient.js';

export function recordRoutes(fhir: FastifyInstance, ctx: FhirRouteContext): void {
  registerPatientRoutes(fhir, ctx);
  registerConsentRoutes(fhir, ctx);
  registerAuditEventRoutes(fhir, ctx);
  registerDirectoryRoutes(fhir, ctx);
  ctx.caps.addNote(
    'Patient: id = the record key; POST /Patient creates a DMP from a Patient (INS identifiers) with a contained Consent (category dmp-creation, provision permit, performer # or a contained RelatedPerson legal representative); $close (Parameters reason) and $reactivate. ' +
      'Consent categories (https://carnet.example/fhir/CodeSystem/dmp-consent-category): access (permit/deny of a Practitioner or Organization), emergency (provision.purpose bris_de_glace | centre_15, deny = opposed), medecin-traitant. ' +
      'AuditEvent: the access trace in IHE BALP shape, read by the patient side and the médecin traitant.',
  );
}
