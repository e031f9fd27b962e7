// Code systems and dates between the two doors. The neutral model keeps XDS codingScheme values
// (bare OIDs or URNs); FHIR carries URIs: `urn:oid:<oid>` in general, canonical URLs for the
// systems that have one (LOINC, SNOMED CT, HL7 v3, IHE formatcode, the ANS NOS tables).
// XDS DTM values (YYYY[MM[DD[hh[mm[ss]]]]], UTC) convert to and from FHIR date/dateTime/instant.
import type { CodeableConcept, Coding } from '@medplum/fhirtypes';
import type { Coded } from '../domain/model.js';
import { lookup } from '../domain/lookup.js';

/** ANS NOS table URL: https://mos.esante.gouv.fr/NOS/TRE_X-Name/FHIR/TRE-X-Name */
function nos(table: string): string {
  return `https://mos.esante.gouv.fr/NOS/${table}/FHIR/${table.replace('_', '-')}`;
}

export const OID = {
  LOINC: '2.16.840.1.113883.6.1',
  SNOMED_CT: '2.16.840.1.113883.6.96',
  UCUM: '2.16.840.1.113883.6.8',
  HL7_CONFIDENTIALITY: '2.16.840.1.113883.5.25',
  HL7_ACT_CODE: '2.16.840.1.113883.5.4',
  IHE_FORMAT_CODE: '1.3.6.1.4.1.19376.1.2.3',
  DICOM_DCM: '1.2.840.10008.2.16.4',
  /** TRE_A03-ClasseDocument (classCode) */
  TRE_A03: '1.2.250.1.213.1.1.4.1',
  /** TRE_A05-TypeDocComplementaire (typeCode outside LOINC) */
  TRE_A05: '1.2.250.1.213.1.1.4.12',
  /** TRE_A07-StatutVisibiliteDocument (masking / visibility confidentiality codes) */
  TRE_A07: '1.2.250.1.213.1.1.4.13',
  /** TRE_A00-ProducteurDocNonPS (EXP_PATIENT facility type) */
  TRE_A00: '1.2.250.1.213.1.1.4.6',
  /** TRE_R02-SecteurActivite (healthcareFacilityTypeCode SAxx) */
  TRE_R02: '1.2.250.1.71.4.2.4',
  /** TRE_G15-ProfessionSante */
  TRE_G15: '1.2.250.1.71.1.2.7',
  /** INS-NIR, INS-NIA, INS-NIR test / demo */
  INS_NIR: '1.2.250.1.213.1.4.8',
  INS_NIA: '1.2.250.1.213.1.4.9',
  INS_NIR_TEST: '1.2.250.1.213.1.4.10',
  INS_NIR_DEMO: '1.2.250.1.213.1.4.11',
  /** IdNat_PS, national identifier of health professionals */
  IDNAT_PS: '1.2.250.1.71.4.2.1',
  /** IdNat_Struct, national identifier of structures */
  IDNAT_STRUCT: '1.2.250.1.71.4.2.2',
} as const;

/** Canonical FHIR URL <-> XDS OID, for systems whose FHIR form is not `urn:oid:`. */
const URL_TO_OID: Record<string, string> = {
  'http://loinc.org': OID.LOINC,
  'http://snomed.info/sct': OID.SNOMED_CT,
  'http://unitsofmeasure.org': OID.UCUM,
  'http://terminology.hl7.org/CodeSystem/v3-Confidentiality': OID.HL7_CONFIDENTIALITY,
  'http://terminology.hl7.org/CodeSystem/v3-ActCode': OID.HL7_ACT_CODE,
  'http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode': OID.IHE_FORMAT_CODE,
  'http://dicom.nema.org/resources/ontology/DCM': OID.DICOM_DCM,
  [nos('TRE_A03-ClasseDocument')]: OID.TRE_A03,
  [nos('TRE_A05-TypeDocComplementaire')]: OID.TRE_A05,
  [nos('TRE_A07-StatutVisibiliteDocument')]: OID.TRE_A07,
  [nos('TRE_A00-ProducteurDocNonPS')]: OID.TRE_A00,
  [nos('TRE_R02-SecteurActivite')]: OID.TRE_R02,
  [nos('TRE_G15-ProfessionSante')]: OID.TRE_G15,
};

/** Older spellings still met on input. */
const URL_ALIASES: Record<string, string> = {
  'http://hl7.org/fhir/v3/Confidentiality': OID.HL7_CONFIDENTIALITY,
  'https://loinc.org': OID.LOINC,
};

const OID_TO_URL: Record<string, string> = Object.fromEntries(Object.entries(URL_TO_OID).map(([url, oid]) => [oid, url]));

export const TRE_A07_URL = nos('TRE_A07-StatutVisibiliteDocument');
export const V3_CONFIDENTIALITY_URL = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';

import { isDtm as isRealDtm } from '../domain/entry-requirements.js';
import { isOid } from '../domain/identifiers.js';

