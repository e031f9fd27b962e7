// Stored DocumentEntry -> DocumentReference, as the FHIR door answers it (ITI-67, read, history).
// It builds from trusted stored metadata and judges nothing, unlike the reading direction, so it
// stands alone. The mapping rules: document-reference.ts.
import type { Attachment, DocumentReference, DocumentReferenceRelatesTo, Patient, Reference, Resource } from '@medplum/fhirtypes';
import { documentVersion } from '../../domain/resource-versions.js';
import type { AssociationType, PatientIdentifier, StoredDocumentEntry } from '../../domain/model.js';
import { codedToConcept, dtmToFhirDateTime, toInstant } from '../codes.js';
import { authorToContained, xcnToPractitioner } from './authors.js';
import { readCx } from '../../domain/hl7v2.js';
import { ENCOUNTER_ID_TYPES, referenceIdToIdentifier, sourcePatientToPatient } from './context-identifiers.js';
import {
  ASSOCIATION_TO_RELATES_TO,
  EXT_IS_ARCHIVED,
  LOGICAL_ID_TYPE,
  PROFILE_COMPREHENSIVE_DOCUMENT_REFERENCE,
  PROFILE_MINIMAL_DOCUMENT_REFERENCE,
  PROFILE_PDSM_DOCUMENT_REFERENCE,
  URI_SYSTEM,
  patientIdentifierReference,
  statusToFhir,
  stripUrnUuid,
  toUrnUuid,
  uniqueIdToIdentifier,
} from './document-reference.js';

function hexToBase64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

export interface ToDocumentReferenceOptions {
  /** how to refer to the patient (default: logical reference by identifier) */
  patientReference?: (patientId: PatientIdentifier) => Reference<Patient>;
  /** where the content can be read (default `Binary/<id of the DocumentReference>`) */
  binaryUrl?: (entry: StoredDocumentEntry) => string;
  /** associations having this entry as source (RPLC, XFRM, APND, signs) */
  relatesTo?: { type: AssociationType; targetId: string }[];
}

/** DocumentReference.relatesTo of an entry's associations (those that have a FHIR code), in their order. */
export function relatesToOf(relations: readonly { type: AssociationType; targetId: string }[]): DocumentReferenceRelatesTo[] {
  return relations
    .filter((r) => ASSOCIATION_TO_RELATES_TO[r.type])
    .map((r) => ({
      code: ASSOCIATION_TO_RELATES_TO[r.type] as DocumentReferenceRelatesTo['code'],
      target: { reference: `DocumentReference/${stripUrnUuid(r.targetId)}` },
    }));
}

