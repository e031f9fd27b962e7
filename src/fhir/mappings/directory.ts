// The directory as Practitioner, PractitionerRole and Organization. A professional's id is the
// IdNat_PS; the directory holds one activity per professional, so the PractitionerRole has the
// same id. A structure's id is its IdNat_Struct.
import type { Organization, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import type { ProfessionalRow, StructureRow } from '../../services/directory.js';
import { OID, xdsSystemToFhir } from '../codes.js';
import { SPECIALTY_OID } from './audit-event.js';
import { SYSTEM } from './carnet-fhir.js';
import { organizationRef, practitionerRef } from './consent.js';

export const PROFESSION_SYSTEM = xdsSystemToFhir(OID.TRE_G15);
export const SPECIALTY_SYSTEM = `urn:oid:${SPECIALTY_OID}`;
export const ACTIVITY_SECTOR_SYSTEM = xdsSystemToFhir(OID.TRE_R02);

function nameOf(p: ProfessionalRow): Practitioner['name'] {
  return [{ family: p.family, ...(p.given ? { given: [p.given] } : {}) }];
}

function telecomOf(value: string | null): Practitioner['telecom'] {
  if (!value) return undefined;
  return [{ system: value.includes('@') ? 'email' : 'phone', value }];
}

export function professionalToPractitioner(p: ProfessionalRow): Practitioner {
  const telecom = telecomOf(p.telecom);
  return {
    resourceType: 'Practitioner',
    id: p.id_nat_ps,
    identifier: [{ system: SYSTEM.IDNAT_PS, value: p.id_nat_ps }],
    active: p.active,
    name: nameOf(p),
    ...(telecom ? { telecom } : {}),
    qualification: [{ code: { coding: [{ system: PROFESSION_SYSTEM, code: p.profession }] } }],
  };
}

export function professionalToRole(p: ProfessionalRow): PractitionerRole {
  return {
    resourceType: 'PractitionerRole',
    id: p.id_nat_ps,
    identifier: [{ system: SYSTEM.IDNAT_PS, value: p.id_nat_ps }],
    active: p.active,
    practitioner: { ...practitionerRef(p.id_nat_ps), display: [p.given, p.family].filter(Boolean).join(' ') },
    ...(p.structure_id ? { organization: organizationRef(p.structure_id) } : {}),
    code: [{ coding: [{ system: PROFESSION_SYSTEM, code: p.profession }] }],
    ...(p.specialty ? { specialty: [{ coding: [{ system: SPECIALTY_SYSTEM, code: p.specialty }] }] } : {}),
  };
}

export function structureToOrganization(s: StructureRow): Organization {
  return {
    resourceType: 'Organization',
    id: s.structure_id,
    identifier: [{ system: SYSTEM.IDNAT_STRUCT, value: s.structure_id }],
    active: s.active,
    name: s.name,
    ...(s.activity_sector ? { type: [{ coding: [{ system: ACTIVITY_SECTOR_SYSTEM, code: s.activity_sector }] }] } : {}),
    ...(s.address ? { address: [{ text: s.address }] } : {}),
  };
}
