// Patient <-> the record (TD0.2, DMP-01, DMP-05). A Patient's id is the record key. It carries
// what the record holds and nothing more (no invented demographics), its state (`active`, the
// ANS draft closure extension) and, for a professional caller, how that caller stands with it.
//
// Creation (`POST /fhir/Patient`): a Patient with INS identifiers and, as contained resources,
// the consent to create the DMP (a Consent, category `dmp-creation`, provision permit, performer
// the patient `#` or a contained RelatedPerson) and the legal representatives (RelatedPerson,
// relationship v3-RoleCode PRN/MTH/FTH = parent, GUARD = tutor).
import type { Consent, Extension, Patient, RelatedPerson, Resource } from '@medplum/fhirtypes';
import { CarnetError } from '../../domain/errors.js';
import type { PatientIdentifier } from '../../domain/model.js';
import type { CreateRecordInput, CreationAccountRequest, CreationCredentials, NewRepresentative } from '../../services/record-creation.js';
import { identifierSystemToOid, OID, oidToIdentifierSystem } from '../codes.js';
import { CS, EXT, SYSTEM } from './carnet-fhir.js';

/** What a Patient shows of a record. */
export interface PatientView {
  patientKey: string;
  status: 'open' | 'closed';
  closedAt?: string | Date | null;
  closureReason?: string | null;
  identifiers: PatientIdentifier[];
  given?: string | null;
  family?: string | null;
  gender?: string | null;
  birthDate?: string | null;
  /** only for a professional caller */
  authorised?: boolean;
  blocked?: boolean;
  medecinTraitant?: boolean;
}

export const INS_OIDS: readonly string[] = [OID.INS_NIR, OID.INS_NIA, OID.INS_NIR_TEST, OID.INS_NIR_DEMO];

const FHIR_GENDERS = new Set(['male', 'female', 'other', 'unknown']);
/** HL7 v2 administrative sex, as a record created through XDS may hold it. */
const V2_GENDERS: Record<string, Patient['gender']> = { M: 'male', F: 'female', O: 'other', A: 'other', U: 'unknown' };

function genderOf(g: string | null | undefined): Patient['gender'] | undefined {
  if (!g) return undefined;
  if (FHIR_GENDERS.has(g)) return g as Patient['gender'];
  return V2_GENDERS[g.toUpperCase()];
}

/** All closures are made by the patient side or at the patient's request (DMP-05, ACC-07). */
export const CLOSURE_MOTIVE_PATIENT_REQUEST = 'patient-demande';

function closureExtension(v: PatientView): Extension {
  const at = v.closedAt instanceof Date ? v.closedAt.toISOString() : v.closedAt;
  return {
    url: EXT.CLOSURE,
    extension: [
      ...(at ? [{ url: 'dateFermeture', valueDateTime: at }] : []),
      { url: 'motifFermeture', valueCoding: { system: CS.CLOSURE_MOTIVE, code: CLOSURE_MOTIVE_PATIENT_REQUEST } },
      ...(v.closureReason ? [{ url: 'raisonFermeture', valueString: v.closureReason }] : []),
    ],
  };
}

export type AuthorisationStatus = 'authorised' | 'blocked' | 'not-authorised';

export function recordToPatient(v: PatientView): Patient {
  const extension: Extension[] = [];
  if (v.status === 'closed') extension.push(closureExtension(v));
  if (v.authorised !== undefined || v.blocked !== undefined) {
    const code: AuthorisationStatus = v.blocked ? 'blocked' : v.authorised ? 'authorised' : 'not-authorised';
    extension.push({ url: EXT.AUTHORISATION_STATUS, valueCoding: { system: CS.AUTHORISATION_STATUS, code } });
  }
  if (v.medecinTraitant !== undefined) extension.push({ url: EXT.MEDECIN_TRAITANT, valueBoolean: v.medecinTraitant });
  const gender = genderOf(v.gender);
  return {
    resourceType: 'Patient',
    id: v.patientKey,
    ...(extension.length ? { extension } : {}),
    identifier: v.identifiers.map((i) => ({ system: oidToIdentifierSystem(i.system), value: i.value })),
    active: v.status === 'open',
    ...(v.family || v.given ? { name: [{ ...(v.family ? { family: v.family } : {}), ...(v.given ? { given: [v.given] } : {}) }] } : {}),
    ...(gender ? { gender } : {}),
    ...(v.birthDate ? { birthDate: v.birthDate } : {}),
  };
}

/** An INS identifier from `system|value`; a value alone is taken as an INS-NIR. */
export function insIdentifier(system: string | undefined, value: string): PatientIdentifier {
  const oid = system ? identifierSystemToOid(system) : OID.INS_NIR;
  if (!INS_OIDS.includes(oid)) {
    throw new CarnetError('invalid_metadata', `a DMP is found by its INS (urn:oid:${OID.INS_NIR} or ${OID.INS_NIA}, test ${OID.INS_NIR_TEST}, demo ${OID.INS_NIR_DEMO}), not by ${system}`, { location: 'identifier' });
  }
  if (!value) throw new CarnetError('invalid_metadata', 'the identifier has no value', { location: 'identifier' });
  return { system: oid, value };
}

// ---- creation ---------------------------------------------------------------------------------

const PARENT_CODES = new Set(['PRN', 'MTH', 'FTH', 'NPRN', 'NMTH', 'NFTH', 'parent']);
const TUTOR_CODES = new Set(['GUARD', 'tutor']);

function bad(message: string, location: string): CarnetError {
  return new CarnetError('invalid_metadata', message, { location });
}

function boolExtension(p: Patient, url: string): boolean | undefined {
  return p.extension?.find((e) => e.url === url)?.valueBoolean;
}