export function toDocumentReference(entry: StoredDocumentEntry, options: ToDocumentReferenceOptions = {}): DocumentReference {
  const id = stripUrnUuid(entry.entryUuid);
  const contained: Resource[] = [];
  // R4 resource.html#Meta: a new metadata version is a new entry (its XDS version); a status
  // changed in place since adds `.n` (archive, deletion, deprecation): resource-versions.ts
  const version = documentVersion(entry);
  const dr: DocumentReference = {
    resourceType: 'DocumentReference',
    id,
    meta: {
      versionId: version.versionId,
      lastUpdated: toInstant(version.lastUpdated),
      profile: entry.limitedMetadata
        ? [PROFILE_MINIMAL_DOCUMENT_REFERENCE]
        : [PROFILE_COMPREHENSIVE_DOCUMENT_REFERENCE, PROFILE_PDSM_DOCUMENT_REFERENCE],
    },
    status: statusToFhir(entry.availabilityStatus),
    content: [],
  };

  if (entry.availabilityStatus === 'Archived') {
    dr.extension = [{ url: EXT_IS_ARCHIVED, valueBoolean: true }];
  }
  // MHD's UniqueIdIdentifier: use is fixed to usual.
  dr.masterIdentifier = uniqueIdToIdentifier(entry.uniqueId, 'usual');
  dr.identifier = [
    { use: 'official', system: URI_SYSTEM, value: toUrnUuid(entry.entryUuid) },
    { use: 'secondary', system: URI_SYSTEM, value: toUrnUuid(entry.logicalId), type: { text: LOGICAL_ID_TYPE } },
  ];
  if (entry.typeCode) dr.type = codedToConcept(entry.typeCode);
  if (entry.classCode) dr.category = [codedToConcept(entry.classCode)];
  dr.subject = (options.patientReference ?? patientIdentifierReference)(entry.patientId);
  // R4: when the DocumentReference was made. The source's own date when it gave one, else the
  // registry's (an entry submitted through XDS has no such attribute).
  dr.date = entry.referenceDate ?? toInstant(entry.storedAt);

  const authors: NonNullable<DocumentReference['author']> = [];
  entry.authors.forEach((author, i) => {
    const { reference, contained: resources } = authorToContained(author, `author${i + 1}`);
    authors.push(reference as NonNullable<DocumentReference['author']>[number]);
    contained.push(...resources);
  });
  if (authors.length > 0) dr.author = authors;
  if (entry.legalAuthenticator) {
    contained.push(xcnToPractitioner(entry.legalAuthenticator, 'authenticator'));
    dr.authenticator = { reference: '#authenticator' };
  }
  const relatesTo = relatesToOf(options.relatesTo ?? []);
  if (relatesTo.length > 0) dr.relatesTo = relatesTo;
  if (entry.comments !== undefined) dr.description = entry.comments;
  if (entry.confidentialityCodes.length > 0) dr.securityLabel = entry.confidentialityCodes.map(codedToConcept);

  const attachment: Attachment = { contentType: entry.mimeType };
  if (entry.languageCode) attachment.language = entry.languageCode;
  attachment.url = options.binaryUrl ? options.binaryUrl(entry) : `Binary/${id}`;
  if (entry.size !== undefined) attachment.size = entry.size;
  if (entry.hash) attachment.hash = hexToBase64(entry.hash);
  if (entry.title !== undefined) attachment.title = entry.title;
  if (entry.creationTime) attachment.creation = dtmToFhirDateTime(entry.creationTime);
  dr.content = [{ attachment, ...(entry.formatCode ? { format: codedToConcept(entry.formatCode).coding?.[0] } : {}) }];

  const context: NonNullable<DocumentReference['context']> = {};
  const encounters = entry.referenceIds.filter((r) => ENCOUNTER_ID_TYPES.has(readCx(r).type ?? ''));
  if (encounters.length > 0) context.encounter = encounters.map((r) => ({ identifier: referenceIdToIdentifier(r) }));
  if (entry.eventCodes.length > 0) context.event = entry.eventCodes.map(codedToConcept);
  if (entry.serviceStartTime || entry.serviceStopTime) {
    context.period = {
      ...(entry.serviceStartTime ? { start: dtmToFhirDateTime(entry.serviceStartTime) } : {}),
      ...(entry.serviceStopTime ? { end: dtmToFhirDateTime(entry.serviceStopTime) } : {}),
    };
  }
  if (entry.healthcareFacilityTypeCode) context.facilityType = codedToConcept(entry.healthcareFacilityTypeCode);
  if (entry.practiceSettingCode) context.practiceSetting = codedToConcept(entry.practiceSettingCode);
  if (entry.sourcePatientId || (entry.sourcePatientInfo && entry.sourcePatientInfo.length > 0)) {
    contained.push(sourcePatientToPatient(entry.sourcePatientId, entry.sourcePatientInfo, 'sourcePatient'));
    // MHD 4.2: sourcePatientId is the reference's identifier, sourcePatientInfo the Patient it
    // designates (which names the same identifier first).
    context.sourcePatientInfo = { reference: '#sourcePatient', ...(entry.sourcePatientId ? { identifier: referenceIdToIdentifier(entry.sourcePatientId) } : {}) };
  }
  const related = entry.referenceIds.filter((r) => !encounters.includes(r));
  if (related.length > 0) context.related = related.map((r) => ({ identifier: referenceIdToIdentifier(r) }));
  if (Object.keys(context).length > 0) dr.context = context;

  if (contained.length > 0) {
    // contained comes right after text in the definitions; rebuild to keep a tidy order.
    const { resourceType, id: drId, meta, ...rest } = dr;
    return { resourceType, id: drId, meta, contained, ...rest };
  }
  return dr;
}
