// ebRIM 3.0 -> neutral metadata. Reads a RegistryObjectList (from a SubmitObjectsRequest or an
// AdhocQueryResponse) into DocumentEntry / SubmissionSet / Folder / Association objects.
// Structural problems are collected, each located by object id, instead of stopping at the first;
// business rules (required codes, patient consistency...) belong to the domain.
import { CarnetError } from '../../domain/errors.js';
import type {
  Author,
  AvailabilityStatus,
  Coded,
  DocumentEntryMetadata,
  ExtraSlot,
  FolderMetadata,
  PatientIdentifier,
  SubmissionSetMetadata,
} from '../../domain/model.js';
import type { SubmissionRequest, SubmittedAssociation, SubmittedDocument, SubmittedFolder } from '../../domain/submission.js';
import { NS, attr, childElements, firstChild, textOf } from '../../xml/index.js';
import type { Element } from '../../xml/index.js';
import { extractDocuments } from '../documents.js';
import {
  ASSOCIATION_DOCUMENTATION_SCHEME,
  ASSOCIATION_DOCUMENTATION_SLOT,
  DE_SCHEME,
  FD_SCHEME,
  NODE,
  OBJECT_TYPE,
  SS_SCHEME,
  associationTypeFromUrn,
  statusFromUrn,
} from './constants.js';
import { parseCx, parseXcn, parseXon } from '../../domain/hl7v2.js';

export interface ReadDocumentEntry {
  id: string;
  metadata: DocumentEntryMetadata;
}
export interface ReadSubmissionSet {
  id: string;
  metadata: SubmissionSetMetadata;
}
export interface ReadFolder {
  id: string;
  metadata: FolderMetadata;
}

/** Everything found in one RegistryObjectList. */
export interface RegistryObjects {
  documentEntries: ReadDocumentEntry[];
  submissionSets: ReadSubmissionSet[];
  folders: ReadFolder[];
  associations: SubmittedAssociation[];
  objectRefs: string[];
  problems: CarnetError[];
}

export interface ReadSubmitResult {
  /** null when the request holds no (or several) SubmissionSet; see problems */
  submission: SubmissionRequest | null;
  objectRefs: string[];
  problems: CarnetError[];
}

const DOCUMENT_SLOTS = new Set([
  'creationTime',
  'languageCode',
  'sourcePatientId',
  'sourcePatientInfo',
  'hash',
  'size',
  'repositoryUniqueId',
  'serviceStartTime',
  'serviceStopTime',
  'legalAuthenticator',
  'URI',
  'urn:ihe:iti:xds:2013:referenceIdList',
]);

type Problems = CarnetError[];

function problem(problems: Problems, location: string, message: string): void {
  problems.push(new CarnetError('invalid_metadata', message, { location }));
}

interface Slot {
  name: string;
  values: string[];
}

function readSlots(el: Element, problems: Problems, location: string): Map<string, Slot> {
  const slots = new Map<string, Slot>();
  for (const s of childElements(el, NS.rim, 'Slot')) {
    const name = attr(s, 'name');
    if (!name) {
      problem(problems, location, `a Slot of ${location} has no name`);
      continue;
    }
    if (slots.has(name)) {
      problem(problems, location, `slot ${name} appears twice on ${location}`);
      continue;
    }
    const list = firstChild(s, NS.rim, 'ValueList');
    const values = list ? childElements(list, NS.rim, 'Value').map((v) => textOf(v).trim()) : [];
    slots.set(name, { name, values });
  }
  return slots;
}

function single(slots: Map<string, Slot>, name: string, problems: Problems, location: string): string | undefined {
  const s = slots.get(name);
  if (!s) return undefined;
  if (s.values.length !== 1) {
    problem(problems, location, `slot ${name} of ${location} must have exactly one value (has ${s.values.length})`);
    return s.values[0];
  }
  return s.values[0];
}

function localized(el: Element, local: 'Name' | 'Description'): string | undefined {
  const holder = firstChild(el, NS.rim, local);
  if (!holder) return undefined;
  const ls = firstChild(holder, NS.rim, 'LocalizedString');
  const v = ls ? attr(ls, 'value') : undefined;
  return v === undefined || v === '' ? undefined : v;
}

