// Which published profile a resource is held to when nobody names one: what `$validate` uses by
// default and what the write paths check, so both always agree on the profile.
import type { List, Resource } from '@medplum/fhirtypes';
import { metadataOptionOf } from '../mhd/metadata-option.js';
import { listType } from '../mhd/lists.js';
import { CS } from '../mappings/carnet-fhir.js';
import { PROFILE } from '../validation/profiles.js';

/** List.code of the personal selections (DOC-07). */
export const SELECTION_CODE = 'carnet-selection';

export function isSelection(list: List): boolean {
  return (list.code?.coding ?? []).some((c) => c.code === SELECTION_CODE && (!c.system || c.system === CS.LIST_TYPE));
}

/** The types `{type}/$validate` is offered for. */
export const VALIDATABLE = ['DocumentReference', 'List', 'Bundle', 'Consent', 'AuditEvent', 'Patient'] as const;

export function defaultProfile(resource: Resource): string | undefined {
  switch (resource.resourceType) {
    case 'DocumentReference':
      return resource.meta?.profile?.some((p) => p.includes('Minimal')) ? PROFILE.documentReferenceMinimal : PROFILE.documentReference;
    case 'List':
      if (isSelection(resource)) return PROFILE.selection;
      return listType(resource) === 'folder' ? PROFILE.folder : PROFILE.submissionSet;
    case 'Bundle': {
      const options = (resource.meta?.profile ?? []).map(metadataOptionOf);
      return options.includes('comprehensive') || options.includes('uncontained') ? PROFILE.provideBundle : PROFILE.provideBundleMinimal;
    }
    case 'Consent':
      return PROFILE.consent;
    case 'AuditEvent':
      return PROFILE.auditEvent;
    case 'Patient':
      return PROFILE.patient;
    default:
      return undefined;
  }
}
