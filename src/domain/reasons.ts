// Why the rules refused. A closed list so that the doors can map each reason to a wire error,
// and so that a reason revealing a hidden document cannot slip out (see hidesExistence).

export const REASON_CODES = [
  // who is asking
  'unknown_access_mode',
  'unknown_profession',
  'administrative_staff',
  'unsupported_actor',
  'wrong_record',
  /** ACC-10: the caller's assertion names another patient */
  'other_patient',
  // authorisation (ACC)
  'not_authorised',
  'blocked',
  'emergency_opposed',
  'emergency_not_applicable',
  'emergency_read_only',
  'not_on_patient_request',
  'not_medecin_traitant',
  'not_a_doctor',
  // what a reader may see (ACC-02, MASK)
  'matrix_denied',
  'unknown_document_type',
  'masked',
  'invisible_to_patient',
  'invisible_to_representatives',
  'doctor_presence_required',
  'document_unavailable',
  /** ACC-09: the version is hidden by another member of its lineage (its latest version, the current member) */
  'lineage_hidden',
  'document_required',
  // minors and representatives (MIN, DMP-02)
  'representative_access_ended',
  'legal_representative_required',
  'adults_only',
  'birth_date_unknown',
  'not_a_minor',
  'consent_required',
  // the record's state (DMP-05)
  'record_closed',
  'record_not_closed',
  'retention_expired',
  // documents (DOC)
  'not_author',
  'class_mismatch',
  'not_patient_document_type',
  /** the insurer deposits reimbursement data only */
  'not_insurer_document_type',
  /** the insurer sets no visibility flag (MASQUE_PS, INVISIBLE_*) on its deposits */
  'not_insurer_confidentiality',
  'invalid_status',
] as const;

export type ReasonCode = (typeof REASON_CODES)[number];

/**
 * Reasons of decide('document.submit') about the document's own metadata, not about the caller:
 * the request is at fault and is told so (DOC-01, DOC-08, the insurer's one type). They hold for
 * a deposit and for a new metadata version alike.
 */
export const METADATA_REASONS: readonly ReasonCode[] = ['class_mismatch', 'unknown_document_type', 'not_patient_document_type', 'not_insurer_document_type', 'not_insurer_confidentiality'];

/**
 * ACC-08: reasons that say "this document exists but is hidden from you". A door must answer
 * them exactly as if the document did not exist (not found / empty result), never with the
 * reason itself.
 */
const CONCEALING: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  'matrix_denied',
  'unknown_document_type',
  'masked',
  'invisible_to_patient',
  'invisible_to_representatives',
  'doctor_presence_required',
  'document_unavailable',
  'lineage_hidden',
]);

export function hidesExistence(reason: ReasonCode): boolean {
  return CONCEALING.has(reason);
}

/**
 * ACC-08, DMP-04 for the patient side: a patient or a legal representative holds one record, and
 * any other does not exist for them. Refused for this reason, they are answered exactly as for a
 * key or an identifier no record has (the refusal is still traced on the record they named):
 * "wrong record" told anyone with a patient account which INS has a DMP.
 */
export function hidesRecord(reason: ReasonCode): boolean {
  return reason === 'wrong_record';
}
