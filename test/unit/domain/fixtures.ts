// Builders shared by the domain tests: the shipped policy, a record context, actors, documents.
import type { LegalRepresentativeActor, PatientActor, ProfessionalActor } from '../../../src/domain/actor.js';
import type { Policy } from '../../../src/domain/policy.js';
import { loneMember } from '../../../src/domain/lineage.js';
import type { DocumentFacts, RecordContext } from '../../../src/domain/record.js';
import { loadPolicy } from '../../../src/profiles/load.js';

export const policy: Policy = loadPolicy();
export const NOW = new Date('2025-06-15T10:00:00Z');

export const PATIENT_KEY = 'rec-1';
export const DOCTOR = '810000000001';
export const OTHER_DOCTOR = '810000000002';
export const HOSPITAL = '1750000001';
/** the record's INS (ACC-10: what an identity assertion names) */
export const RECORD_INS = { system: '1.2.250.1.213.1.4.8', value: '180000000000001' };

export function ctx(over: Partial<RecordContext> = {}): RecordContext {
  return {
    patientKey: PATIENT_KEY,
    identifiers: [RECORD_INS],
    status: 'open',
    birthDate: '1980-01-01',
    emancipated: false,
    protectedAdult: false,
    medecinTraitant: null,
    grants: [],
    emergencyOppositions: { bris_de_glace: false, centre_15: false },
    legalRepresentatives: [],
    ...over,
  };
}

export const permitPro = (id: string) => ({ subjectKind: 'professional' as const, subjectId: id, effect: 'permit' as const });
export const denyPro = (id: string) => ({ subjectKind: 'professional' as const, subjectId: id, effect: 'deny' as const });
export const denyStructure = (id: string) => ({ subjectKind: 'structure' as const, subjectId: id, effect: 'deny' as const });
export const permitStructure = (id: string) => ({ subjectKind: 'structure' as const, subjectId: id, effect: 'permit' as const });

export function pro(over: Partial<ProfessionalActor> = {}): ProfessionalActor {
  return { kind: 'professional', idNatPs: DOCTOR, profession: '10', mode: 'normal', ...over };
}

export function patient(over: Partial<PatientActor> = {}): PatientActor {
  return { kind: 'patient', patientKey: PATIENT_KEY, ...over };
}

export function rep(id = 'rep-1', over: Partial<LegalRepresentativeActor> = {}): LegalRepresentativeActor {
  return { kind: 'legal_representative', patientKey: PATIENT_KEY, representativeId: id, ...over };
}

/** A child of 10 with one active representative. */
export function minorCtx(over: Partial<RecordContext> = {}): RecordContext {
  return ctx({
    birthDate: '2015-03-01',
    legalRepresentatives: [{ representativeId: 'rep-1', doctorPresenceRequired: false }],
    ...over,
  });
}

/** A document alone in its lineage (ACC-09), unless `over` says what lineage it follows. */
export function doc(over: Partial<DocumentFacts> = {}): DocumentFacts {
  const { lineage, ...own } = over;
  const facts = {
    typeCode: '11488-4',
    classCode: '10',
    confidentiality: ['N'],
    status: 'Approved' as const,
    authorIds: [OTHER_DOCTOR],
    authorStructures: [],
    authoredByPatient: false,
    ...own,
  };
  return { ...facts, lineage: lineage === undefined ? loneMember(facts) : lineage };
}