function readCoded(cl: Element, problems: Problems, location: string, what: string): Coded | undefined {
  const code = attr(cl, 'nodeRepresentation');
  const slots = readSlots(cl, problems, location);
  const scheme = slots.get('codingScheme')?.values;
  if (!code) {
    problem(problems, location, `${what} of ${location} has no nodeRepresentation (code)`);
    return undefined;
  }
  if (!scheme || scheme.length !== 1 || !scheme[0]) {
    problem(problems, location, `${what} ${code} of ${location} needs exactly one codingScheme slot value`);
    return undefined;
  }
  const coded: Coded = { code, system: scheme[0] };
  const display = localized(cl, 'Name');
  if (display !== undefined) coded.display = display;
  return coded;
}

function readAuthor(cl: Element, problems: Problems, location: string): Author {
  const slots = readSlots(cl, problems, location);
  const person = single(slots, 'authorPerson', problems, location);
  const author: Author = {
    institutions: (slots.get('authorInstitution')?.values ?? []).map(parseXon),
    roles: slots.get('authorRole')?.values ?? [],
    specialties: slots.get('authorSpecialty')?.values ?? [],
    telecoms: slots.get('authorTelecommunication')?.values ?? [],
  };
  if (person) author.person = parseXcn(person);
  if (!person && author.institutions.length === 0 && author.roles.length === 0 && author.specialties.length === 0 && author.telecoms.length === 0) {
    problem(problems, location, `an author of ${location} has no authorPerson, authorInstitution, authorRole, authorSpecialty or authorTelecommunication`);
  }
  return author;
}

function readStatus(el: Element, problems: Problems, location: string): AvailabilityStatus | undefined {
  const s = attr(el, 'status');
  if (s === undefined) return undefined;
  const status = statusFromUrn(s);
  if (!status) problem(problems, location, `unknown status ${s} on ${location}`);
  return status;
}

function readVersion(el: Element, problems: Problems, location: string): number | undefined {
  const vi = firstChild(el, NS.rim, 'VersionInfo');
  const name = vi ? attr(vi, 'versionName') : undefined;
  if (name === undefined) return undefined;
  if (!/^[0-9]+$/.test(name)) {
    problem(problems, location, `VersionInfo versionName of ${location} must be an integer`);
    return undefined;
  }
  return Number(name);
}

interface ExternalIds {
  byScheme: Map<string, string>;
}

function readExternalIds(el: Element, extra: Element[], problems: Problems, location: string): ExternalIds {
  const byScheme = new Map<string, string>();
  for (const ei of [...childElements(el, NS.rim, 'ExternalIdentifier'), ...extra]) {
    const scheme = attr(ei, 'identificationScheme');
    const value = attr(ei, 'value');
    if (!scheme || value === undefined) {
      problem(problems, location, `an ExternalIdentifier of ${location} lacks identificationScheme or value`);
      continue;
    }
    if (byScheme.has(scheme)) {
      problem(problems, location, `ExternalIdentifier ${localized(ei, 'Name') ?? scheme} appears twice on ${location}`);
      continue;
    }
    byScheme.set(scheme, value);
  }
  return { byScheme };
}

function readPatientId(value: string | undefined, problems: Problems, location: string, what: string): PatientIdentifier {
  if (value === undefined) {
    problem(problems, location, `${what} is missing on ${location}`);
    return { value: '', system: '' };
  }
  const pid = parseCx(value);
  if (!pid) {
    problem(problems, location, `${what} of ${location} is not a CX value^^^&oid&ISO: ${value}`);
    return { value: '', system: '' };
  }
  return pid;
}

function extraSlots(slots: Map<string, Slot>, known: Set<string>): ExtraSlot[] | undefined {
  const extra: ExtraSlot[] = [];
  for (const s of slots.values()) if (!known.has(s.name)) extra.push({ name: s.name, values: s.values });
  return extra.length ? extra : undefined;
}

