// Demo data for `carnet seed`: a record with a few documents, and professionals of several
// professions, so that a new user can query right away (the README lists the requests).
import type { Coded, DocumentEntryMetadata, PatientIdentifier } from '../domain/model.js';
import type { SubmissionRequest } from '../domain/submission.js';

export const DEMO_INS: PatientIdentifier = { system: '1.2.250.1.213.1.4.8', value: '2800575123456' };

export const DEMO_STRUCTURES = [
  { structure_id: '1750000001', name: 'Centre hospitalier de démonstration', activity_sector: 'SA01', address: '1 rue de l’Hôpital, Paris' },
  { structure_id: '1690000002', name: 'Cabinet de ville de démonstration', activity_sector: 'SA07', address: '2 place du Marché, Lyon' },
  { structure_id: '1130000003', name: 'Laboratoire de démonstration', activity_sector: 'SA25', address: '3 avenue des Analyses, Marseille' },
];

/** One professional per kind of access the README shows. */
export const DEMO_PROFESSIONALS = [
  { id_nat_ps: '810000000001', given: 'Alice', family: 'Martin', profession: '10', specialty: 'SM26', structure_id: '1750000001', telecom: null },
  { id_nat_ps: '810000000002', given: 'Bruno', family: 'Leroy', profession: '10', specialty: 'SM26', structure_id: '1690000002', telecom: null },
  { id_nat_ps: '810000000004', given: 'Damien', family: 'Roux', profession: '60', specialty: null, structure_id: '1750000001', telecom: null },
  { id_nat_ps: '810000000005', given: 'Emma', family: 'Pied', profession: '80', specialty: null, structure_id: '1690000002', telecom: null },
  { id_nat_ps: '810000000006', given: 'Félix', family: 'Potion', profession: '21', specialty: null, structure_id: '1690000002', telecom: null },
  { id_nat_ps: '810000000009', given: 'Inès', family: 'Labo', profession: '10', specialty: 'SM05', structure_id: '1130000003', telecom: null },
];

const LOINC = '2.16.840.1.113883.6.1';
const c = (code: string, system: string, display?: string): Coded => ({ code, system, ...(display ? { display } : {}) });

function entry(uniqueId: string, typeCode: string, typeDisplay: string, classCode: string, authorId: string, created: string, confidentiality: string[] = ['N']): DocumentEntryMetadata {
  const author = DEMO_PROFESSIONALS.find((p) => p.id_nat_ps === authorId)!;
  const structure = DEMO_STRUCTURES.find((s) => s.structure_id === author.structure_id)!;
  return {
    uniqueId,
    patientId: DEMO_INS,
    sourcePatientId: `${DEMO_INS.value}^^^&${DEMO_INS.system}&ISO`,
    mimeType: 'text/plain',
    classCode: c(classCode, '1.2.250.1.213.1.1.4.1'),
    typeCode: c(typeCode, LOINC, typeDisplay),
    formatCode: c('urn:ihe:iti:xds-sd:text:2008', '1.3.6.1.4.1.19376.1.2.3'),
    healthcareFacilityTypeCode: c(structure.activity_sector, '1.2.250.1.71.4.2.4'),
    practiceSettingCode: c('ETABLISSEMENT', '1.2.250.1.213.1.1.4.9', 'Etablissement de santé'),
    confidentialityCodes: confidentiality.map((code) => c(code, code === 'N' ? '2.16.840.1.113883.5.25' : '1.2.250.1.213.1.1.4.13')),
    eventCodes: [],
    creationTime: created,
    languageCode: 'fr-FR',
    title: typeDisplay,
    authors: [
      {
        person: { id: author.id_nat_ps, idSystem: '1.2.250.1.71.4.2.1', family: author.family, given: author.given },
        institutions: [{ name: structure.name, id: structure.structure_id, idSystem: '1.2.250.1.71.4.2.2' }],
        roles: [],
        specialties: author.specialty ? [author.specialty] : [],
        telecoms: [],
      },
    ],
    referenceIds: [],
  };
}

export interface DemoSubmission {
  /** IdNat_PS of the depositing professional */
  by: string;
  request: SubmissionRequest;
}

function single(by: string, ssUniqueId: string, doc: DocumentEntryMetadata, text: string): DemoSubmission {
  return {
    by,
    request: {
      submissionSet: {
        id: 'SubmissionSet01',
        uniqueId: ssUniqueId,
        sourceId: '1.2.250.1.999.2.1',
        patientId: DEMO_INS,
        submissionTime: doc.creationTime,
        contentTypeCode: c('04', '1.2.250.1.213.1.1.4.2'),
        authors: doc.authors,
        intendedRecipients: [],
      },
      documents: [{ id: 'Document01', metadata: doc, content: new TextEncoder().encode(text) }],
      folders: [],
      associations: [{ id: 'Assoc01', type: 'HasMember', sourceId: 'SubmissionSet01', targetId: 'Document01', submissionSetStatus: 'Original' }],
    },
  };
}

export const DEMO_SUBMISSIONS: DemoSubmission[] = [
  single('810000000001', '1.2.250.1.999.3.1', entry('1.2.250.1.999.4.1', '11490-0', "Lettre de liaison à la sortie d'un établissement de soins", '10', '810000000001', '20260105140000'),
    'Lettre de liaison : séjour du 2 au 5 janvier 2026, sortie à domicile, traitement inchangé.'),
  single('810000000009', '1.2.250.1.999.3.2', entry('1.2.250.1.999.4.2', '11502-2', "CR d'examens biologiques", '10', '810000000009', '20260112090000'),
    'Bilan biologique : NFS normale, créatinine 78 µmol/L.'),
  single('810000000002', '1.2.250.1.999.3.3', entry('1.2.250.1.999.4.3', '11488-4', 'CR ou fiche de consultation ou de visite', '10', '810000000002', '20260120163000'),
    'Consultation de suivi : tension 125/80, poursuite du traitement.'),
  single('810000000001', '1.2.250.1.999.3.4', entry('1.2.250.1.999.4.4', '34112-3', 'CR hospitalier (séjour)', '10', '810000000001', '20260106100000', ['N', 'MASQUE_PS']),
    'Compte rendu d’hospitalisation masqué aux professionnels par la patiente.'),
];
