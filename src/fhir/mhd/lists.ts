// SubmissionSet and Folder <-> List (MHD 4.2: List.code from MHDlistTypes, the IHE extensions
// sourceId, intendedRecipient, designationType, authorOrg on List.source).
import type { CodeableConcept, Extension, Identifier, List, Organization, Patient, Practitioner, PractitionerRole, Reference, Resource } from '@medplum/fhirtypes';
import { CarnetError } from '../../domain/errors.js';
import type { Author, Coded, FolderMetadata, PatientIdentifier, StoredFolder, StoredSubmissionSet, SubmissionSetMetadata } from '../../domain/model.js';
import { codedToConcept, codingToCoded, dtmToFhirDateTime, dtmToInstant, fhirDateTimeToDtm, isDtm, isOid, toInstant } from '../codes.js';
import {
  authorFromReference,
  authorToContained,
  findContained,
  institutionToOrganization,
  organizationToInstitution,
  personToPractitioner,
  practitionerToPerson,
} from './authors.js';
import { formatXcn, formatXon, formatXtn, parseXcn, parseXon } from '../../domain/hl7v2.js';
import { profileProblems, type ProfileCheck } from '../validation/validate.js';
import { PROFILE } from '../validation/profiles.js';
import {
  EXT_IS_ARCHIVED,
  identifierToUniqueId,
  patientIdentifierReference,
  statusFromFhir,
  stripUrnUuid,
  toUrnUuid,
  uniqueIdToIdentifier,
  URI_SYSTEM,
} from './document-reference.js';

export const MHD_LIST_TYPES = 'https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes';
const MHD_SD = 'https://profiles.ihe.net/ITI/MHD/StructureDefinition';
export const EXT_SOURCE_ID = `${MHD_SD}/ihe-sourceId`;
export const EXT_INTENDED_RECIPIENT = `${MHD_SD}/ihe-intendedRecipient`;
export const EXT_DESIGNATION_TYPE = `${MHD_SD}/ihe-designationType`;
export const EXT_AUTHOR_ORG = `${MHD_SD}/ihe-authorOrg`;
export const PROFILE_MINIMAL_SUBMISSION_SET = `${MHD_SD}/IHE.MHD.Minimal.SubmissionSet`;
export const PROFILE_COMPREHENSIVE_SUBMISSION_SET = `${MHD_SD}/IHE.MHD.Comprehensive.SubmissionSet`;
export const PROFILE_MINIMAL_FOLDER = `${MHD_SD}/IHE.MHD.Minimal.Folder`;
export const PROFILE_COMPREHENSIVE_FOLDER = `${MHD_SD}/IHE.MHD.Comprehensive.Folder`;

/** The extension URLs also accepted on input under their MHD 4.0 `http://` spelling. */
function extUrlMatches(url: string, expected: string): boolean {
  return url === expected || url === expected.replace('https://', 'http://');
}

function extensionsOf(list: { extension?: Extension[] }, url: string): Extension[] {
  return (list.extension ?? []).filter((e) => extUrlMatches(e.url, url));
}

/** What kind of List this is (code from MHDlistTypes; a missing system is tolerated). */
export function listType(list: List): 'submissionset' | 'folder' | undefined {
  for (const coding of list.code?.coding ?? []) {
    if (coding.system && coding.system !== MHD_LIST_TYPES && coding.system !== MHD_LIST_TYPES.replace('https://', 'http://')) continue;
    if (coding.code === 'submissionset' || coding.code === 'folder') return coding.code;
  }
  return undefined;
}

function listCode(code: 'submissionset' | 'folder'): CodeableConcept {
  return { coding: [{ system: MHD_LIST_TYPES, code }] };
}

function identifiersFor(entryUuid: string, uniqueId: string): Identifier[] {
  return [{ use: 'official', system: URI_SYSTEM, value: toUrnUuid(entryUuid) }, uniqueIdToIdentifier(uniqueId, 'usual')];
}

/** lastUpdateTime may be an XDS DTM or an ISO timestamp. */
function anyInstant(value: string): string {
  return isDtm(value) ? dtmToInstant(value) : toInstant(value);
}

function sourceIdValue(sourceId: string): string {
  return isOid(sourceId) ? `urn:oid:${sourceId}` : sourceId;
}

