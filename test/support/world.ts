// A small world for service tests: services on a test database, a movable clock, a directory of
// professionals of several professions, and builders for records and submissions.
import { randomUUID } from 'node:crypto';
import type { ProfessionalActor } from '../../src/domain/actor.js';
import type { Coded, DocumentEntryMetadata, PatientIdentifier } from '../../src/domain/model.js';
import type { SubmissionRequest } from '../../src/domain/submission.js';
import { loadPolicy } from '../../src/profiles/load.js';
import type { Caller } from '../../src/services/deps.js';
import { createServices, type Services } from '../../src/services/index.js';
import type { Db } from '../../src/store/db.js';
import { TestClock } from './clock.js';

export const INS_SYSTEM = '1.2.250.1.213.1.4.8';
const policy = loadPolicy();

export const STRUCTURE = '1750000001';
export const OTHER_STRUCTURE = '1690000002';
/** ACC-05: a SAMU – Centre 15, marked as a medical regulation centre in the directory */
export const REGULATION_CENTRE = '1690000015';

/** Professionals of several professions, all in the directory. */
export const PROS = {
  doctor: { idNatPs: '810000000001', profession: '10', specialty: 'SM26', structureId: STRUCTURE, given: 'Alice', family: 'Martin' },
  doctor2: { idNatPs: '810000000002', profession: '10', specialty: 'SM26', structureId: OTHER_STRUCTURE, given: 'Bruno', family: 'Petit' },
  regulator: { idNatPs: '810000000003', profession: '10', specialty: 'SM26', structureId: REGULATION_CENTRE, given: 'Chloé', family: 'Samu' },
  nurse: { idNatPs: '810000000004', profession: '60', structureId: STRUCTURE, given: 'Damien', family: 'Roux' },
  podiatrist: { idNatPs: '810000000005', profession: '80', structureId: OTHER_STRUCTURE, given: 'Emma', family: 'Pied' },
  pharmacist: { idNatPs: '810000000006', profession: '21', structureId: OTHER_STRUCTURE, given: 'Félix', family: 'Potion' },
  dentist: { idNatPs: '810000000007', profession: '40', structureId: OTHER_STRUCTURE, given: 'Gaëlle', family: 'Dent' },
  secretary: { idNatPs: '810000000008', profession: 'ADM_SECRETARIAT', structureId: STRUCTURE, given: 'Hugo', family: 'Bureau' },
} as const;

export type ProName = keyof typeof PROS;

export function proActor(name: ProName, over: Partial<ProfessionalActor> = {}): ProfessionalActor {
  return { kind: 'professional', mode: 'normal', ...PROS[name], ...over };
}

export function as(actor: Caller['actor']): Caller {
  return { actor, channel: 'test' };
}

export const SYSTEM: Caller = { actor: { kind: 'system', component: 'test' }, channel: 'test' };

export interface World {
  db: Db;
  clock: TestClock;
  services: Services;
}

export async function makeWorld(db: Db, clock = new TestClock(), limits: { maxQueryResults?: number } = {}): Promise<World> {
  const services = servicesOn(db, clock, limits);
  await seedDirectory(services.directory);
  return { db, clock, services };
}

/** The world's services on a store (another pool on a world's store: its directory is seeded). */
export function servicesOn(db: Db, clock: TestClock, limits: { maxQueryResults?: number } = {}): Services {
  return createServices({
    db,
    policy,
    clock,
    limits: { defaultPageSize: 20, maxPageSize: 100, maxQueryResults: 5000, ...limits },
    repositoryUniqueId: '1.2.250.1.999.1.1.1',
  });
}

/** The two structures and the professionals of PROS, as the directory knows them. */
export async function seedDirectory(directory: Services['directory'], structureAddress: string | null = null): Promise<void> {
  await directory.putStructure({ structure_id: STRUCTURE, name: 'CH de Test', activity_sector: 'SA01', address: structureAddress });
  await directory.putStructure({ structure_id: OTHER_STRUCTURE, name: 'Cabinet Autre', activity_sector: 'SA07', address: null });
  await directory.putStructure({ structure_id: REGULATION_CENTRE, name: 'SAMU – Centre 15', activity_sector: 'SA01', address: null });
  await directory.setRegulationCentre(SYSTEM, REGULATION_CENTRE, true);
  for (const p of Object.values(PROS)) {
    await directory.putProfessional({
      id_nat_ps: p.idNatPs,
      given: p.given,
      family: p.family,
      profession: p.profession,
      specialty: 'specialty' in p ? p.specialty : null,
      structure_id: p.structureId,
      telecom: null,
    });
  }
}