function takeSingleCode(
  codes: Coded[],
  problems: Problems,
  location: string,
  what: string,
): Coded | undefined {
  if (codes.length > 1) problem(problems, location, `${location} has ${codes.length} ${what} classifications; one is allowed`);
  return codes[0];
}

function readDocumentEntry(eo: Element, classifications: Element[], externalIds: Element[], problems: Problems): ReadDocumentEntry {
  const id = attr(eo, 'id') ?? '';
  const loc = id || 'ExtrinsicObject';
  if (!id) problem(problems, loc, 'an ExtrinsicObject has no id');
  const slots = readSlots(eo, problems, loc);
  const mimeType = attr(eo, 'mimeType');
  if (!mimeType) problem(problems, loc, `mimeType is missing on ${loc}`);

  const objectType = attr(eo, 'objectType');
  let kind: 'stable' | 'on-demand' | undefined;
  if (objectType === OBJECT_TYPE.stableDocumentEntry) kind = 'stable';
  else if (objectType === OBJECT_TYPE.onDemandDocumentEntry) kind = 'on-demand';
  else problem(problems, loc, `objectType of ${loc} must be the stable or on-demand DocumentEntry type (got ${objectType ?? 'none'})`);

  const coded: Record<string, Coded[]> = {};
  const authors: Author[] = [];
  let limited = false;
  for (const cl of [...childElements(eo, NS.rim, 'Classification'), ...classifications]) {
    const scheme = attr(cl, 'classificationScheme');
    const node = attr(cl, 'classificationNode');
    if (node === NODE.limitedDocumentEntry) {
      limited = true;
      continue;
    }
    if (!scheme) continue;
    if (scheme === DE_SCHEME.author) {
      authors.push(readAuthor(cl, problems, loc));
      continue;
    }
    const name = Object.entries(DE_SCHEME).find(([, v]) => v === scheme)?.[0];
    if (!name || name === 'patientId' || name === 'uniqueId') continue;
    const c = readCoded(cl, problems, loc, name);
    if (c) (coded[name] ??= []).push(c);
  }

  const ei = readExternalIds(eo, externalIds, problems, loc);
  const uniqueId = ei.byScheme.get(DE_SCHEME.uniqueId);
  if (!uniqueId) problem(problems, loc, `XDSDocumentEntry.uniqueId is missing on ${loc}`);
  const patientId = readPatientId(ei.byScheme.get(DE_SCHEME.patientId), problems, loc, 'XDSDocumentEntry.patientId');

  const md: DocumentEntryMetadata = {
    uniqueId: uniqueId ?? '',
    patientId,
    mimeType: mimeType ?? '',
    confidentialityCodes: coded['confidentialityCode'] ?? [],
    eventCodes: coded['eventCodeList'] ?? [],
    authors,
    referenceIds: slots.get('urn:ihe:iti:xds:2013:referenceIdList')?.values ?? [],
  };
  if (id.startsWith('urn:uuid:')) md.entryUuid = id;
  const lid = attr(eo, 'lid');
  if (lid) md.logicalId = lid;
  const version = readVersion(eo, problems, loc);
  if (version !== undefined) md.version = version;
  const status = readStatus(eo, problems, loc);
  if (status) md.availabilityStatus = status;
  if (kind) md.objectType = kind;
  if (limited) md.limitedMetadata = true;
  const home = attr(eo, 'home');
  if (home) md.homeCommunityId = home;

  for (const key of ['classCode', 'typeCode', 'formatCode', 'healthcareFacilityTypeCode', 'practiceSettingCode'] as const) {
    const c = takeSingleCode(coded[key] ?? [], problems, loc, key);
    if (c) md[key] = c;
  }

  const str = (name: string) => single(slots, name, problems, loc);
  const assign = <K extends keyof DocumentEntryMetadata>(key: K, value: DocumentEntryMetadata[K] | undefined) => {
    if (value !== undefined) md[key] = value;
  };
  assign('creationTime', str('creationTime'));
  assign('languageCode', str('languageCode'));
  assign('sourcePatientId', str('sourcePatientId'));
  assign('hash', str('hash')?.toLowerCase());
  assign('repositoryUniqueId', str('repositoryUniqueId'));
  assign('serviceStartTime', str('serviceStartTime'));
  assign('serviceStopTime', str('serviceStopTime'));
  assign('legalAuthenticator', str('legalAuthenticator'));
  const spi = slots.get('sourcePatientInfo');
  if (spi) md.sourcePatientInfo = spi.values;
  const size = str('size');
  if (size !== undefined) {
    if (/^[0-9]+$/.test(size)) md.size = Number(size);
    else problem(problems, loc, `size of ${loc} is not a non-negative integer: ${size}`);
  }
  const uri = slots.get('URI');
  if (uri) md.uri = joinUri(uri.values);
  for (const dt of ['creationTime', 'serviceStartTime', 'serviceStopTime'] as const) {
    const v = md[dt];
    if (v !== undefined && !/^[0-9]{4,14}$/.test(v)) problem(problems, loc, `${dt} of ${loc} is not an HL7 DTM (YYYY[MMDD[hh[mm[ss]]]]): ${v}`);
  }
  assign('title', localized(eo, 'Name'));
  assign('comments', localized(eo, 'Description'));
  const extra = extraSlots(slots, DOCUMENT_SLOTS);
  if (extra) md.extraSlots = extra;
  return { id, metadata: md };
}

