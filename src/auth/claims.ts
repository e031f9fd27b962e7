// Bearer token claims -> Actor. Professionals carry IHE IUA-style attributes (the same facts as
// a VIHF assertion: IdNat_PS, profession, specialty, structure, activity sector, purpose of use);
// patients and legal representatives carry the record they act on. Anything missing or unknown
// yields no actor: the caller is then refused (fail closed). A professional's or the insurer's
// token may name the one patient it is for (IUA `person_id`, a CX identifier): the request is
// then bound to that patient (ACC-10), as a VIHF resource-id binds it.
import type { Actor, ProfessionalActor } from '../domain/actor.js';
import { CarnetError } from '../domain/errors.js';
import { parseCx } from '../domain/hl7v2.js';
import type { PatientIdentifier } from '../domain/model.js';

/** The claims Carnet reads. `extensions.ihe_iua` values are accepted where IUA defines them. */
export interface CarnetClaims {
  sub?: string;
  subject_type?: 'professional' | 'patient' | 'legal_representative' | 'support' | 'insurer';
  profession?: string;
  specialty?: string;
  structure_id?: string;
  activity_sector?: string;
  purpose_of_use?: string;
  on_patient_request?: boolean;
  given_name?: string;
  family_name?: string;
  patient_key?: string;
  representative_id?: string;
  account_id?: string;
  /** ACC-10: the patient the token is for, as a CX identifier (`value^^^&oid&ISO`) */
  person_id?: string;
  /** AUTH-03: a session opened with a temporary password; it may only replace the password */
  pwd_temporary?: boolean;
  /** AUTH-03/04: the account's session generation when the session opened; a new password moves it on */
  session_gen?: number;
  /** the terms of use changed since this holder accepted them: the session may only accept them */
  terms_pending?: string;
  extensions?: {
    ihe_iua?: {
      subject_role?: { code?: string };
      purpose_of_use?: { code?: string };
      subject_organization_id?: string;
      person_id?: string;
    };
  };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/**
 * ACC-10: the patient a professional's or the insurer's token is about (IUA `person_id`, at the
 * top level or in the IUA extension), if it names one. A claim that cannot be read binds to
 * nothing readable: refused, never ignored. So is one given at both places naming two patients,
 * or a null one.
 */
function boundPatientClaim(c: CarnetClaims): PatientIdentifier | undefined {
  const claimed: unknown[] = [c.person_id, c.extensions?.ihe_iua?.person_id].filter((v) => v !== undefined);
  if (!claimed.length) return undefined;
  const read = claimed.map((v) => (typeof v === 'string' ? parseCx(v) : undefined));
  const [bound] = read;
  if (!bound || read.some((p) => !p || p.system !== bound.system || p.value !== bound.value)) {
    throw new CarnetError('unauthenticated', 'the token names its patient (person_id) in a form that is not one CX identifier');
  }
  return bound;
}

export function claimsToActor(c: CarnetClaims): Actor {
  const iua = c.extensions?.ihe_iua;
  switch (c.subject_type) {
    case 'professional': {
      const idNatPs = str(c.sub);
      const profession = str(c.profession) ?? str(iua?.subject_role?.code);
      if (!idNatPs || !profession) throw new CarnetError('unauthenticated', 'the token names no professional (sub and profession are required)');
      const actor: ProfessionalActor = {
        kind: 'professional',
        idNatPs,
        profession,
        specialty: str(c.specialty),
        structureId: str(c.structure_id) ?? str(iua?.subject_organization_id),
        activitySector: str(c.activity_sector),
        // An absent purpose of use is the normal mode; an unknown one is kept so that the rules refuse it.
        mode: str(c.purpose_of_use) ?? str(iua?.purpose_of_use?.code) ?? 'normal',
        given: str(c.given_name),
        family: str(c.family_name),
        onPatientRequest: c.on_patient_request === true,
      };
      const bound = boundPatientClaim(c);
      if (bound) actor.boundPatient = bound;
      return actor;
    }
    case 'patient': {
      const patientKey = str(c.patient_key);
      if (!patientKey) throw new CarnetError('unauthenticated', 'the token names no record');
      return { kind: 'patient', patientKey, accountId: str(c.account_id) };
    }
    case 'legal_representative': {
      const patientKey = str(c.patient_key);
      const representativeId = str(c.representative_id);
      if (!patientKey || !representativeId) throw new CarnetError('unauthenticated', 'the token names no record or representative');
      return { kind: 'legal_representative', patientKey, representativeId, accountId: str(c.account_id) };
    }
    case 'support': {
      const agentId = str(c.sub);
      if (!agentId) throw new CarnetError('unauthenticated', 'the token names no agent');
      return { kind: 'support', agentId };
    }
    case 'insurer': {
      // The insurer's feed of reimbursement data: sub is the insurer organisation's IdNat_Struct.
      const insurerId = str(c.sub);
      if (!insurerId) throw new CarnetError('unauthenticated', 'the token names no insurer');
      // ACC-10 as for its VIHF's resource-id: a token about one patient deposits for no other
      const bound = boundPatientClaim(c);
      return bound ? { kind: 'insurer', insurerId, boundPatient: bound } : { kind: 'insurer', insurerId };
    }
    default:
      throw new CarnetError('unauthenticated', 'the token has no known subject_type');
  }
}