export { isOid };

/** FHIR system URI -> XDS codingScheme (`urn:oid:X` -> X, known URLs -> their OID, others kept). */
export function fhirSystemToXds(system: string): string {
  const known = lookup(URL_TO_OID, system) ?? lookup(URL_ALIASES, system);
  if (known) return known;
  if (system.startsWith('urn:oid:')) return system.slice('urn:oid:'.length);
  return system;
}

/** XDS codingScheme -> FHIR system URI (known OIDs -> their URL, other OIDs -> `urn:oid:X`). */
export function xdsSystemToFhir(scheme: string): string {
  const known = lookup(OID_TO_URL, scheme);
  if (known) return known;
  if (isOid(scheme)) return `urn:oid:${scheme}`;
  return scheme;
}

/** Identifier systems are only prefixed: `urn:oid:X` <-> X. */
export function identifierSystemToOid(system: string): string {
  return system.startsWith('urn:oid:') ? system.slice('urn:oid:'.length) : system;
}

export function oidToIdentifierSystem(oid: string): string {
  return isOid(oid) ? `urn:oid:${oid}` : oid;
}

export function codedToCoding(c: Coded): Coding {
  const coding: Coding = { system: xdsSystemToFhir(c.system), code: c.code };
  if (c.display !== undefined) coding.display = c.display;
  return coding;
}

export function codedToConcept(c: Coded): CodeableConcept {
  return { coding: [codedToCoding(c)] };
}

export function codingToCoded(coding: Coding): Coded | undefined {
  if (!coding.code || !coding.system) return undefined;
  const out: Coded = { code: coding.code, system: fhirSystemToXds(coding.system) };
  if (coding.display !== undefined) out.display = coding.display;
  return out;
}

/** The first coding of a concept that has both a system and a code. */
export function conceptToCoded(concept: CodeableConcept | undefined): Coded | undefined {
  for (const coding of concept?.coding ?? []) {
    const c = codingToCoded(coding);
    if (c) return c;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Dates

const DTM_PATTERN = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?$/;
const FHIR_DATE_PATTERN = /^(\d{4})(-(\d{2})(-(\d{2}))?)?$/;
const FHIR_DATETIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export function isDtm(value: string): boolean {
  const m = DTM_PATTERN.exec(value);
  // Components must come in pairs after the year: 4, 6, 8, 10, 12 or 14 digits.
  return m !== null && value.length % 2 === 0;
}

/**
 * XDS DTM (UTC) -> FHIR dateTime: YYYY, YYYY-MM, YYYY-MM-DD, or a full UTC time
 * (hours alone or hours and minutes are completed with zeros, FHIR has no such precision).
 */
export function dtmToFhirDateTime(dtm: string): string {
  const m = DTM_PATTERN.exec(dtm);
  if (!m || !isDtm(dtm)) throw new RangeError(`Not an XDS DTM value: ${dtm}`);
  const [, y, mo, d, h, mi, s] = m;
  if (!mo) return y as string;
  if (!d) return `${y}-${mo}`;
  if (!h) return `${y}-${mo}-${d}`;
  return `${y}-${mo}-${d}T${h}:${mi ?? '00'}:${s ?? '00'}Z`;
}

/** XDS DTM -> FHIR instant (needs at least a day; missing time parts are zeros). */
export function dtmToInstant(dtm: string): string {
  const m = DTM_PATTERN.exec(dtm);
  if (!m || !isDtm(dtm)) throw new RangeError(`Not an XDS DTM value: ${dtm}`);
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00'] = m;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}Z`;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * FHIR date/dateTime/instant -> XDS DTM. Partial dates keep their precision (no time zone to
 * apply); times are converted to UTC at seconds precision. Undefined when the value is not a
 * FHIR date or dateTime.
 */
export function fhirDateTimeToDtm(value: string): string | undefined {
  const dateOnly = FHIR_DATE_PATTERN.exec(value);
  if (dateOnly) {
    const [, y, , mo, , d] = dateOnly;
    const dtm = `${y}${mo ?? ''}${d ?? ''}`;
    return isRealDtm(dtm) ? dtm : undefined;
  }
  const dt = FHIR_DATETIME_PATTERN.exec(value);
  // Date.parse rolls 2024-02-30 over to March: the fields themselves must name a real instant.
  if (!dt || !isRealDtm(`${dt[1]}${dt[2]}${dt[3]}${dt[4]}${dt[5]}${dt[7] ?? '00'}`)) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  const t = new Date(ms);
  return `${pad(t.getUTCFullYear(), 4)}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}${pad(t.getUTCSeconds())}`;
}

/** An ISO timestamp (e.g. storedAt) as a FHIR instant, UTC, seconds precision kept as given. */
export function toInstant(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`Not a timestamp: ${iso}`);
  return new Date(ms).toISOString();
}
