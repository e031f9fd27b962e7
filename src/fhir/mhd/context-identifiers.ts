// The DocumentEntry attributes MHD 4.2 maps to identifiers held by DocumentReference.context:
// sourcePatientId and sourcePatientInfo (context.sourcePatientInfo: its identifier and the
// contained Patient it designates) and referenceIdList (context.encounter, context.related).
import type { Identifier, Patient } from '@medplum/fhirtypes';
import { readCx, writeCx } from '../../domain/hl7v2.js';
import { dtmToFhirDateTime, fhirDateTimeToDtm, identifierSystemToOid, isDtm, oidToIdentifierSystem } from '../codes.js';

const URI_SYSTEM = 'urn:ietf:rfc:3986';

const PID_GENDER_TO_FHIR: Record<string, Patient['gender']> = { M: 'male', F: 'female', O: 'other', U: 'unknown', A: 'other' };
const FHIR_GENDER_TO_PID: Record<string, string> = { male: 'M', female: 'F', other: 'O', unknown: 'U' };

/** sourcePatientId + sourcePatientInfo (PID-3/5/7/8 lines) as a contained Patient. */
export function sourcePatientToPatient(sourcePatientId: string | undefined, info: string[] | undefined, id: string): Patient {
  const patient: Patient = { resourceType: 'Patient', id };
  const identifiers: Identifier[] = [];
  const seen = new Set<string>();
  const addCx = (cx: string): void => {
    if (seen.has(cx)) return;
    seen.add(cx);
    const v = readCx(cx);
    identifiers.push(v.system ? { system: oidToIdentifierSystem(v.system), value: v.value } : { value: v.value });
  };
  if (sourcePatientId) addCx(sourcePatientId);
  for (const line of info ?? []) {
    const bar = line.indexOf('|');
    const field = bar < 0 ? line : line.slice(0, bar);
    const value = bar < 0 ? '' : line.slice(bar + 1);
    if (field === 'PID-3') {
      for (const cx of value.split('~')) if (cx) addCx(cx);
    } else if (field === 'PID-5' && !patient.name) {
      const [family, given] = value.split('~')[0]?.split('^') ?? [];
      patient.name = [{ ...(family ? { family } : {}), ...(given ? { given: [given] } : {}) }];
    } else if (field === 'PID-7' && value.length >= 4) {
      const dt = isDtm(value.slice(0, 8)) ? dtmToFhirDateTime(value.slice(0, 8)) : undefined;
      if (dt) patient.birthDate = dt;
    } else if (field === 'PID-8' && PID_GENDER_TO_FHIR[value]) {
      patient.gender = PID_GENDER_TO_FHIR[value];
    }
  }
  if (identifiers.length > 0) patient.identifier = identifiers;
  return patient;
}

/** The reverse: the first identifier is sourcePatientId; PID lines only when there is more to say. */
export function patientToSourcePatient(patient: Patient): { sourcePatientId?: string; sourcePatientInfo?: string[] } {
  const cxs = (patient.identifier ?? [])
    .filter((i) => i.value)
    .map((i) => writeCx({ value: i.value as string, system: i.system ? identifierSystemToOid(i.system) : undefined }));
  const out: { sourcePatientId?: string; sourcePatientInfo?: string[] } = {};
  if (cxs[0]) out.sourcePatientId = cxs[0];
  const lines: string[] = [];
  const name = patient.name?.[0];
  if (name && (name.family || name.given?.[0])) lines.push(`PID-5|${name.family ?? ''}^${name.given?.[0] ?? ''}`);
  if (patient.birthDate) {
    const dtm = fhirDateTimeToDtm(patient.birthDate);
    if (dtm) lines.push(`PID-7|${dtm}`);
  }
  if (patient.gender && FHIR_GENDER_TO_PID[patient.gender]) lines.push(`PID-8|${FHIR_GENDER_TO_PID[patient.gender]}`);
  if (lines.length > 0 || cxs.length > 1) out.sourcePatientInfo = [...cxs.map((cx) => `PID-3|${cx}`), ...lines];
  return out;
}

/**
 * CXi identifier types (ITI TF-3 Table 4.2.3.1.7-2) that name an encounter: MHD 4.2 maps such a
 * referenceIdList value to context.encounter, the others to context.related. The 2013 spelling is
 * a slip of an older edition of that table that sources still send; it is read the same way and
 * given back as it came (the type stays on the identifier).
 */
export const ENCOUNTER_ID_TYPE = 'urn:ihe:iti:xds:2015:encounterId';
export const ENCOUNTER_ID_TYPES = new Set([ENCOUNTER_ID_TYPE, 'urn:ihe:iti:xds:2013:encounterId']);

/**
 * A CXi as an Identifier. Its type (CXi.5) is a URN for the types the TF defines, given as a
 * Coding of the RFC 3986 system; any other type has no system to name, and R4 wants a Coding's
 * system, so it is kept as the type's text.
 */
export function referenceIdToIdentifier(cxi: string): Identifier {
  const v = readCx(cxi);
  const identifier: Identifier = { value: v.value };
  if (v.system) identifier.system = oidToIdentifierSystem(v.system);
  if (v.type) identifier.type = v.type.startsWith('urn:') ? { coding: [{ system: URI_SYSTEM, code: v.type }] } : { text: v.type };
  return identifier;
}

const identifierType = (id: Identifier): string | undefined => id.type?.coding?.find((c) => c.code)?.code ?? id.type?.text;

export function identifierToReferenceId(id: Identifier | undefined, defaultType?: string): string | undefined {
  if (!id?.value) return undefined;
  return writeCx({ value: id.value, system: id.system ? identifierSystemToOid(id.system) : undefined, type: identifierType(id) ?? defaultType });
}

/** The HL7 v2 delimiters a CX component cannot hold unescaped: one would shift the components. */
const CX_DELIMITERS = /[\^&~\\|]/;

/**
 * Whether an Identifier can become a CX(i) as it is: its value, its system and its type free of
 * HL7 v2 delimiters. `A^^^&1.2.3&ISO^urn:x` as a value would otherwise be read back by XDS
 * readers as another value, another authority and another type.
 */
export function fitsCx(id: Identifier | undefined): boolean {
  if (!id) return true;
  return ![id.value, id.system, identifierType(id)].some((part) => part !== undefined && CX_DELIMITERS.test(part));
}
