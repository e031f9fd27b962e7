// DocumentReference -> DocumentEntry metadata, for ITI-65 and updates. Reading is where a client's
// resource is judged (profile, codes, dates, identifiers kept as HL7 v2 CX), every problem
// collected and located, so it stands apart from the answering direction. The mapping rules:
// document-reference.ts.
import type { CodeableConcept, DocumentReference, Identifier } from '@medplum/fhirtypes';
import { CarnetError } from '../../domain/errors.js';
import type { Author, Coded, DocumentEntryMetadata, PatientIdentifier } from '../../domain/model.js';
import { codingToCoded, fhirDateTimeToDtm } from '../codes.js';
import { profileProblems, type ProfileCheck } from '../validation/validate.js';
import { PROFILE } from '../validation/profiles.js';
import { authorFromReference, findContained, practitionerToXcn } from './authors.js';
import { ENCOUNTER_ID_TYPE, fitsCx, identifierToReferenceId, patientToSourcePatient } from './context-identifiers.js';
import { lookup } from '../../domain/lookup.js';
import { EXT_IS_ARCHIVED, LOGICAL_ID_TYPE, RELATES_TO_TO_ASSOCIATION, identifierToUniqueId, statusFromFhir } from './document-reference.js';

function base64ToHex(b64: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return undefined;
  const bytes = Buffer.from(b64, 'base64');
  return bytes.length === 20 ? bytes.toString('hex') : undefined;
}

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