export function newIns(): PatientIdentifier {
  // 13 digits, unique per call: INS-like, not a real NIR.
  const n = BigInt(`0x${randomUUID().replace(/-/g, '').slice(0, 12)}`) % 10_000_000_000_000n;
  return { system: INS_SYSTEM, value: n.toString().padStart(13, '1') };
}

/** An adult's record created by the patient online; returns its key and identifier. */
export async function adultRecord(w: World, birthDate = '1980-05-17'): Promise<{ patientKey: string; ins: PatientIdentifier }> {
  const ins = newIns();
  const { patientKey } = await w.services.records.create(
    { actor: { kind: 'support', agentId: 'agent-1' }, channel: 'test' },
    { identifiers: [ins], given: 'Jeanne', family: 'Durand', birthDate, consent: { givenBy: 'patient' } },
  );
  return { patientKey, ins };
}

export function patientCaller(patientKey: string): Caller {
  return { actor: { kind: 'patient', patientKey }, channel: 'test' };
}

let counter = 0;
export function uid(): string {
  counter += 1;
  return `1.2.250.1.999.9.${Date.now()}.${process.pid}.${counter}`;
}

const code = (c: string, system: string, display?: string): Coded => ({ code: c, system, ...(display ? { display } : {}) });

export interface DocOptions {
  typeCode?: string;
  classCode?: string;
  confidentiality?: string[];
  authorId?: string;
  authorStructure?: string;
  content?: string;
  creationTime?: string;
  uniqueId?: string;
  hash?: string;
  size?: number;
}

export function entryMetadata(ins: PatientIdentifier, o: DocOptions = {}): DocumentEntryMetadata {
  const typeCode = o.typeCode ?? '11488-4';
  return {
    uniqueId: o.uniqueId ?? uid(),
    patientId: ins,
    sourcePatientId: `${ins.value}^^^&${ins.system}&ISO`,
    mimeType: 'text/plain',
    classCode: code(o.classCode ?? '10', '1.2.250.1.213.1.1.4.1'),
    typeCode: code(typeCode, /^\d+-\d$/.test(typeCode) ? '2.16.840.1.113883.6.1' : '1.2.250.1.213.1.1.4.12'),
    formatCode: code('urn:ihe:iti:xds-sd:text:2008', '1.3.6.1.4.1.19376.1.2.3'),
    healthcareFacilityTypeCode: code('SA01', '1.2.250.1.71.4.2.4'),
    practiceSettingCode: code('ETABLISSEMENT', '1.2.250.1.213.1.1.4.9'),
    confidentialityCodes: (o.confidentiality ?? ['N']).map((c) =>
      code(c, ['N', 'R', 'V'].includes(c) ? '2.16.840.1.113883.5.25' : '1.2.250.1.213.1.1.4.13'),
    ),
    eventCodes: [],
    creationTime: o.creationTime ?? '20260110093000',
    languageCode: 'fr-FR',
    authors: o.authorId
      ? [{ person: { id: o.authorId, idSystem: '1.2.250.1.71.4.2.1', family: 'Auteur' }, institutions: o.authorStructure ? [{ name: 'Structure', id: o.authorStructure }] : [], roles: [], specialties: [], telecoms: [] }]
      : [],
    referenceIds: [],
    ...(o.hash ? { hash: o.hash } : {}),
    ...(o.size !== undefined ? { size: o.size } : {}),
  };
}

/** A submission set holding the given documents (one HasMember each). */
export function submission(ins: PatientIdentifier, docs: DocOptions[] = [{}], extra: Partial<SubmissionRequest> = {}): SubmissionRequest {
  return {
    submissionSet: {
      id: 'SubmissionSet01',
      uniqueId: uid(),
      sourceId: '1.2.250.1.999.2',
      patientId: ins,
      submissionTime: '20260110100000',
      contentTypeCode: code('04', '1.2.250.1.213.1.1.4.2'),
      authors: [],
      intendedRecipients: [],
    },
    documents: docs.map((d, i) => ({
      id: `Document${i + 1}`,
      metadata: entryMetadata(ins, d),
      content: new TextEncoder().encode(d.content ?? `document ${i + 1} ${uid()}`),
    })),
    folders: [],
    associations: docs.map((_, i) => ({ id: `assoc${i + 1}`, type: 'HasMember' as const, sourceId: 'SubmissionSet01', targetId: `Document${i + 1}`, submissionSetStatus: 'Original' as const })),
    ...extra,
  };
}