/** XDS intendedRecipient `XON|XCN|XTN` as contained resources. */
function recipientToContained(value: string, id: string): { reference: Reference; contained: Resource[] } {
  const [xon = '', xcn = '', xtn = ''] = value.split('|');
  const contained: Resource[] = [];
  const org = xon ? institutionToOrganization(parseXon(xon), `${id}-org`) : undefined;
  const person = xcn ? personToPractitioner(parseXcn(xcn), `${id}-person`) : undefined;
  if (person && xtn) person.telecom = [{ system: 'email', value: xtn.split('^')[3] ?? xtn }];
  if (org && person) {
    const role: PractitionerRole = { resourceType: 'PractitionerRole', id, practitioner: { reference: `#${id}-person` }, organization: { reference: `#${id}-org` } };
    contained.push(role, person, org);
  } else if (org) {
    org.id = id;
    contained.push(org);
  } else if (person) {
    person.id = id;
    contained.push(person);
  } else {
    const p: Practitioner = { resourceType: 'Practitioner', id, telecom: [{ system: 'email', value: xtn.split('^')[3] ?? xtn }] };
    contained.push(p);
  }
  return { reference: { reference: `#${id}` }, contained };
}

function recipientFromContained(target: Resource, contained: Resource[] | undefined): string | undefined {
  const xon = (o: Organization): string => formatXon(organizationToInstitution(o));
  const xcn = (p: Practitioner): string => formatXcn(practitionerToPerson(p));
  const email = (p: { telecom?: { system?: string; value?: string }[] }): string => {
    const t = p.telecom?.find((c) => c.system === 'email')?.value;
    return t ? formatXtn({ system: 'email', value: t }) : '';
  };
  switch (target.resourceType) {
    case 'Organization':
      return xon(target);
    case 'Practitioner': {
      const hasPerson = Boolean(target.identifier?.length || target.name?.length);
      return `|${hasPerson ? xcn(target) : ''}${email(target) ? `|${email(target)}` : ''}`;
    }
    case 'PractitionerRole': {
      const person = findContained(contained, target.practitioner?.reference);
      const org = findContained(contained, target.organization?.reference);
      const p = person?.resourceType === 'Practitioner' ? person : undefined;
      const mail = p ? email(p) : '';
      return `${org?.resourceType === 'Organization' ? xon(org) : ''}|${p ? xcn(p) : ''}${mail ? `|${mail}` : ''}`;
    }
    default:
      return undefined;
  }
}

// ----------------------------------------------------------------- neutral -> FHIR

export interface ToListOptions {
  patientReference?: (patientId: PatientIdentifier) => Reference<Patient>;
  /** FHIR references of the members (DocumentReference/…, List/…) */
  members?: Reference[];
}

export function submissionSetToList(ss: StoredSubmissionSet, options: ToListOptions = {}): List {
  const contained: Resource[] = [];
  const extension: Extension[] = [];
  if (ss.contentTypeCode) extension.push({ url: EXT_DESIGNATION_TYPE, valueCodeableConcept: codedToConcept(ss.contentTypeCode) });
  extension.push({ url: EXT_SOURCE_ID, valueIdentifier: { value: sourceIdValue(ss.sourceId) } });
  ss.intendedRecipients.forEach((r, i) => {
    const { reference, contained: res } = recipientToContained(r, `recipient${i + 1}`);
    contained.push(...res);
    extension.push({ url: EXT_INTENDED_RECIPIENT, valueReference: reference });
  });
  if (ss.availabilityStatus === 'Archived') extension.push({ url: EXT_IS_ARCHIVED, valueBoolean: true });

  const list: List = {
    resourceType: 'List',
    id: stripUrnUuid(ss.entryUuid),
    // a submission set never changes once stored: its one version
    meta: { versionId: '1', profile: [ss.limitedMetadata ? PROFILE_MINIMAL_SUBMISSION_SET : PROFILE_COMPREHENSIVE_SUBMISSION_SET], lastUpdated: toInstant(ss.storedAt) },
    extension,
    identifier: identifiersFor(ss.entryUuid, ss.uniqueId),
    status: 'current',
    mode: 'working',
    code: listCode('submissionset'),
    subject: (options.patientReference ?? patientIdentifierReference)(ss.patientId),
  };
  if (ss.title !== undefined) list.title = ss.title;
  if (ss.submissionTime) list.date = dtmToFhirDateTime(ss.submissionTime);
  const author = ss.authors[0];
  if (author) {
    // List.source holds one author: its person (or role); the organisations go to authorOrg.
    const { person, institutions, ...rest } = author;
    const { reference, contained: res } = authorToContained({ ...rest, person, institutions: person ? [] : institutions }, 'author1');
    contained.push(...res);
    const source = { ...reference } as NonNullable<List['source']>;
    if (person && institutions.length > 0) {
      source.extension = institutions.map((inst, i) => {
        contained.push(institutionToOrganization(inst, `authorOrg${i + 1}`));
        return { url: EXT_AUTHOR_ORG, valueReference: { reference: `#authorOrg${i + 1}` } };
      });
    }
    list.source = source;
  }
  if (ss.comments !== undefined) list.note = [{ text: ss.comments }];
  if (options.members && options.members.length > 0) list.entry = options.members.map((item) => ({ item }));
  if (contained.length > 0) list.contained = contained;
  return reorderList(list);
}