/** The URI slot: one value, or the XDS.a multi-value form `1|part`, `2|part`... */
function joinUri(values: string[]): string {
  if (values.length === 1 && !/^[0-9]+\|/.test(values[0]!)) return values[0]!;
  return values
    .map((v) => {
      const m = /^([0-9]+)\|(.*)$/.exec(v);
      return m ? { n: Number(m[1]), s: m[2]! } : { n: 0, s: v };
    })
    .sort((a, b) => a.n - b.n)
    .map((p) => p.s)
    .join('');
}

function packageKind(pkg: Element, classifications: Element[]): { submissionSet: boolean; folder: boolean; limited: boolean } {
  let submissionSet = false;
  let folder = false;
  let limited = false;
  for (const cl of [...childElements(pkg, NS.rim, 'Classification'), ...classifications]) {
    const node = attr(cl, 'classificationNode');
    if (node === NODE.submissionSet) submissionSet = true;
    else if (node === NODE.folder) folder = true;
    else if (node === NODE.limitedSubmissionSet || node === NODE.limitedFolder) limited = true;
  }
  return { submissionSet, folder, limited };
}

function readSubmissionSet(pkg: Element, classifications: Element[], externalIds: Element[], limited: boolean, problems: Problems): ReadSubmissionSet {
  const id = attr(pkg, 'id') ?? '';
  const loc = id || 'SubmissionSet';
  const slots = readSlots(pkg, problems, loc);
  const authors: Author[] = [];
  const contentTypes: Coded[] = [];
  for (const cl of [...childElements(pkg, NS.rim, 'Classification'), ...classifications]) {
    const scheme = attr(cl, 'classificationScheme');
    if (scheme === SS_SCHEME.author) authors.push(readAuthor(cl, problems, loc));
    else if (scheme === SS_SCHEME.contentTypeCode) {
      const c = readCoded(cl, problems, loc, 'contentTypeCode');
      if (c) contentTypes.push(c);
    }
  }
  const ei = readExternalIds(pkg, externalIds, problems, loc);
  const uniqueId = ei.byScheme.get(SS_SCHEME.uniqueId);
  if (!uniqueId) problem(problems, loc, `XDSSubmissionSet.uniqueId is missing on ${loc}`);
  const sourceId = ei.byScheme.get(SS_SCHEME.sourceId);
  if (!sourceId) problem(problems, loc, `XDSSubmissionSet.sourceId is missing on ${loc}`);
  const md: SubmissionSetMetadata = {
    uniqueId: uniqueId ?? '',
    sourceId: sourceId ?? '',
    patientId: readPatientId(ei.byScheme.get(SS_SCHEME.patientId), problems, loc, 'XDSSubmissionSet.patientId'),
    authors,
    intendedRecipients: slots.get('intendedRecipient')?.values ?? [],
  };
  if (id.startsWith('urn:uuid:')) md.entryUuid = id;
  const submissionTime = single(slots, 'submissionTime', problems, loc);
  if (submissionTime !== undefined) {
    if (!/^[0-9]{4,14}$/.test(submissionTime)) problem(problems, loc, `submissionTime of ${loc} is not an HL7 DTM: ${submissionTime}`);
    md.submissionTime = submissionTime;
  }
  const ct = takeSingleCode(contentTypes, problems, loc, 'contentTypeCode');
  if (ct) md.contentTypeCode = ct;
  Object.assign(md, packageCommons(pkg, slots, ['submissionTime', 'intendedRecipient'], limited, problems, loc));
  return { id, metadata: md };
}

