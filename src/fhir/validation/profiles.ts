// The canonical URLs of the profiles in profiles/fhir/StructureDefinition/, for the code that
// validates against them or names them in CapabilityStatement and meta.profile.
import { CARNET_FHIR_BASE } from '../mappings/carnet-fhir.js';

const sd = (id: string) => `${CARNET_FHIR_BASE}/StructureDefinition/${id}`;

export const PROFILE = {
  documentReference: sd('carnet-document-reference'),
  documentReferenceMinimal: sd('carnet-document-reference-minimal'),
  submissionSet: sd('carnet-submissionset'),
  submissionSetMinimal: sd('carnet-submissionset-minimal'),
  folder: sd('carnet-folder'),
  folderMinimal: sd('carnet-folder-minimal'),
  provideBundle: sd('carnet-provide-bundle'),
  provideBundleMinimal: sd('carnet-provide-bundle-minimal'),
  consent: sd('carnet-consent'),
  auditEvent: sd('carnet-audit-event'),
  patient: sd('carnet-patient'),
  selection: sd('carnet-selection'),
} as const;
