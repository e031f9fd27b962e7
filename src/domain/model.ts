// The record's metadata model, neutral between the two doors.
// An XDS DocumentEntry and an MHD DocumentReference both translate to and from these shapes;
// code systems are kept as XDS codingScheme values (OIDs or URNs), the doors convert them.
import type { LineageGate } from './lineage.js';

/** A coded value: XDS Classification (nodeRepresentation + codingScheme + name) or FHIR Coding. */
export interface Coded {
  code: string;
  /** XDS codingScheme: an OID (e.g. 1.2.250.1.213.1.1.4.1) or a URN; never a `urn:oid:` prefix. */
  system: string;
  display?: string;
}

/** A patient identifier as XDS carries it in CX form `value^^^&system&ISO`. */
export interface PatientIdentifier {
  value: string;
  /** assigning authority OID, e.g. 1.2.250.1.213.1.4.8 for INS-NIR */
  system: string;
}

/** Availability of a document entry. Archived and Deleted are the DMP's own statuses. */
export type AvailabilityStatus = 'Approved' | 'Deprecated' | 'Archived' | 'Deleted' | 'Submitted';

export interface AuthorPerson {
  /** IdNat_PS (or another id) as found in XCN component 1 */
  id?: string;
  /** assigning authority OID of the id */
  idSystem?: string;
  family?: string;
  given?: string;
  /** the original XCN string when received from XDS */
  raw?: string;
}

export interface AuthorInstitution {
  name: string;
  /** IdNat_Struct / FINESS as found in XON component 10 */
  id?: string;
  idSystem?: string;
  raw?: string;
}

export interface Author {
  person?: AuthorPerson;
  institutions: AuthorInstitution[];
  /** authorRole values (XDS strings; CISIS JDV_J47 codes in the DMP) */
  roles: string[];
  /** authorSpecialty values (XDS strings) */
  specialties: string[];
  telecoms: string[];
}

/** An extra slot kept verbatim (ITI TF-3 4.1.14: extra metadata may be stored). */
export interface ExtraSlot {
  name: string;
  values: string[];
}

/** DocumentEntry metadata, one version of one document. */
export interface DocumentEntryMetadata {
  /** entryUUID of this metadata version (`urn:uuid:` form); assigned by the registry when missing or symbolic */
  entryUuid?: string;
  /** logical id shared by every metadata version of the entry */
  logicalId?: string;
  version?: number;
  uniqueId: string;
  patientId: PatientIdentifier;
  sourcePatientId?: string;
  sourcePatientInfo?: string[];
  availabilityStatus?: AvailabilityStatus;
  mimeType: string;
  /** SHA-1 of the content, lower-case hex (XDS `hash`) */
  hash?: string;
  size?: number;
  repositoryUniqueId?: string;
  uri?: string;
  classCode?: Coded;
  typeCode?: Coded;
  formatCode?: Coded;
  healthcareFacilityTypeCode?: Coded;
  practiceSettingCode?: Coded;
  confidentialityCodes: Coded[];
  eventCodes: Coded[];
  /**
   * When a FHIR source made its DocumentReference (DocumentReference.date, an instant), kept as
   * it came: no XDS attribute carries it, and the registry's own time is storedAt.
   */
  referenceDate?: string;
  /** XDS DTM strings (YYYY[MM[DD[hh[mm[ss]]]]], UTC) as submitted */
  creationTime?: string;
  serviceStartTime?: string;
  serviceStopTime?: string;
  languageCode?: string;
  title?: string;
  comments?: string;
  authors: Author[];
  legalAuthenticator?: string;
  /** urn:ihe:iti:xds:2013:referenceIdList values (CXi strings) */
  referenceIds: string[];
  /** stable (default) or on-demand entry */
  objectType?: 'stable' | 'on-demand';
  /** true when submitted under the limited-metadata (MHD minimal) option */
  limitedMetadata?: boolean;
  homeCommunityId?: string;
  extraSlots?: ExtraSlot[];
}

export interface SubmissionSetMetadata {
  entryUuid?: string;
  uniqueId: string;
  sourceId: string;
  patientId: PatientIdentifier;
  submissionTime?: string;
  contentTypeCode?: Coded;
  authors: Author[];
  intendedRecipients: string[];
  title?: string;
  comments?: string;
  availabilityStatus?: AvailabilityStatus;
  limitedMetadata?: boolean;
  homeCommunityId?: string;
  extraSlots?: ExtraSlot[];
}

export interface FolderMetadata {
  entryUuid?: string;
  logicalId?: string;
  version?: number;
  uniqueId: string;
  patientId: PatientIdentifier;
  codeList: Coded[];
  title?: string;
  comments?: string;
  lastUpdateTime?: string;
  availabilityStatus?: AvailabilityStatus;
  limitedMetadata?: boolean;
  homeCommunityId?: string;
  extraSlots?: ExtraSlot[];
}

/** Association types, short names of the XDS URNs. */
export type AssociationType =
  | 'HasMember'
  | 'RPLC'
  | 'APND'
  | 'XFRM'
  | 'XFRM_RPLC'
  | 'signs'
  | 'IsSnapshotOf'
  | 'UpdateAvailabilityStatus'
  | 'SubmitAssociation';

export interface AssociationMetadata {
  entryUuid?: string;
  type: AssociationType;
  sourceId: string;
  targetId: string;
  /** HasMember from a submission set: Original | Reference */
  submissionSetStatus?: 'Original' | 'Reference';
  /** ITI-57: previous version of a new DocumentEntry/Folder version */
  previousVersion?: string;
  /** ITI-57 UpdateAvailabilityStatus */
  originalStatus?: string;
  newStatus?: string;
  associationPropagation?: boolean;
  availabilityStatus?: AvailabilityStatus;
  /** documentation classification (test 12370) and other slots kept verbatim */
  extraSlots?: ExtraSlot[];
}

/** A document version as stored: its metadata plus what the registry knows about it. */
export interface StoredDocumentEntry extends DocumentEntryMetadata {
  entryUuid: string;
  logicalId: string;
  version: number;
  availabilityStatus: AvailabilityStatus;
  /** this is the latest metadata version of its logical document */
  latest: boolean;
  /** internal key of the record (DMP) that holds it */
  patientKey: string;
  /** IdNat_PS of the professional who deposited it, or null when the patient did */
  submittedBy: string | null;
  /** structure of the depositing professional */
  submittedByStructure: string | null;
  /** deposited by the patient or a legal representative (class 90) */
  authoredByPatient: boolean;
  submissionSetUuid: string;
  /** when the registry stored this version */
  storedAt: string;
  /** how many times its status changed in place since (archive, deletion, deprecation); absent: never */
  statusChanges?: number;
  /** when its status last changed in place */
  statusChangedAt?: string;
  /** SHA-256 of the content, the content store's key */
  contentKey: string | null;
  /** ACC-09: the lineage this version follows, as the store loaded it with the version (decisions need it) */
  lineage?: LineageGate;
}

export interface StoredSubmissionSet extends SubmissionSetMetadata {
  entryUuid: string;
  patientKey: string;
  storedAt: string;
}

export interface StoredFolder extends FolderMetadata {
  entryUuid: string;
  logicalId: string;
  version: number;
  availabilityStatus: AvailabilityStatus;
  patientKey: string;
  lastUpdateTime: string;
}

export interface StoredAssociation extends AssociationMetadata {
  entryUuid: string;
  patientKey: string;
  availabilityStatus: AvailabilityStatus;
}
