// The facts about one record (DMP) and one document that the rules read. The services load
// them from the store; the rules never see more than this, which keeps them pure and testable.
import { normaliseConfidentiality } from './confidentiality.js';
import type { LineageGate, MemberFacts } from './lineage.js';
import type { PatientIdentifier, StoredDocumentEntry } from './model.js';

export interface Grant {
  /** a professional (IdNat_PS) or a structure (IdNat_Struct) whose care team is meant (ACC-04) */
  subjectKind: 'professional' | 'structure';
  subjectId: string;
  /** permit = authorised (ACC-01); deny = blocked (ACC-03) */
  effect: 'permit' | 'deny';
}

export interface LegalRepresentative {
  representativeId: string;
  /** MASK-04: the minor asked that this representative see medical documents only with a doctor */
  doctorPresenceRequired: boolean;
  /** a planned end of access (ISO date or timestamp), e.g. the majority (MIN-03) */
  accessEndsAt?: string;
  /** when the access was ended (ISO date or timestamp) */
  endedAt?: string;
}

export interface RecordContext {
  patientKey: string;
  /** the patient's identifiers (INS-NIR, INS-NIA...): what an identity assertion names (ACC-10) */
  identifiers: PatientIdentifier[];
  status: 'open' | 'closed';
  /** YYYY-MM-DD */
  birthDate?: string;
  emancipated: boolean;
  /** under tutelle: the tutor holds the legal representative's prerogatives (MIN-04) */
  protectedAdult: boolean;
  /** IdNat_PS of the médecin traitant DMP (ACC-06) */
  medecinTraitant: string | null;
  grants: Grant[];
  /** true = the patient opposed that emergency mode (ACC-05) */
  emergencyOppositions: { bris_de_glace: boolean; centre_15: boolean };
  legalRepresentatives: LegalRepresentative[];
  /** when the record was closed (ISO timestamp); starts the 10-year retention (DMP-05) */
  closedAt?: string;
}

/** One document version as the rules see it: its own facts and the lineage it follows (ACC-09). */
export interface DocumentFacts extends MemberFacts {
  classCode: string;
  /** author institution ids and the depositing professional's structure */
  authorStructures: string[];
  /** null: the lineage was not loaded with the version, which then is read by nobody (fail closed) */
  lineage: LineageGate | null;
  /** the structure that deposited it: the professional's, or the insurer organisation for its feed */
  depositorStructure?: string | null;
}

function present(values: Array<string | null | undefined>): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v !== ''))];
}

/** What the visibility rule reads of a stored version (the store derives its columns from it too). */
export function memberFacts(e: StoredDocumentEntry): MemberFacts {
  return {
    typeCode: e.typeCode?.code ?? '',
    confidentiality: normaliseConfidentiality(e.confidentialityCodes.map((c) => c.code)),
    status: e.availabilityStatus,
    authorIds: present([...e.authors.map((a) => a.person?.id), e.submittedBy]),
    authoredByPatient: e.authoredByPatient,
  };
}

/**
 * The depositing professional counts as an author: MASK-01 keeps a masked document visible to
 * "the professionals who deposited it", and DOC-05/06 give them the replacement and deletion.
 * The lineage is the one the store loaded with the entry (ACC-09); an entry that does not carry
 * it (built in memory, or returned by a search) is read by nobody.
 */
export function documentFacts(e: StoredDocumentEntry): DocumentFacts {
  const own = memberFacts(e);
  return {
    ...own,
    classCode: e.classCode?.code ?? '',
    authorStructures: present([...e.authors.flatMap((a) => a.institutions.map((i) => i.id)), e.submittedByStructure]),
    lineage: e.lineage ?? null,
    depositorStructure: e.submittedByStructure,
  };
}
