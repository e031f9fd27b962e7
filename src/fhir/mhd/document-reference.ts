// DocumentEntry <-> DocumentReference, the MHD 4.2 comprehensive mapping (IHE-FACTS §6; the "XDS and
// MHD Mapping" of the MHD DocumentReference profiles) with the DMP's additions (PDSm isArchived
// extension, logicalId identifier, TRE_A07 security labels). Deviations: docs/MHD.md.
import type {
  Attachment,
  CodeableConcept,
  DocumentReference,
  DocumentReferenceRelatesTo,
  Identifier,
  Patient,
  Reference,
  Resource,
} from '@medplum/fhirtypes';
import { CarnetError } from '../../domain/errors.js';
import { documentVersion } from '../../domain/resource-versions.js';
import type {
  AssociationType,
  Author,
  AvailabilityStatus,
  Coded,
  DocumentEntryMetadata,
  PatientIdentifier,
  StoredDocumentEntry,
} from '../../domain/model.js';
import {
  codedToConcept,
  codingToCoded,
  dtmToFhirDateTime,
  fhirDateTimeToDtm,
  isOid,
  oidToIdentifierSystem,
  toInstant,
} from '../codes.js';
import { profileProblems, type ProfileCheck } from '../validation/validate.js';
import { PROFILE } from '../validation/profiles.js';
import { authorFromReference, authorToContained, findContained, practitionerToXcn, xcnToPractitioner } from './authors.js';
import { readCx } from '../../domain/hl7v2.js';
import { ENCOUNTER_ID_TYPE, ENCOUNTER_ID_TYPES, fitsCx, identifierToReferenceId, patientToSourcePatient, referenceIdToIdentifier, sourcePatientToPatient } from './context-identifiers.js';
import { lookup } from '../../domain/lookup.js';

export const PROFILE_MINIMAL_DOCUMENT_REFERENCE = 'https://profiles.ihe.net/ITI/MHD/StructureDefinition/IHE.MHD.Minimal.DocumentReference';
export const PROFILE_COMPREHENSIVE_DOCUMENT_REFERENCE =
  'https://profiles.ihe.net/ITI/MHD/StructureDefinition/IHE.MHD.Comprehensive.DocumentReference';
export const PROFILE_PDSM_DOCUMENT_REFERENCE =
  'https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-comprehensive-document-reference';
export const EXT_IS_ARCHIVED = 'https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-ext-is-archived';
export const URI_SYSTEM = 'urn:ietf:rfc:3986';
/** Identifier.type.text marking the DMP logicalId among DocumentReference.identifier. */
export const LOGICAL_ID_TYPE = 'logicalId';

// ------------------------------------------------------------------------------- helpers

export function stripUrnUuid(id: string): string {
  return id.startsWith('urn:uuid:') ? id.slice('urn:uuid:'.length) : id;
}

export function toUrnUuid(id: string): string {
  return id.startsWith('urn:') ? id : `urn:uuid:${id}`;
}

/** XDS uniqueId (OID, OID^ext, or other) as an RFC 3986 identifier: `urn:oid:` for bare OIDs. */
export function uniqueIdToIdentifier(uniqueId: string, use?: Identifier['use']): Identifier {
  const out: Identifier = {};
  if (use) out.use = use;
  if (isOid(uniqueId)) {
    out.system = URI_SYSTEM;
    out.value = `urn:oid:${uniqueId}`;
  } else if (uniqueId.startsWith('urn:')) {
    out.system = URI_SYSTEM;
    out.value = uniqueId;
  } else {
    out.value = uniqueId;
  }
  return out;
}

export function identifierToUniqueId(value: string): string {
  return value.startsWith('urn:oid:') ? value.slice('urn:oid:'.length) : value;
}

export function statusToFhir(status: AvailabilityStatus): DocumentReference['status'] {
  switch (status) {
    case 'Deprecated':
      return 'superseded';
    case 'Deleted':
      return 'entered-in-error';
    default:
      return 'current';
  }
}

