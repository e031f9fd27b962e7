// The code systems and extensions the page reads and writes, as the FHIR door publishes them
// (docs/FHIR-RECORD.md of the project).
export const CARNET = 'https://carnet.example/fhir';
export const CS = {
  consentCategory: `${CARNET}/CodeSystem/dmp-consent-category`,
  accessMode: `${CARNET}/CodeSystem/dmp-access-mode`,
  historyMark: `${CARNET}/CodeSystem/dmp-history-mark`,
  traceAction: `${CARNET}/CodeSystem/dmp-trace-action`,
  listType: `${CARNET}/CodeSystem/dmp-list-type`,
  consentScope: 'http://terminology.hl7.org/CodeSystem/consentscope',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  participationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  roleCode: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
  visibility: 'https://mos.esante.gouv.fr/NOS/TRE_A07-StatutVisibiliteDocument/FHIR/TRE-A07-StatutVisibiliteDocument',
  documentClass: 'https://mos.esante.gouv.fr/NOS/TRE_A03-ClasseDocument/FHIR/TRE-A03-ClasseDocument',
  patientDocumentType: 'https://mos.esante.gouv.fr/NOS/TRE_A05-TypeDocComplementaire/FHIR/TRE-A05-TypeDocComplementaire',
  profession: 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante',
  mhdListTypes: 'https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes',
} as const;

export const EXT = {
  isArchived: 'https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-ext-is-archived',
  closure: 'https://interop.esante.gouv.fr/ig/fhir/dmp/StructureDefinition/dmp-fermeture',
  mhdSourceId: 'https://profiles.ihe.net/ITI/MHD/StructureDefinition/ihe-sourceId',
} as const;

/** TRE_A07 visibility flags the patient side sets or meets. */
export const FLAG = {
  masked: 'MASQUE_PS',
  invisiblePatient: 'INVISIBLE_PATIENT',
  invisibleRepresentatives: 'INVISIBLE_REPRESENTANTS_LEGAUX',
} as const;

/** The class of the patient's own documents ("Expression libre", DOC-08). */
export const OWN_DOCUMENT_CLASS = '90';

/** The document classes a patient meets (TRE_A03), for the filters; labels are in the catalogues. */
export const DOCUMENT_CLASSES = ['10', '11', '31', '42', '43', '44', '45', '52', '60', '90'] as const;

/** Professions offered in the directory search (TRE_G15); labels are in the catalogues. */
export const PROFESSIONS = ['10', '21', '40', '50', '60', '70', '80'] as const;