export function folderToList(folder: StoredFolder, options: ToListOptions = {}): List {
  const extension: Extension[] = folder.codeList.map((c) => ({ url: EXT_DESIGNATION_TYPE, valueCodeableConcept: codedToConcept(c) }));
  if (folder.availabilityStatus === 'Archived') extension.push({ url: EXT_IS_ARCHIVED, valueBoolean: true });
  const list: List = {
    resourceType: 'List',
    id: stripUrnUuid(folder.entryUuid),
    meta: { versionId: String(folder.version), profile: [folder.limitedMetadata ? PROFILE_MINIMAL_FOLDER : PROFILE_COMPREHENSIVE_FOLDER], lastUpdated: anyInstant(folder.lastUpdateTime) },
    identifier: identifiersFor(folder.entryUuid, folder.uniqueId),
    status: folder.availabilityStatus === 'Deprecated' || folder.availabilityStatus === 'Deleted' ? 'retired' : 'current',
    mode: 'working',
    code: listCode('folder'),
    subject: (options.patientReference ?? patientIdentifierReference)(folder.patientId),
    date: isDtm(folder.lastUpdateTime) ? dtmToFhirDateTime(folder.lastUpdateTime) : anyInstant(folder.lastUpdateTime),
  };
  if (extension.length > 0) list.extension = extension;
  if (folder.title !== undefined) list.title = folder.title;
  if (folder.comments !== undefined) list.note = [{ text: folder.comments }];
  if (options.members && options.members.length > 0) list.entry = options.members.map((item) => ({ item }));
  return reorderList(list);
}

/** Put the properties in definition order (contained before extension, and so on). */
function reorderList(list: List): List {
  const order = ['resourceType', 'id', 'meta', 'text', 'contained', 'extension', 'identifier', 'status', 'mode', 'title', 'code', 'subject', 'encounter', 'date', 'source', 'orderedBy', 'note', 'entry', 'emptyReason'];
  const out: Record<string, unknown> = {};
  for (const key of order) if ((list as unknown as Record<string, unknown>)[key] !== undefined) out[key] = (list as unknown as Record<string, unknown>)[key];
  return out as unknown as List;
}

// ----------------------------------------------------------------- FHIR -> neutral

export interface FromListOptions {
  /** FHIRPath of the List (default `List`) */
  path?: string;
  comprehensive?: boolean;
  patientId?: PatientIdentifier;
  /** check the profile's required bindings too (default false) */
  terminology?: boolean;
  /** how the profile is checked (default: here, now) */
  check?: ProfileCheck;
}

function p(message: string, location: string): CarnetError {
  return new CarnetError('invalid_metadata', message, { location });
}

function readIdentifiers(list: List, path: string, problems: CarnetError[]): { uniqueId?: string; entryUuid?: string } {
  const out: { uniqueId?: string; entryUuid?: string } = {};
  (list.identifier ?? []).forEach((identifier) => {
    if (!identifier.value) return;
    if (identifier.use === 'usual' && out.uniqueId === undefined) out.uniqueId = identifierToUniqueId(identifier.value);
    else if (identifier.use === 'official' && identifier.value.startsWith('urn:uuid:')) out.entryUuid = identifier.value;
  });
  return out;
}

function readDesignation(ext: Extension, location: string, problems: CarnetError[]): Coded | undefined {
  for (const coding of ext.valueCodeableConcept?.coding ?? []) {
    const c = codingToCoded(coding);
    if (c) return c;
  }
  problems.push(p('designationType needs a coding with system and code', location));
  return undefined;
}