export function statusFromFhir(status: string | undefined, archived: boolean): AvailabilityStatus | undefined {
  switch (status) {
    case 'current':
      return archived ? 'Archived' : 'Approved';
    case 'superseded':
      return 'Deprecated';
    case 'entered-in-error':
      return 'Deleted';
    default:
      return undefined;
  }
}

export const ASSOCIATION_TO_RELATES_TO: Partial<Record<AssociationType, DocumentReferenceRelatesTo['code']>> = {
  RPLC: 'replaces',
  XFRM: 'transforms',
  APND: 'appends',
  XFRM_RPLC: 'replaces',
  signs: 'signs',
};

export const RELATES_TO_TO_ASSOCIATION: Record<string, AssociationType> = {
  replaces: 'RPLC',
  transforms: 'XFRM',
  appends: 'APND',
  signs: 'signs',
};

function hexToBase64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

function base64ToHex(b64: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return undefined;
  const bytes = Buffer.from(b64, 'base64');
  return bytes.length === 20 ? bytes.toString('hex') : undefined;
}

/** Default patient reference: a logical reference by identifier (INS as urn:oid:). */
export function patientIdentifierReference(pid: PatientIdentifier): Reference<Patient> {
  return { identifier: { system: oidToIdentifierSystem(pid.system), value: pid.value } };
}

// ----------------------------------------------------------------- neutral -> FHIR

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

// ----------------------------------------------------------------- FHIR -> neutral

export interface FromDocumentReferenceOptions {
  /** FHIRPath of the resource, for problem locations (default `DocumentReference`) */
  path?: string;
  /** enforce the comprehensive-metadata requirements (default true) */
  comprehensive?: boolean;
  /** the patient the subject designates, resolved by the caller */
  patientId?: PatientIdentifier;
  /** check the required bindings of the profile too (default false: IHE test data uses other codes) */
  terminology?: boolean;
  /** how the profile is checked (default: here, now) */
  check?: ProfileCheck;
}

export interface DocumentReferenceReading {
  metadata: DocumentEntryMetadata;
  problems: CarnetError[];
  /** relatesTo entries, for the caller to turn into associations */
  relatesTo: { code: string; target: string; path: string }[];
}

function problem(message: string, location: string, code: 'invalid_metadata' | 'missing_document' = 'invalid_metadata'): CarnetError {
  return new CarnetError(code, message, { location });
}

function readCoded(concept: CodeableConcept | undefined, path: string, problems: CarnetError[]): Coded | undefined {
  if (!concept) return undefined;
  const codings = concept.coding ?? [];
  for (const coding of codings) {
    const c = codingToCoded(coding);
    if (c) return c;
  }
  problems.push(problem('A coded value needs a coding with system and code', `${path}.coding`));
  return undefined;
}

