// DocumentEntry <-> DocumentReference, the MHD 4.2 comprehensive mapping (IHE-FACTS §6; the "XDS and
// MHD Mapping" of the MHD DocumentReference profiles) with the DMP's additions (PDSm isArchived
// extension, logicalId identifier, TRE_A07 security labels). Deviations: docs/MHD.md.
// This file holds what both directions (and Lists) translate alike: profiles, identifiers as URNs,
// statuses, relatesTo codes, the patient reference. The directions are apart:
// document-reference-to-fhir.ts and document-reference-from-fhir.ts.
import type { DocumentReference, DocumentReferenceRelatesTo, Identifier, Patient, Reference } from '@medplum/fhirtypes';
import type { AssociationType, AvailabilityStatus, PatientIdentifier } from '../../domain/model.js';
import { isOid, oidToIdentifierSystem } from '../codes.js';

export const PROFILE_MINIMAL_DOCUMENT_REFERENCE = 'https://profiles.ihe.net/ITI/MHD/StructureDefinition/IHE.MHD.Minimal.DocumentReference';
export const PROFILE_COMPREHENSIVE_DOCUMENT_REFERENCE =
  'https://profiles.ihe.net/ITI/MHD/StructureDefinition/IHE.MHD.Comprehensive.DocumentReference';
export const PROFILE_PDSM_DOCUMENT_REFERENCE =
  'https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-comprehensive-document-reference';
export const EXT_IS_ARCHIVED = 'https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-ext-is-archived';
export const URI_SYSTEM = 'urn:ietf:rfc:3986';
/** Identifier.type.text marking the DMP logicalId among DocumentReference.identifier. */
export const LOGICAL_ID_TYPE = 'logicalId';

// ------------------------------------------------------------------------------- helpers

export function stripUrnUuid(id: string): string {
  return id.startsWith('urn:uuid:') ? id.slice('urn:uuid:'.length) : id;
}

export function toUrnUuid(id: string): string {
  return id.startsWith('urn:') ? id : `urn:uuid:${id}`;
}

/** XDS uniqueId (OID, OID^ext, or other) as an RFC 3986 identifier: `urn:oid:` for bare OIDs. */
export function uniqueIdToIdentifier(uniqueId: string, use?: Identifier['use']): Identifier {
  const out: Identifier = {};
  if (use) out.use = use;
  if (isOid(uniqueId)) {
    out.system = URI_SYSTEM;
    out.value = `urn:oid:${uniqueId}`;
  } else if (uniqueId.startsWith('urn:')) {
    out.system = URI_SYSTEM;
    out.value = uniqueId;
  } else {
    out.value = uniqueId;
  }
  return out;
}

export function identifierToUniqueId(value: string): string {
  return value.startsWith('urn:oid:') ? value.slice('urn:oid:'.length) : value;
}

export function statusToFhir(status: AvailabilityStatus): DocumentReference['status'] {
  switch (status) {
    case 'Deprecated':
      return 'superseded';
    case 'Deleted':
      return 'entered-in-error';
    default:
      return 'current';
  }
}

export function statusFromFhir(status: string | undefined, archived: boolean): AvailabilityStatus | undefined {
  switch (status) {
    case 'current':
      return archived ? 'Archived' : 'Approved';
    case 'superseded':
      return 'Deprecated';
    case 'entered-in-error':
      return 'Deleted';
    default:
      return undefined;
  }
}

export const ASSOCIATION_TO_RELATES_TO: Partial<Record<AssociationType, DocumentReferenceRelatesTo['code']>> = {
  RPLC: 'replaces',
  XFRM: 'transforms',
  APND: 'appends',
  XFRM_RPLC: 'replaces',
  signs: 'signs',
};

export const RELATES_TO_TO_ASSOCIATION: Record<string, AssociationType> = {
  replaces: 'RPLC',
  transforms: 'XFRM',
  appends: 'APND',
  signs: 'signs',
};

/** Default patient reference: a logical reference by identifier (INS as urn:oid:). */
export function patientIdentifierReference(pid: PatientIdentifier): Reference<Patient> {
  return { identifier: { system: oidToIdentifierSystem(pid.system), value: pid.value } };
}