export function fromSubmissionSetList(list: List, options: FromListOptions = {}): { metadata: SubmissionSetMetadata; problems: CarnetError[] } {
  const path = options.path ?? 'List';
  const comprehensive = options.comprehensive ?? true;
  // Identifiers, sourceId, status, date and (comprehensive) designationType: the profile says.
  const profile = comprehensive ? PROFILE.submissionSet : PROFILE.submissionSetMinimal;
  const problems: CarnetError[] = (options.check ?? profileProblems)(list, profile, { path, terminology: options.terminology ?? false });
  const { uniqueId, entryUuid } = readIdentifiers(list, path, problems);

  const sourceIds = extensionsOf(list, EXT_SOURCE_ID);
  const sourceId = sourceIds[0]?.valueIdentifier?.value;
  if (sourceIds.length === 1 && !sourceId) problems.push(p('the ihe-sourceId extension needs a value', `${path}.extension('${EXT_SOURCE_ID}')`));

  let submissionTime: string | undefined;
  if (list.date) {
    submissionTime = fhirDateTimeToDtm(list.date);
    if (!submissionTime) problems.push(p(`Not a FHIR dateTime: ${list.date}`, `${path}.date`));
  }

  const metadata: SubmissionSetMetadata = {
    uniqueId: uniqueId ?? '',
    sourceId: sourceId ? identifierToUniqueId(sourceId) : '',
    patientId: options.patientId ?? { value: '', system: '' },
    authors: [],
    intendedRecipients: [],
    limitedMetadata: !comprehensive,
  };
  if (entryUuid) metadata.entryUuid = entryUuid;
  if (submissionTime) metadata.submissionTime = submissionTime;
  const designation = extensionsOf(list, EXT_DESIGNATION_TYPE);
  if (designation[0]) {
    const c = readDesignation(designation[0], `${path}.extension('${EXT_DESIGNATION_TYPE}')`, problems);
    if (c) metadata.contentTypeCode = c;
  }
  extensionsOf(list, EXT_INTENDED_RECIPIENT).forEach((ext, i) => {
    const location = `${path}.extension('${EXT_INTENDED_RECIPIENT}')[${i}]`;
    const target = findContained(list.contained, ext.valueReference?.reference);
    const value = target ? recipientFromContained(target, list.contained) : undefined;
    if (value === undefined) problems.push(p('intendedRecipient must designate a contained Organization, Practitioner or PractitionerRole', location));
    else metadata.intendedRecipients.push(value);
  });
  if (list.title !== undefined) metadata.title = list.title;
  if (list.note?.[0]?.text !== undefined) metadata.comments = list.note[0].text;
  if (extensionsOf(list, EXT_IS_ARCHIVED).some((e) => e.valueBoolean === true)) metadata.availabilityStatus = 'Archived';
  if (list.source) {
    const { author, problem } = authorFromReference(list.source, list.contained, `${path}.source`);
    if (problem) problems.push(problem);
    if (author) {
      (list.source.extension ?? [])
        .filter((e) => extUrlMatches(e.url, EXT_AUTHOR_ORG))
        .forEach((e, i) => {
          const org = findContained(list.contained, e.valueReference?.reference);
          if (org?.resourceType === 'Organization') author.institutions.push(organizationToInstitution(org));
          else problems.push(p('authorOrg must designate a contained Organization', `${path}.source.extension('${EXT_AUTHOR_ORG}')[${i}]`));
        });
      metadata.authors.push(author as Author);
    }
  }
  return { metadata, problems };
}

export function fromFolderList(list: List, options: FromListOptions = {}): { metadata: FolderMetadata; problems: CarnetError[] } {
  const path = options.path ?? 'List';
  const comprehensive = options.comprehensive ?? true;
  const profile = comprehensive ? PROFILE.folder : PROFILE.folderMinimal;
  const problems: CarnetError[] = (options.check ?? profileProblems)(list, profile, { path, terminology: options.terminology ?? false });
  const { uniqueId, entryUuid } = readIdentifiers(list, path, problems);
  const metadata: FolderMetadata = {
    uniqueId: uniqueId ?? '',
    patientId: options.patientId ?? { value: '', system: '' },
    codeList: [],
    limitedMetadata: !comprehensive,
  };
  if (entryUuid) metadata.entryUuid = entryUuid;
  extensionsOf(list, EXT_DESIGNATION_TYPE).forEach((ext, i) => {
    const c = readDesignation(ext, `${path}.extension('${EXT_DESIGNATION_TYPE}')[${i}]`, problems);
    if (c) metadata.codeList.push(c);
  });
  if (list.title !== undefined) metadata.title = list.title;
  if (list.note?.[0]?.text !== undefined) metadata.comments = list.note[0].text;
  const status = statusFromFhir(list.status === 'retired' ? 'superseded' : list.status, extensionsOf(list, EXT_IS_ARCHIVED).some((e) => e.valueBoolean === true));
  if (status) metadata.availabilityStatus = status;
  return { metadata, problems };
}