function readDate(value: string | undefined, path: string, problems: CarnetError[]): string | undefined {
  if (value === undefined) return undefined;
  const dtm = fhirDateTimeToDtm(value);
  if (!dtm) problems.push(problem(`Not a FHIR date or dateTime: ${value}`, path));
  return dtm;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** A real day and time of day (JavaScript would roll 30 February over to March; SQL refuses it). */
function isCalendarTime(value: string): boolean {
  const [y, m, d, hh, mm, ss] = value.split(/[-T:.Z+]/).map(Number);
  return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate() && hh <= 23 && mm <= 59 && ss <= 59;
}

function readInstant(value: string | undefined, path: string, problems: CarnetError[]): string | undefined {
  if (value === undefined) return undefined;
  if (INSTANT.test(value) && isCalendarTime(value)) return value;
  // The profile check may have said so already; a value the store could not read as a time
  // (a 13th month passes the R4 pattern) is refused here all the same.
  if (!problems.some((p) => p.location === path)) problems.push(problem(`Not a FHIR instant (date, time to the second and zone): ${value}`, path));
  return undefined;
}

/**
 * Read a DocumentReference into DocumentEntry metadata, collecting every problem. Fields the
 * FHIR form does not carry (repositoryUniqueId, homeCommunityId, extra slots, ...) are absent.
 */
export function fromDocumentReference(dr: DocumentReference, options: FromDocumentReferenceOptions = {}): DocumentReferenceReading {
  const path = options.path ?? 'DocumentReference';
  const comprehensive = options.comprehensive ?? true;
  // What must be there, how often and with which codes is the published profile's to say.
  const profile = comprehensive ? PROFILE.documentReference : PROFILE.documentReferenceMinimal;
  const problems: CarnetError[] = (options.check ?? profileProblems)(dr, profile, { path, terminology: options.terminology ?? false });
  const contained = dr.contained;

  const uniqueId = dr.masterIdentifier?.value;

  const archived = (dr.extension ?? []).some((e) => e.url === EXT_IS_ARCHIVED && e.valueBoolean === true);
  const availabilityStatus = statusFromFhir(dr.status, archived);
  if (!availabilityStatus) problems.push(problem(`status must be current, superseded or entered-in-error`, `${path}.status`));

  const content = (dr.content ?? [])[0];
  const attachment = content?.attachment;
  const cpath = `${path}.content[0]`;
  const mimeType = attachment?.contentType;

  const metadata: DocumentEntryMetadata = {
    uniqueId: uniqueId ? identifierToUniqueId(uniqueId) : '',
    patientId: options.patientId ?? { value: '', system: '' },
    mimeType: mimeType ?? '',
    confidentialityCodes: [],
    eventCodes: [],
    authors: [],
    referenceIds: [],
  };
  if (availabilityStatus) metadata.availabilityStatus = availabilityStatus;
  metadata.limitedMetadata = !comprehensive;

  for (const identifier of dr.identifier ?? []) {
    if (!identifier.value) continue;
    if (identifier.type?.text === LOGICAL_ID_TYPE) metadata.logicalId = identifier.value;
    else if (identifier.use === 'official' && identifier.value.startsWith('urn:uuid:')) metadata.entryUuid = identifier.value;
  }

  const typeCode = readCoded(dr.type, `${path}.type`, problems);
  if (typeCode) metadata.typeCode = typeCode;
  const classCode = dr.category?.[0] ? readCoded(dr.category[0], `${path}.category[0]`, problems) : undefined;
  if (classCode) metadata.classCode = classCode;
  (dr.securityLabel ?? []).forEach((label, i) => {
    const c = readCoded(label, `${path}.securityLabel[${i}]`, problems);
    if (c) metadata.confidentialityCodes.push(c);
  });
  if (dr.description !== undefined) metadata.comments = dr.description;
  const date = readInstant(dr.date, `${path}.date`, problems);
  if (date) metadata.referenceDate = date;

  (dr.author ?? []).forEach((ref, i) => {
    const { author, problem: p } = authorFromReference(ref, contained, `${path}.author[${i}]`);
    if (p) problems.push(p);
    if (author) metadata.authors.push(author as Author);
  });
  if (dr.authenticator) {
    const target = findContained(contained, dr.authenticator.reference);
    if (target?.resourceType === 'Practitioner') metadata.legalAuthenticator = practitionerToXcn(target);
    else if (target?.resourceType === 'PractitionerRole') {
      const person = findContained(contained, target.practitioner?.reference);
      if (person?.resourceType === 'Practitioner') metadata.legalAuthenticator = practitionerToXcn(person);
    } else problems.push(problem('authenticator must designate a contained Practitioner or PractitionerRole', `${path}.authenticator`));
  }

  if (attachment) {
    if (attachment.language) metadata.languageCode = attachment.language;
    if (attachment.size !== undefined) metadata.size = attachment.size;
    if (attachment.hash) {
      const hex = base64ToHex(attachment.hash);
      if (hex) metadata.hash = hex;
      else problems.push(problem('attachment.hash must be the base64 SHA-1 of the content', `${cpath}.attachment.hash`));
    }
    if (attachment.title !== undefined) metadata.title = attachment.title;
    const creation = readDate(attachment.creation, `${cpath}.attachment.creation`, problems);
    if (creation) metadata.creationTime = creation;
  }
  if (content?.format) {
    const format = codingToCoded(content.format);
    if (format) metadata.formatCode = format;
    else problems.push(problem('content.format needs system and code', `${cpath}.format`));
  }

  const ctx = dr.context;
  const xpath = `${path}.context`;
  (ctx?.event ?? []).forEach((event, i) => {
    const c = readCoded(event, `${xpath}.event[${i}]`, problems);
    if (c) metadata.eventCodes.push(c);
  });
  const start = readDate(ctx?.period?.start, `${xpath}.period.start`, problems);
  if (start) metadata.serviceStartTime = start;
  const stop = readDate(ctx?.period?.end, `${xpath}.period.end`, problems);
  if (stop) metadata.serviceStopTime = stop;
  const facility = readCoded(ctx?.facilityType, `${xpath}.facilityType`, problems);
  if (facility) metadata.healthcareFacilityTypeCode = facility;
  const setting = readCoded(ctx?.practiceSetting, `${xpath}.practiceSetting`, problems);
  if (setting) metadata.practiceSettingCode = setting;
  const cxProblem = (id: Identifier | undefined, at: string): boolean => {
    if (fitsCx(id)) return false;
    problems.push(problem('An identifier kept as an HL7 v2 CX may not hold ^ & ~ \\ or | in its value, system or type', at));
    return true;
  };
  if (ctx?.sourcePatientInfo) {
    const spi = ctx.sourcePatientInfo;
    const target = spi.reference !== undefined || !spi.identifier ? findContained(contained, spi.reference) : undefined;
    if ((spi.reference !== undefined || !spi.identifier) && target?.resourceType !== 'Patient') {
      problems.push(problem('context.sourcePatientInfo must designate a contained Patient', `${xpath}.sourcePatientInfo.reference`));
    } else if (target?.resourceType === 'Patient' && !(target.identifier ?? []).some((id, i) => cxProblem(id, `${path}.contained[${(contained ?? []).indexOf(target)}].identifier[${i}]`))) {
      const sp = patientToSourcePatient(target);
      if (sp.sourcePatientId) metadata.sourcePatientId = sp.sourcePatientId;
      if (sp.sourcePatientInfo) metadata.sourcePatientInfo = sp.sourcePatientInfo;
    }
    // MHD 4.2: the reference's identifier is sourcePatientId, before the Patient's first one.
    const given = cxProblem(spi.identifier, `${xpath}.sourcePatientInfo.identifier`) ? undefined : identifierToReferenceId(spi.identifier);
    if (given) metadata.sourcePatientId = given;
  }
  (ctx?.encounter ?? []).forEach((encounter, i) => {
    if (cxProblem(encounter.identifier, `${xpath}.encounter[${i}].identifier`)) return;
    const id = identifierToReferenceId(encounter.identifier, ENCOUNTER_ID_TYPE);
    if (id) metadata.referenceIds.push(id);
    // A literal reference alone has no DocumentEntry attribute to be kept in: refused, not lost.
    else problems.push(problem('context.encounter is kept by its identifier (DocumentEntry.referenceIdList, CXi type encounterId): give identifier.value', `${xpath}.encounter[${i}]`));
  });
  (ctx?.related ?? []).forEach((related, i) => {
    if (cxProblem(related.identifier, `${xpath}.related[${i}].identifier`)) return;
    const id = identifierToReferenceId(related.identifier);
    if (id) metadata.referenceIds.push(id);
  });

  const relatesTo: DocumentReferenceReading['relatesTo'] = [];
  (dr.relatesTo ?? []).forEach((r, i) => {
    const rpath = `${path}.relatesTo[${i}]`;
    if (!lookup(RELATES_TO_TO_ASSOCIATION, r.code)) problems.push(problem(`relatesTo.code ${r.code} is not supported`, `${rpath}.code`));
    else if (!r.target?.reference) problems.push(problem('relatesTo.target.reference is required', `${rpath}.target`));
    else relatesTo.push({ code: r.code, target: r.target.reference, path: rpath });
  });

  return { metadata, problems, relatesTo };
}