/** What submission sets and folders read alike: name, description, status, limited metadata, home, other slots. */
function packageCommons(
  pkg: Element,
  slots: Parameters<typeof extraSlots>[0],
  knownSlots: string[],
  limited: boolean,
  problems: Problems,
  loc: string,
): Partial<SubmissionSetMetadata & FolderMetadata> {
  const out: Partial<SubmissionSetMetadata & FolderMetadata> = {};
  const title = localized(pkg, 'Name');
  if (title !== undefined) out.title = title;
  const comments = localized(pkg, 'Description');
  if (comments !== undefined) out.comments = comments;
  const status = readStatus(pkg, problems, loc);
  if (status) out.availabilityStatus = status;
  if (limited) out.limitedMetadata = true;
  const home = attr(pkg, 'home');
  if (home) out.homeCommunityId = home;
  const extra = extraSlots(slots, new Set(knownSlots));
  if (extra) out.extraSlots = extra;
  return out;
}

function readFolder(pkg: Element, classifications: Element[], externalIds: Element[], limited: boolean, problems: Problems): ReadFolder {
  const id = attr(pkg, 'id') ?? '';
  const loc = id || 'Folder';
  const slots = readSlots(pkg, problems, loc);
  const codeList: Coded[] = [];
  for (const cl of [...childElements(pkg, NS.rim, 'Classification'), ...classifications]) {
    if (attr(cl, 'classificationScheme') === FD_SCHEME.codeList) {
      const c = readCoded(cl, problems, loc, 'codeList');
      if (c) codeList.push(c);
    }
  }
  const ei = readExternalIds(pkg, externalIds, problems, loc);
  const uniqueId = ei.byScheme.get(FD_SCHEME.uniqueId);
  if (!uniqueId) problem(problems, loc, `XDSFolder.uniqueId is missing on ${loc}`);
  const md: FolderMetadata = {
    uniqueId: uniqueId ?? '',
    patientId: readPatientId(ei.byScheme.get(FD_SCHEME.patientId), problems, loc, 'XDSFolder.patientId'),
    codeList,
  };
  if (id.startsWith('urn:uuid:')) md.entryUuid = id;
  const lid = attr(pkg, 'lid');
  if (lid) md.logicalId = lid;
  const version = readVersion(pkg, problems, loc);
  if (version !== undefined) md.version = version;
  const lastUpdateTime = single(slots, 'lastUpdateTime', problems, loc);
  if (lastUpdateTime !== undefined) md.lastUpdateTime = lastUpdateTime;
  Object.assign(md, packageCommons(pkg, slots, ['lastUpdateTime'], limited, problems, loc));
  return { id, metadata: md };
}

const ASSOCIATION_SLOTS = new Set(['SubmissionSetStatus', 'PreviousVersion', 'OriginalStatus', 'NewStatus', 'AssociationPropagation']);

