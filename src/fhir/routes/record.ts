// The record's own resources on the FHIR door, one route module for door.ts: the DMP as
// Patient, the patient's choices as Consent, the access history as AuditEvent, and the
// directory as Practitioner, PractitionerRole and Organization.
import type { FastifyInstance } from 'fastify';
import type { FhirRouteContext } from '../door.js';
import { registerAuditEventRoutes } from './audit-event.js';
import { registerConsentRoutes } from './consent.js';
import { registerDirectoryRoutes } from './directory.js';
import { registerDownloadRoutes } from './download.js';
import { registerMaintenanceRoutes } from './maintenance.js';
import { registerPatientRoutes } from './patient.js';
import { registerPortalRoutes } from './portal.js';
import { registerRelatedPersonRoutes } from './related-person.js';
import { registerSelectionRoutes } from './selections.js';

export function recordRoutes(fhir: FastifyInstance, ctx: FhirRouteContext): void {
  registerPatientRoutes(fhir, ctx);
  registerConsentRoutes(fhir, ctx);
  registerRelatedPersonRoutes(fhir, ctx);
  registerAuditEventRoutes(fhir, ctx);
  registerDirectoryRoutes(fhir, ctx);
  // the patient's own pages (PAT-01/02/05/06/07) and personal selections (DOC-07)
  registerPortalRoutes(fhir, ctx);
  registerDownloadRoutes(fhir, ctx);
  registerSelectionRoutes(fhir, ctx);
  // DMP-06: the maintenance announcement, public
  registerMaintenanceRoutes(fhir, ctx);
  ctx.caps.addNote(
    'Patient: id = the record key; POST /Patient creates a DMP from a Patient (INS identifiers) with a contained Consent (category dmp-creation, provision permit, performer # or a contained RelatedPerson legal representative); $close (Parameters reason) and $reactivate. ' +
      'Consent categories (https://carnet.example/fhir/CodeSystem/dmp-consent-category): access (permit/deny of a Practitioner or Organization), emergency (provision.purpose bris_de_glace | centre_15, deny = opposed), medecin-traitant. ' +
      'AuditEvent: the access trace in IHE BALP shape, read by the patient side and the médecin traitant; _own=true|false splits own actions from professionals\' (TRACE-03), and for the patient side meta.tag (https://carnet.example/fhir/CodeSystem/dmp-history-mark) marks new-since-last-login, first-access and emergency-access. ' +
      'RelatedPerson: the legal representatives (MIN-01..04): search by patient, POST adds one (extension dmp-internet-account opens its own account, credentials in the 201 answer only), PUT ends it (active=false) or sets dmp-doctor-presence-required (MASK-04, the minor\'s wish). ' +
      'Patient side operations: $home (PAT-01), $preferences (PAT-02), $contacts (PAT-05), $download (PAT-06, application/zip), $copy-request (PAT-07); List with code carnet-selection: personal selections (DOC-07).',
  );
  ctx.caps.addNote(
    'Versions (R4 http.html#versioning): Patient, Consent, List and DocumentReference carry meta.versionId and meta.lastUpdated, answered as ETag W/"<versionId>" and Last-Modified on read, vread, create, update and patch; ' +
      'a change in place (Patient $close, $reactivate, $contacts and consents; Consent update; List update and delete; DocumentReference patch) makes the next version. Only the current version is kept: vread of another is a 404. ' +
      'If-Match (W/"<versionId>" or *) is honoured on those changes: another version is a 412 and nothing is changed; a malformed If-Match is a 400. ' +
      'RelatedPerson keeps no version: on its update only If-Match: * can match.',
  );
}
