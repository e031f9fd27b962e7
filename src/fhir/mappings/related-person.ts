// Legal representatives as RelatedPerson (MIN-01..04, MASK-04). The id pairs the record key and
// the representative's id; `active` is false once the representative's access has ended (by an
// act, or at majority); `period` runs from the addition to the end, planned or done.
import type { RelatedPerson } from '@medplum/fhirtypes';
import type { RepresentativeRow } from '../../services/representatives.js';
import { EXT, HL7, SYSTEM } from './carnet-fhir.js';
import { pairId } from './composite-id.js';

const iso = (d: Date | null) => (d ? d.toISOString() : undefined);

export function representativeToRelatedPerson(patientKey: string, r: RepresentativeRow, now: Date): RelatedPerson {
  const end = r.ended_at ?? r.access_ends_at;
  const active = !r.ended_at && !(r.access_ends_at && r.access_ends_at.getTime() <= now.getTime());
  const telecom = [
    ...(r.email ? [{ system: 'email' as const, value: r.email }] : []),
    ...(r.phone ? [{ system: 'phone' as const, value: r.phone }] : []),
  ];
  return {
    resourceType: 'RelatedPerson',
    id: pairId(patientKey, r.representative_id),
    extension: [{ url: EXT.DOCTOR_PRESENCE_REQUIRED, valueBoolean: r.doctor_presence_required }],
    identifier: [{ system: SYSTEM.LEGAL_REPRESENTATIVE, value: r.representative_id }],
    active,
    patient: { reference: `Patient/${patientKey}` },
    relationship: [{ coding: [{ system: HL7.ROLE_CODE, code: r.relationship === 'tutor' ? 'GUARD' : 'PRN' }] }],
    name: [{ family: r.family, ...(r.given ? { given: [r.given] } : {}) }],
    ...(telecom.length ? { telecom } : {}),
    period: { start: iso(r.created_at), ...(end ? { end: iso(end) } : {}) },
  };
}
