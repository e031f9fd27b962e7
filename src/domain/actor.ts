// Who is asking. Every service call carries one Actor; the doors build it from a VIHF assertion,
// a bearer token or a patient session, and nothing else may decide who the caller is.
import type { PatientIdentifier } from './model.js';

export type AccessMode = 'normal' | 'bris_de_glace' | 'centre_15';
export const ACCESS_MODES: readonly AccessMode[] = ['normal', 'bris_de_glace', 'centre_15'];

export interface ProfessionalActor {
  kind: 'professional';
  /** IdNat_PS (RPPS/ADELI national id, with its prefix digit) */
  idNatPs: string;
  /** TRE_G15 profession code, e.g. "10" médecin; may also be a non-PS role code (secretary...) */
  profession: string;
  /** savoir-faire / specialty code (TRE_R38 / TRE_R01), e.g. "SM26" */
  specialty?: string;
  /** IdNat_Struct of the structure the professional acts for (FINESS prefixed with 1, ...) */
  structureId?: string;
  /** activity sector (JDV_J61 / TRE_R02), e.g. "SA01" */
  activitySector?: string;
  /** purpose of use; anything outside ACCESS_MODES is refused (fail closed) */
  mode: string;
  given?: string;
  family?: string;
  /**
   * ACC-05: the directory marks the structure as a medical regulation centre (SAMU – Centre 15).
   * Set by the doors from the directory, never from what the caller claims; absent = not one.
   */
  regulationCentre?: boolean;
  /** the act is done at the patient's request (ACC-07) */
  onPatientRequest?: boolean;
  /**
   * ACC-10: the one patient the identity assertion is about (VIHF resource-id, or the patient
   * claim of a bearer token). When set, the request may concern no other patient.
   */
  boundPatient?: PatientIdentifier;
}

export interface PatientActor {
  kind: 'patient';
  /** internal key of the patient's own record */
  patientKey: string;
  accountId?: string;
}

export interface LegalRepresentativeActor {
  kind: 'legal_representative';
  /** internal key of the represented person's record */
  patientKey: string;
  representativeId: string;
  accountId?: string;
}

export interface SupportActor {
  kind: 'support';
  agentId: string;
}

/**
 * The health insurer's feed of reimbursement data ("données de remboursement"): an organisation,
 * not a person. It deposits that one kind of document into open records and reads nothing.
 */
export interface InsurerActor {
  kind: 'insurer';
  /** IdNat_Struct of the insurer organisation */
  insurerId: string;
  /** who is responsible for the automated flow (the VIHF NameID), when said */
  operator?: string;
  /** ACC-10: the one patient its VIHF names (resource-id) */
  boundPatient?: PatientIdentifier;
}

/** TRE_A03 class "Données de remboursement": the one class of document the insurer deposits. */
export const REIMBURSEMENT_CLASS = '60';

export interface SystemActor {
  kind: 'system';
  /** what runs: a job, a command, a migration */
  component: string;
}

export type Actor = ProfessionalActor | PatientActor | LegalRepresentativeActor | SupportActor | InsurerActor | SystemActor;

/** A stable identifier of the actor for traces and logs (never a secret). */
export function actorId(actor: Actor): string {
  switch (actor.kind) {
    case 'professional':
      return actor.idNatPs;
    case 'patient':
      return actor.accountId ?? `patient:${actor.patientKey}`;
    case 'legal_representative':
      return actor.representativeId;
    case 'support':
      return actor.agentId;
    case 'insurer':
      return actor.insurerId;
    case 'system':
      return actor.component;
  }
}
