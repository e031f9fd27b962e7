// What an actor asks to do. One closed list: every service call names one of these, and
// decide() has a branch for each, so a new use case cannot bypass the rules unnoticed.

export const ACTIONS = [
  /** does this patient have a DMP (and is it open)? */
  'record.exists',
  /** search / list the record's documents (the visibility filter applies) */
  'record.read',
  'record.create',
  'record.close',
  'record.reactivate',
  'document.read',
  'document.submit',
  /** RPLC / relatesTo replaces: `doc` is the document being replaced */
  'document.replace',
  'document.delete',
  /** ITI-57 UpdateAvailabilityStatus Approved <-> Deprecated, without a replacement (DOC-05) */
  'document.deprecate',
  /** archive or unarchive (DOC-07) */
  'document.archive',
  /** MASQUE_PS on or off (MASK-01) */
  'document.mask',
  /** INVISIBLE_PATIENT on or off (MASK-02) */
  'document.patient_visibility',
  /** INVISIBLE_REPRESENTANTS_LEGAUX on or off (MASK-03) */
  'document.representative_visibility',
  /** read authorisations, blocks and emergency settings */
  'consent.read',
  /** authorise professionals or structures, lift a block, set emergency oppositions */
  'consent.manage',
  /** block a professional: a distinct action because ACC-06 reserves it, among professionals, to the médecin traitant */
  'consent.block',
  'medecin_traitant.designate',
  'trace.read',
  /** add or end a legal representative (MIN-01/02/04) */
  'representative.manage',
  /** the minor's wish that a representative reach the record only with a doctor (MASK-04) */
  'representative.doctor_presence',
  /** read the record's legal representatives (the support service issues their accounts from it) */
  'representative.read',
  /** the patient's personal selections of documents (DOC-07) */
  'selection.manage',
  /** the patient side's display settings and emergency contacts (PAT-02, PAT-05) */
  'record.settings',
  /** download the record, whole or in part (PAT-06) */
  'record.export',
  /** a formal request for a copy of the record (PAT-07) */
  'record.copy_request',
] as const;

export type Action = (typeof ACTIONS)[number];
