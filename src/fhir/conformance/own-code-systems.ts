// The code systems Carnet invents (CS of carnet-fhir.ts), published as CodeSystems built from the
// very constants the door writes on the wire, so a code cannot be sent without being published.
// The typed records below fail the type check when a code is added to its type and not here.
// Two are fragments: the trace's action names and the refusal reasons are open lists of the
// services (sign-in, accounts, input limits add their own); what is listed is the rules' part.
import type { CodeSystem } from '@medplum/fhirtypes';
import type { Actor } from '../../domain/actor.js';
import { ACTIONS } from '../../domain/actions.js';
import { REASON_CODES } from '../../domain/reasons.js';
import { CS } from '../mappings/carnet-fhir.js';
import type { ConsentCategory } from '../mappings/consent.js';
import { HISTORY_MARK_DISPLAY } from '../mappings/history-marks.js';
import { CLOSURE_MOTIVE_PATIENT_REQUEST, type AuthorisationStatus } from '../mappings/patient.js';
import { ERROR_CODES } from '../outcome.js';
import { SELECTION_CODE } from './default-profile.js';

type Concepts = Record<string, string>;

const AUTHORISATION_STATUS: Record<AuthorisationStatus, string> = {
  authorised: 'Professionnel autorisé',
  blocked: 'Professionnel bloqué par le patient',
  'not-authorised': 'Professionnel non autorisé',
};

const CONSENT_CATEGORY: Record<ConsentCategory, string> = {
  access: 'Autorisation ou blocage d\'un professionnel ou d\'une structure',
  emergency: 'Accès en urgence (bris de glace, centre 15)',
  'medecin-traitant': 'Désignation du médecin traitant DMP',
};
/** the consent to create the record, contained in the Patient of POST /Patient (docs/FHIR-RECORD.md) */
const CREATION_CONSENT = { 'dmp-creation': 'Consentement à la création du DMP' };

const ACTOR_KIND: Record<Exclude<Actor['kind'], 'professional'>, string> = {
  patient: 'Patient',
  legal_representative: 'Représentant légal',
  support: 'Agent du service d\'accueil',
  insurer: 'Organisme d\'assurance maladie',
  system: 'Carnet lui-même',
};

/** a code's own words when it has no label of its own: invalid_metadata -> invalid metadata */
const spelled = (codes: readonly string[]): Concepts => Object.fromEntries(codes.map((c) => [c, c.replace(/[_.]/g, ' ')]));

interface OwnSystem {
  url: string;
  name: string;
  title: string;
  description: string;
  concepts: Concepts;
  fragment?: true;
}

// Built on call: the constants come from modules that may still be loading when this one is.
const systems = (): OwnSystem[] => [
  { url: CS.AUTHORISATION_STATUS, name: 'DmpAuthorisationStatus', title: 'Statut d\'autorisation du professionnel', description: 'Whether the record authorises the professional who reads it (extension dmp-authorisation-status).', concepts: AUTHORISATION_STATUS },
  { url: CS.CONSENT_CATEGORY, name: 'DmpConsentCategory', title: 'Catégorie de consentement', description: 'Which of the patient\'s choices a Consent is (Consent.category).', concepts: { ...CONSENT_CATEGORY, ...CREATION_CONSENT } },
  { url: CS.CLOSURE_MOTIVE, name: 'DmpClosureMotive', title: 'Motif de fermeture', description: 'Why a record was closed (motifFermeture of the dmp-fermeture extension).', concepts: { [CLOSURE_MOTIVE_PATIENT_REQUEST]: 'Fermeture à la demande du patient' } },
  { url: CS.ACTOR_KIND, name: 'DmpActorKind', title: 'Nature de l\'acteur', description: 'Who acted, when not a professional (AuditEvent.agent.role).', concepts: ACTOR_KIND },
  { url: CS.HISTORY_MARK, name: 'DmpHistoryMark', title: 'Marques de l\'historique', description: 'TRACE-03: how the patient side\'s history marks an entry (AuditEvent.meta.tag).', concepts: HISTORY_MARK_DISPLAY },
  { url: CS.LIST_TYPE, name: 'DmpListType', title: 'Type de liste Carnet', description: 'List.code of the lists Carnet keeps for a reader (DOC-07).', concepts: { [SELECTION_CODE]: 'Sélection personnelle' } },
  { url: CS.ERROR_CODE, name: 'CarnetErrorCode', title: 'Code d\'erreur de Carnet', description: 'The record\'s error code, in OperationOutcome.issue.details beside the FHIR issue code.', concepts: spelled(ERROR_CODES) },
  {
    url: CS.TRACE_ACTION,
    name: 'DmpTraceAction',
    title: 'Action tracée',
    description: 'What a trace entry records (AuditEvent.subtype): the actions the rules decide are listed; sign-in, account and maintenance entries add their own names.',
    concepts: spelled(ACTIONS),
    fragment: true,
  },
  {
    url: CS.REASON,
    name: 'CarnetReason',
    title: 'Motif de refus',
    description: 'Why the rules refused, in OperationOutcome.issue.details: the rules\' reasons are listed; sign-in and input checks add their own.',
    concepts: spelled(REASON_CODES),
    fragment: true,
  },
];

/** Carnet's own code systems as FHIR CodeSystems. */
export function ownCodeSystems(): CodeSystem[] {
  return systems().map((s) => ({
    resourceType: 'CodeSystem',
    id: s.url.slice(s.url.lastIndexOf('/') + 1),
    url: s.url,
    version: '1',
    name: s.name,
    title: s.title,
    status: 'active',
    publisher: 'Carnet',
    description: s.description,
    caseSensitive: true,
    content: s.fragment ? 'fragment' : 'complete',
    ...(s.fragment ? {} : { count: Object.keys(s.concepts).length }),
    concept: Object.entries(s.concepts).map(([code, display]) => ({ code, display })),
  }));
}