/** A legal representative as a RelatedPerson gives it (creation, or added later: MIN-01/02/04). */
export function representativeOf(rp: RelatedPerson, at: string): NewRepresentative {
  const codes = (rp.relationship ?? []).flatMap((c) => c.coding ?? []).map((c) => c.code ?? '');
  const relationship = codes.some((c) => TUTOR_CODES.has(c)) ? 'tutor' : codes.some((c) => PARENT_CODES.has(c)) ? 'parent' : undefined;
  if (!relationship) throw bad('a legal representative is a parent (v3-RoleCode PRN, MTH, FTH) or a tutor (GUARD)', `${at}.relationship`);
  const name = rp.name?.[0];
  if (!name?.family) throw bad('a legal representative needs a family name', `${at}.name`);
  const telecom = (system: string) => rp.telecom?.find((t) => t.system === system)?.value;
  return {
    relationship,
    family: name.family,
    ...(name.given?.[0] ? { given: name.given[0] } : {}),
    ...(telecom('email') ? { email: telecom('email') } : {}),
    ...(telecom('phone') || telecom('sms') ? { phone: telecom('phone') ?? telecom('sms') } : {}),
  };
}

/** Reads the creation request; a missing or non-permit Consent gives `consent: null`, which the rules refuse (DMP-01). */
export function patientToCreateInput(body: Resource): CreateRecordInput {
  if (body.resourceType !== 'Patient') throw bad(`expected a Patient, got ${body.resourceType}`, 'resourceType');
  const p = body as Patient;
  const identifiers = (p.identifier ?? []).map((id, i) => {
    if (!id.system || !id.value) throw bad('each identifier needs a system and a value', `Patient.identifier[${i}]`);
    const oid = identifierSystemToOid(id.system);
    if (!INS_OIDS.includes(oid)) throw bad(`only INS identifiers identify a DMP; ${id.system} is not one`, `Patient.identifier[${i}].system`);
    return { system: oid, value: id.value };
  });
  if (!identifiers.length) throw bad('a patient identifier (INS) is required', 'Patient.identifier');
  const contained = p.contained ?? [];
  const related = contained
    .map((r, i) => ({ r, i }))
    .filter((x): x is { r: RelatedPerson; i: number } => x.r.resourceType === 'RelatedPerson');
  const representatives = related.map(({ r, i }) => representativeOf(r, `Patient.contained[${i}]`));
  const accounts = accountRequestsOf(p, related.map(({ r }) => r), representatives);
  const consents = contained.filter((r): r is Consent => r.resourceType === 'Consent');
  if (consents.length > 1) throw bad('one creation Consent at most', 'Patient.contained');
  const c = consents[0];
  let consent: CreateRecordInput['consent'] = null;
  if (c && c.status === 'active' && c.provision?.type === 'permit') {
    const by = c.performer?.[0]?.reference;
    if (by === undefined || by === '#' || by.startsWith('Patient')) consent = { givenBy: 'patient' };
    else {
      const index = related.findIndex(({ r }) => `#${r.id}` === by);
      if (index < 0) throw bad(`the consent's performer ${by} is neither the patient (#) nor a contained RelatedPerson`, 'Consent.performer');
      consent = { givenBy: 'legal_representative', representativeIndex: index };
    }
  }
  const name = p.name?.[0];
  return {
    identifiers,
    ...(name?.given?.[0] ? { given: name.given[0] } : {}),
    ...(name?.family ? { family: name.family } : {}),
    ...(p.gender ? { gender: p.gender } : {}),
    ...(p.birthDate ? { birthDate: p.birthDate } : {}),
    ...(boolExtension(p, EXT.EMANCIPATED) ? { emancipated: true } : {}),
    ...(boolExtension(p, EXT.PROTECTED_ADULT) ? { protectedAdult: true } : {}),
    ...(representatives.length ? { representatives } : {}),
    ...(accounts.length ? { accounts } : {}),
    consent,
  };
}

/**
 * DMP-03: the desk asks for an internet account by marking the Patient, or a contained
 * RelatedPerson, with `dmp-internet-account`; its codes go to that resource's telecom.
 */
function accountRequestsOf(p: Patient, related: RelatedPerson[], reps: NewRepresentative[]): CreationAccountRequest[] {
  const requests: CreationAccountRequest[] = [];
  if (boolExtension(p, EXT.INTERNET_ACCOUNT)) {
    const telecom = (system: string) => p.telecom?.find((t) => t.system === system)?.value;
    requests.push({ holder: 'patient', email: telecom('email'), phone: telecom('phone') ?? telecom('sms') });
  }
  related.forEach((r, i) => {
    if (r.extension?.find((e) => e.url === EXT.INTERNET_ACCOUNT)?.valueBoolean) {
      requests.push({ holder: { representativeIndex: i }, email: reps[i].email, phone: reps[i].phone });
    }
  });
  return requests;
}

/** DMP-03: the credentials handed over at creation, on the 201 answer only (never stored, never read again). */
export function credentialsExtensions(issued: CreationCredentials[]): Extension[] {
  return issued.map((c) => ({
    url: EXT.ISSUED_CREDENTIALS,
    extension: [
      { url: 'holder', valueCode: c.holder.role },
      ...(c.holder.role === 'legal_representative'
        ? [{ url: 'representative', valueIdentifier: { system: SYSTEM.LEGAL_REPRESENTATIVE, value: c.holder.representativeId } }]
        : []),
      { url: 'login', valueString: c.login },
      { url: 'temporaryPassword', valueString: c.temporaryPassword },
    ],
  }));
}
