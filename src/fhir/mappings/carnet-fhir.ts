// Carnet's own FHIR definitions: one base URL for every extension, code system and operation the
// door invents, so a deployment that publishes them elsewhere changes one line. Where the ANS
// has a (draft) definition we use it instead: the DMP closure extension (DMP-FACTS §8).
import { OID } from '../codes.js';

/** The canonical base of Carnet's definitions (not a resolvable server: a namespace). */
export const CARNET_FHIR_BASE = 'https://carnet.example/fhir';

const sd = (name: string) => `${CARNET_FHIR_BASE}/StructureDefinition/${name}`;
const cs = (name: string) => `${CARNET_FHIR_BASE}/CodeSystem/${name}`;
export const operationUrl = (name: string) => `${CARNET_FHIR_BASE}/OperationDefinition/${name}`;

export const EXT = {
  /** ANS draft (PDSm4DMP): Patient.active=false plus dateFermeture / motifFermeture / raisonFermeture */
  CLOSURE: 'https://interop.esante.gouv.fr/ig/fhir/dmp/StructureDefinition/dmp-fermeture',
  /** Patient, for a professional caller (TD0.2 EF_DMP04_01): valueCode from CS.AUTHORISATION_STATUS */
  AUTHORISATION_STATUS: sd('dmp-authorisation-status'),
  /** Patient, for a professional caller (TD0.2 EF_DMP01_07): valueBoolean, the caller is the médecin traitant DMP */
  MEDECIN_TRAITANT: sd('dmp-medecin-traitant'),
  /** Patient (create): valueBoolean, an emancipated minor acts as an adult (DMP-02) */
  EMANCIPATED: sd('dmp-emancipated'),
  /** Patient (create): valueBoolean, an adult under tutelle (MIN-04) */
  PROTECTED_ADULT: sd('dmp-protected-adult'),
  /** Patient or contained RelatedPerson (create): valueBoolean true, open this holder's internet account at the desk (DMP-03) */
  INTERNET_ACCOUNT: sd('dmp-internet-account'),
  /** Patient, in the 201 answer of a creation only: one holder's login and temporary password (DMP-03) */
  ISSUED_CREDENTIALS: sd('dmp-issued-credentials'),
  /** RelatedPerson: valueBoolean, MASK-04, this representative reaches the record online only with a doctor */
  DOCTOR_PRESENCE_REQUIRED: sd('dmp-doctor-presence-required'),
  /** Consent, AuditEvent: valueBoolean, a professional acted at the patient's request (ACC-07) */
  ON_PATIENT_REQUEST: sd('dmp-on-patient-request'),
  /** DMP-06: when a maintenance window runs (Communication) */
  MAINTENANCE_PERIOD: sd('dmp-maintenance-period'),
  /** contained PractitionerRole of an author: valueReference, its second and further authorInstitution */
  AUTHOR_INSTITUTION: sd('author-institution'),
  /** on a profile's binding: valueCode, the rules' reason (CS.REASON) for a code outside the value set */
  REFUSAL_REASON: sd('refusal-reason'),
} as const;

export const CS = {
  /** authorised | blocked | not-authorised */
  AUTHORISATION_STATUS: cs('dmp-authorisation-status'),
  /** access | emergency | medecin-traitant | dmp-creation: which of the patient's choices a Consent is */
  CONSENT_CATEGORY: cs('dmp-consent-category'),
  /** normal | bris_de_glace | centre_15: the purpose of use a professional declares (ACC-05) */
  ACCESS_MODE: cs('dmp-access-mode'),
  /** the trace's action names (record.read, document.submit...), as AuditEvent.subtype */
  TRACE_ACTION: cs('dmp-trace-action'),
  /** why a DMP was closed (motifFermeture) */
  CLOSURE_MOTIVE: cs('dmp-closure-motive'),
  /** who acted, when not a professional: patient, legal_representative, support, system */
  ACTOR_KIND: cs('dmp-actor-kind'),
  /** TRACE-03, AuditEvent.meta.tag for the patient side: own | professional | new-since-last-login | first-access | emergency-access */
  HISTORY_MARK: cs('dmp-history-mark'),
  /** List.code of Carnet's own lists: carnet-selection (DOC-07 personal selections) */
  LIST_TYPE: cs('dmp-list-type'),
  /** OperationOutcome.issue.details: the record's error code (invalid_metadata, forbidden...) */
  ERROR_CODE: cs('carnet-error-code'),
  /** OperationOutcome.issue.details: why the rules refused (not_authorised, record_closed...) */
  REASON: cs('carnet-reason'),
} as const;

/** Identifier systems. */
export const SYSTEM = {
  INS_NIR: `urn:oid:${OID.INS_NIR}`,
  IDNAT_PS: `urn:oid:${OID.IDNAT_PS}`,
  IDNAT_STRUCT: `urn:oid:${OID.IDNAT_STRUCT}`,
  /** Carnet's ids of legal representatives and support agents (no national system) */
  LEGAL_REPRESENTATIVE: `${CARNET_FHIR_BASE}/NamingSystem/legal-representative`,
  SUPPORT_AGENT: `${CARNET_FHIR_BASE}/NamingSystem/support-agent`,
  RFC3986: 'urn:ietf:rfc:3986',
} as const;

export const HL7 = {
  CONSENT_SCOPE: 'http://terminology.hl7.org/CodeSystem/consentscope',
  ACT_REASON: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  ROLE_CODE: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
  PARTICIPATION_TYPE: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  ROLE_CLASS: 'http://terminology.hl7.org/CodeSystem/v3-RoleClass',
  AUDIT_EVENT_TYPE: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
  RESTFUL_INTERACTION: 'http://hl7.org/fhir/restful-interaction',
  AUDIT_ENTITY_TYPE: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
  OBJECT_ROLE: 'http://terminology.hl7.org/CodeSystem/object-role',
  SECURITY_SOURCE_TYPE: 'http://terminology.hl7.org/CodeSystem/security-source-type',
  AUDIT_EVENT_OUTCOME: 'http://terminology.hl7.org/CodeSystem/audit-event-outcome',
  NETWORK_TYPE: 'http://hl7.org/fhir/network-type',
  DCM: 'http://dicom.nema.org/resources/ontology/DCM',
} as const;