function readAssociation(as: Element, classifications: Element[], problems: Problems): SubmittedAssociation {
  const id = attr(as, 'id') ?? '';
  const loc = id || 'Association';
  if (!id) problem(problems, loc, 'an Association has no id');
  const rawType = attr(as, 'associationType') ?? '';
  const type = associationTypeFromUrn(rawType);
  if (!type) problem(problems, loc, `unknown associationType ${rawType || '(none)'} on ${loc}`);
  const sourceId = attr(as, 'sourceObject');
  const targetId = attr(as, 'targetObject');
  if (!sourceId) problem(problems, loc, `sourceObject is missing on ${loc}`);
  if (!targetId) problem(problems, loc, `targetObject is missing on ${loc}`);
  const slots = readSlots(as, problems, loc);
  const a: SubmittedAssociation = { id, type: type ?? 'HasMember', sourceId: sourceId ?? '', targetId: targetId ?? '' };
  if (id.startsWith('urn:uuid:')) a.entryUuid = id;
  const sss = single(slots, 'SubmissionSetStatus', problems, loc);
  if (sss !== undefined) {
    if (sss === 'Original' || sss === 'Reference') a.submissionSetStatus = sss;
    else problem(problems, loc, `SubmissionSetStatus of ${loc} must be Original or Reference (got ${sss})`);
  }
  const pv = single(slots, 'PreviousVersion', problems, loc);
  if (pv !== undefined) a.previousVersion = pv;
  const os = single(slots, 'OriginalStatus', problems, loc);
  if (os !== undefined) a.originalStatus = os;
  const ns = single(slots, 'NewStatus', problems, loc);
  if (ns !== undefined) a.newStatus = ns;
  const ap = single(slots, 'AssociationPropagation', problems, loc);
  if (ap !== undefined) {
    if (ap === 'yes' || ap === 'no') a.associationPropagation = ap === 'yes';
    else problem(problems, loc, `AssociationPropagation of ${loc} must be yes or no (got ${ap})`);
  }
  const status = readStatus(as, problems, loc);
  if (status) a.availabilityStatus = status;
  const extra: ExtraSlot[] = extraSlots(slots, ASSOCIATION_SLOTS) ?? [];
  for (const cl of [...childElements(as, NS.rim, 'Classification'), ...classifications]) {
    if (attr(cl, 'classificationScheme') !== ASSOCIATION_DOCUMENTATION_SCHEME) continue;
    const c = readCoded(cl, problems, loc, 'association documentation');
    if (c) extra.push({ name: ASSOCIATION_DOCUMENTATION_SLOT, values: [`${c.code}^${c.display ?? ''}^${c.system}`] });
  }
  if (extra.length) a.extraSlots = extra;
  return a;
}

/** Reads every object of a `rim:RegistryObjectList` (or any element holding them). */
export function readRegistryObjectList(list: Element): RegistryObjects {
  const problems: Problems = [];
  const out: RegistryObjects = { documentEntries: [], submissionSets: [], folders: [], associations: [], objectRefs: [], problems };
  const children = childElements(list, NS.rim);

  // Classifications and ExternalIdentifiers given at top level point at their object by id.
  const looseClassifications = new Map<string, Element[]>();
  const looseExternalIds = new Map<string, Element[]>();
  for (const el of children) {
    if (el.localName === 'Classification') {
      const target = attr(el, 'classifiedObject');
      if (!target) problem(problems, attr(el, 'id') ?? 'Classification', 'a Classification has no classifiedObject');
      else (looseClassifications.get(target) ?? looseClassifications.set(target, []).get(target)!).push(el);
    } else if (el.localName === 'ExternalIdentifier') {
      const target = attr(el, 'registryObject');
      if (!target) problem(problems, attr(el, 'id') ?? 'ExternalIdentifier', 'an ExternalIdentifier has no registryObject');
      else (looseExternalIds.get(target) ?? looseExternalIds.set(target, []).get(target)!).push(el);
    }
  }

  const seen = new Set<string>();
  const known = new Set<string>();
  for (const el of children) {
    const id = attr(el, 'id') ?? '';
    if (['ExtrinsicObject', 'RegistryPackage', 'Association'].includes(el.localName ?? '') && id) {
      if (seen.has(id)) problem(problems, id, `two objects share the id ${id}`);
      seen.add(id);
      known.add(id);
    }
    const cls = looseClassifications.get(id) ?? [];
    const eis = looseExternalIds.get(id) ?? [];
    switch (el.localName) {
      case 'ExtrinsicObject':
        out.documentEntries.push(readDocumentEntry(el, cls, eis, problems));
        break;
      case 'RegistryPackage': {
        const kind = packageKind(el, cls);
        if (kind.submissionSet && kind.folder) problem(problems, id, `RegistryPackage ${id} is classified as both SubmissionSet and Folder`);
        else if (kind.submissionSet) out.submissionSets.push(readSubmissionSet(el, cls, eis, kind.limited, problems));
        else if (kind.folder) out.folders.push(readFolder(el, cls, eis, kind.limited, problems));
        else problem(problems, id || 'RegistryPackage', `RegistryPackage ${id} is classified neither as SubmissionSet nor as Folder`);
        break;
      }
      case 'Association':
        out.associations.push(readAssociation(el, cls, problems));
        break;
      case 'ObjectRef':
        if (id) out.objectRefs.push(id);
        else problem(problems, 'ObjectRef', 'an ObjectRef has no id');
        break;
      default:
        break;
    }
  }
  for (const target of looseClassifications.keys()) {
    if (!known.has(target) && !out.objectRefs.includes(target)) {
      problem(problems, target, `a Classification refers to ${target}, which is not in the request`);
    }
  }
  return out;
}

