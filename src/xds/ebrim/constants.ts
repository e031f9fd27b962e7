// ebRIM 3.0 identifiers used by XDS.b metadata (ITI TF-3 4.2/4.3; checked against IHE-FACTS §4).
import type { AssociationType, AvailabilityStatus } from '../../domain/model.js';

export const OBJECT_TYPE = {
  stableDocumentEntry: 'urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1',
  onDemandDocumentEntry: 'urn:uuid:34268e47-fdf5-41a6-ba33-82133c465248',
  registryPackage: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:RegistryPackage',
  association: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Association',
  classification: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Classification',
  externalIdentifier: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:ExternalIdentifier',
} as const;

export const NODE = {
  submissionSet: 'urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd',
  folder: 'urn:uuid:d9d542f3-6cc4-48b6-8870-ea235fbc94c2',
  limitedDocumentEntry: 'urn:uuid:ab9b591b-83ab-4d03-8f5d-f93b1fb92e85',
  limitedSubmissionSet: 'urn:uuid:5003a9db-8d8d-49e6-bf0c-990e34ac7707',
  limitedFolder: 'urn:uuid:2c144a76-29a9-4b7c-af54-b25409fe7d03',
} as const;

export const DE_SCHEME = {
  classCode: 'urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a',
  typeCode: 'urn:uuid:f0306f51-975f-434e-a61c-c59651d33983',
  formatCode: 'urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d',
  confidentialityCode: 'urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f',
  healthcareFacilityTypeCode: 'urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1',
  practiceSettingCode: 'urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead',
  eventCodeList: 'urn:uuid:2c6b8cb7-8b2a-4051-b291-b1ae6a575ef4',
  author: 'urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d',
  patientId: 'urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427',
  uniqueId: 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab',
} as const;

export const SS_SCHEME = {
  contentTypeCode: 'urn:uuid:aa543740-bdda-424e-8c96-df4873be8500',
  author: 'urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d',
  patientId: 'urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446',
  uniqueId: 'urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8',
  sourceId: 'urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832',
} as const;

export const FD_SCHEME = {
  codeList: 'urn:uuid:1ba97051-7806-41a8-a48b-8fce7af683c5',
  patientId: 'urn:uuid:f64ffdf0-4b97-4e06-b79f-a52b38ec2f8a',
  uniqueId: 'urn:uuid:75df8f67-9973-4fbe-a900-df66cefecc5a',
} as const;

export const ASSOCIATION_DOCUMENTATION_SCHEME = 'urn:uuid:abd807a3-4432-4053-87b4-fd82c643d1f3';
/** extraSlot name under which an association's documentation classification is kept (CE `code^display^system`) */
export const ASSOCIATION_DOCUMENTATION_SLOT = 'urn:carnet:associationDocumentation';

export const EI_NAME = {
  dePatientId: 'XDSDocumentEntry.patientId',
  deUniqueId: 'XDSDocumentEntry.uniqueId',
  ssPatientId: 'XDSSubmissionSet.patientId',
  ssUniqueId: 'XDSSubmissionSet.uniqueId',
  ssSourceId: 'XDSSubmissionSet.sourceId',
  fdPatientId: 'XDSFolder.patientId',
  fdUniqueId: 'XDSFolder.uniqueId',
} as const;

const ASSOCIATION_URNS: Record<AssociationType, string> = {
  HasMember: 'urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember',
  RPLC: 'urn:ihe:iti:2007:AssociationType:RPLC',
  APND: 'urn:ihe:iti:2007:AssociationType:APND',
  XFRM: 'urn:ihe:iti:2007:AssociationType:XFRM',
  XFRM_RPLC: 'urn:ihe:iti:2007:AssociationType:XFRM_RPLC',
  signs: 'urn:ihe:iti:2007:AssociationType:signs',
  IsSnapshotOf: 'urn:ihe:iti:2010:AssociationType:IsSnapshotOf',
  UpdateAvailabilityStatus: 'urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus',
  SubmitAssociation: 'urn:ihe:iti:2010:AssociationType:SubmitAssociation',
};

export function associationTypeUrn(type: AssociationType): string {
  return ASSOCIATION_URNS[type];
}

/** Long URN or bare short name (older senders) -> AssociationType. */
export function associationTypeFromUrn(value: string): AssociationType | undefined {
  for (const [k, v] of Object.entries(ASSOCIATION_URNS)) {
    if (v === value || k === value) return k as AssociationType;
  }
  return undefined;
}

const STATUS_URNS: Record<AvailabilityStatus, string> = {
  Approved: 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved',
  Deprecated: 'urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated',
  Submitted: 'urn:oasis:names:tc:ebxml-regrep:StatusType:Submitted',
  Archived: 'urn:asip:ci-sis:2010:StatusType:Archived',
  Deleted: 'urn:asip:ci-sis:2010:StatusType:Deleted',
};

export function statusUrn(status: AvailabilityStatus): string {
  return STATUS_URNS[status];
}

export function statusFromUrn(value: string): AvailabilityStatus | undefined {
  for (const [k, v] of Object.entries(STATUS_URNS)) if (v === value) return k as AvailabilityStatus;
  return undefined;
}