/** Finds the RegistryObjectList of a SubmitObjectsRequest (or of a ProvideAndRegister wrapper). */
function registryObjectList(request: Element): Element | undefined {
  let sor: Element | undefined = request;
  if (request.namespaceURI === NS.xdsb) sor = firstChild(request, NS.lcm, 'SubmitObjectsRequest');
  if (!sor) return undefined;
  return firstChild(sor, NS.rim, 'RegistryObjectList');
}

/**
 * ITI-42 / ITI-57: `lcm:SubmitObjectsRequest` -> SubmissionRequest. Documents get `content: null`;
 * use readProvideAndRegister for ITI-41.
 */
export function readSubmitObjectsRequest(request: Element): ReadSubmitResult {
  const list = registryObjectList(request);
  if (!list) {
    return {
      submission: null,
      objectRefs: [],
      problems: [new CarnetError('invalid_metadata', 'SubmitObjectsRequest without a RegistryObjectList', { location: 'SubmitObjectsRequest' })],
    };
  }
  const objs = readRegistryObjectList(list);
  const problems = objs.problems;
  if (objs.submissionSets.length !== 1) {
    problems.push(
      new CarnetError('invalid_metadata', `a submission must hold exactly one SubmissionSet (found ${objs.submissionSets.length})`, {
        location: objs.submissionSets[1]?.id ?? 'SubmitObjectsRequest',
      }),
    );
  }
  const ss = objs.submissionSets[0];
  const documents: SubmittedDocument[] = objs.documentEntries.map((d) => ({ id: d.id, metadata: d.metadata, content: null }));
  const folders: SubmittedFolder[] = objs.folders.map((f) => ({ id: f.id, metadata: f.metadata }));
  const submission: SubmissionRequest | null =
    objs.submissionSets.length === 1 && ss
      ? { submissionSet: { ...ss.metadata, id: ss.id }, documents, folders, associations: objs.associations }
      : null;
  return { submission, objectRefs: objs.objectRefs, problems };
}

/**
 * ITI-41: `xdsb:ProvideAndRegisterDocumentSetRequest` -> SubmissionRequest with each document's
 * bytes bound by id. Documents lacking an ExtrinsicObject are listed in orphanContentIds;
 * entries without a document keep `content: null` (the record decides: XDSMissingDocument
 * unless on-demand).
 */
export function readProvideAndRegister(request: Element, attachments: Map<string, Buffer>): ReadSubmitResult {
  const result = readSubmitObjectsRequest(request);
  const { documents, problems } = extractDocuments(request, attachments);
  result.problems.push(...problems);
  if (result.submission) {
    const ids = new Set(result.submission.documents.map((d) => d.id));
    for (const d of result.submission.documents) d.content = documents.get(d.id) ?? null;
    const orphans = [...documents.keys()].filter((id) => !ids.has(id));
    if (orphans.length) result.submission.orphanContentIds = orphans;
  }
  return result;
}
