// Neutral metadata -> ebRIM 3.0 XML (LeafClass objects, ObjectRefs) and the XDS response bodies:
// RegistryResponse, AdhocQueryResponse, RetrieveDocumentSetResponse. Fragments use the `rim:`
// prefix; the list/response writers declare it.
import { createHash } from 'node:crypto';
import type {
  AssociationMetadata,
  Author,
  Coded,
  DocumentEntryMetadata,
  ExtraSlot,
  FolderMetadata,
  SubmissionSetMetadata,
} from '../../domain/model.js';
import type { SubmissionRequest } from '../../domain/submission.js';
import { ATTR_NEEDS_ESCAPING, NS, escapeAttr, escapeText } from '../../xml/index.js';
import type { RegistryErrorEntry } from '../error-codes.js';
import {
  ASSOCIATION_DOCUMENTATION_SCHEME,
  ASSOCIATION_DOCUMENTATION_SLOT,
  DE_SCHEME,
  EI_NAME,
  FD_SCHEME,
  NODE,
  OBJECT_TYPE,
  SS_SCHEME,
  associationTypeUrn,
  statusUrn,
} from './constants.js';
import { formatCx, formatXcn, formatXon } from '../../domain/hl7v2.js';
import { EntryUuidList } from '../../util/entry-uuid-list.js';

/** A stable urn:uuid for the n-th child object (classification, external id) of an object. */
/**
 * Stable urn:uuid values for the children (classifications, external ids) of one object: one
 * SHA-1 of the parent id per object, the n-th child adding n to its last 48 bits. A LeafClass
 * answer of 1,000 documents writes ~15,000 of these, so one hash per child was the answer's
 * largest cost.
 */
class Ids {
  private n = 0;
  private readonly head: string;
  private readonly node: number;
  constructor(parent: string) {
    const h = createHash('sha1').update(parent).digest('hex');
    const v = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
    this.head = `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${v}${h.slice(17, 20)}-`;
    this.node = parseInt(h.slice(20, 32), 16);
  }
  next(): string {
    const node = (this.node + this.n++) % 0x1000000000000;
    return this.head + node.toString(16).padStart(12, '0');
  }
}

/** A single-valued slot, without the list handling of `slot` (most DocumentEntry slots). */
function slot1(name: string, value: string | undefined): string {
  if (value === undefined) return '';
  return `<rim:Slot name="${name}"><rim:ValueList><rim:Value>${escapeText(value)}</rim:Value></rim:ValueList></rim:Slot>`;
}

function slot(name: string, values: (string | undefined)[]): string {
  const vs = values.filter((v): v is string => v !== undefined);
  if (!vs.length) return '';
  return (
    `<rim:Slot name="${escapeAttr(name)}"><rim:ValueList>` +
    vs.map((v) => `<rim:Value>${escapeText(v)}</rim:Value>`).join('') +
    `</rim:ValueList></rim:Slot>`
  );
}

function localizedString(local: 'Name' | 'Description', value: string | undefined): string {
  if (value === undefined) return '';
  return `<rim:${local}><rim:LocalizedString value="${escapeAttr(value)}"/></rim:${local}>`;
}

function codedClassification(scheme: string, objectId: string, c: Coded, ids: Ids): string {
  return (
    `<rim:Classification id="${ids.next()}" classificationScheme="${scheme}" classifiedObject="${escapeAttr(objectId)}"` +
    ` nodeRepresentation="${escapeAttr(c.code)}" objectType="${OBJECT_TYPE.classification}">` +
    slot1('codingScheme', c.system) +
    localizedString('Name', c.display) +
    `</rim:Classification>`
  );
}

function nodeClassification(node: string, objectId: string, ids: Ids): string {
  return (
    `<rim:Classification id="${ids.next()}" classificationNode="${node}" classifiedObject="${escapeAttr(objectId)}"` +
    ` objectType="${OBJECT_TYPE.classification}"/>`
  );
}

function authorClassification(scheme: string, objectId: string, a: Author, ids: Ids): string {
  return (
    `<rim:Classification id="${ids.next()}" classificationScheme="${scheme}" classifiedObject="${escapeAttr(objectId)}"` +
    ` nodeRepresentation="" objectType="${OBJECT_TYPE.classification}">` +
    slot('authorPerson', [a.person ? formatXcn(a.person) : undefined]) +
    slot('authorInstitution', a.institutions.map(formatXon)) +
    slot('authorRole', a.roles) +
    slot('authorSpecialty', a.specialties) +
    slot('authorTelecommunication', a.telecoms) +
    `</rim:Classification>`
  );
}

function externalIdentifier(scheme: string, name: string, objectId: string, value: string, ids: Ids): string {
  return (
    `<rim:ExternalIdentifier id="${ids.next()}" identificationScheme="${scheme}" registryObject="${escapeAttr(objectId)}"` +
    ` value="${escapeAttr(value)}" objectType="${OBJECT_TYPE.externalIdentifier}">` +
    localizedString('Name', name) +
    `</rim:ExternalIdentifier>`
  );
}

function extra(slots: ExtraSlot[] | undefined, skip?: string): string {
  return (slots ?? [])
    .filter((s) => s.name !== skip)
    .map((s) => slot(s.name, s.values))
    .join('');
}

function commonAttrs(id: string, md: { availabilityStatus?: DocumentEntryMetadata['availabilityStatus']; homeCommunityId?: string }, lid?: string): string {
  let s = ` id="${escapeAttr(id)}"`;
  if (lid) s += ` lid="${escapeAttr(lid)}"`;
  if (md.availabilityStatus) s += ` status="${statusUrn(md.availabilityStatus)}"`;
  if (md.homeCommunityId) s += ` home="${escapeAttr(md.homeCommunityId)}"`;
  return s;
}

function versionInfo(version: number | undefined): string {
  return version === undefined ? '' : `<rim:VersionInfo versionName="${version}"/>`;
}

function requireId(id: string | undefined, what: string): string {
  if (!id) throw new Error(`${what} has no id to write`);
  return id;
}

/** ExtrinsicObject for a DocumentEntry; `id` defaults to entryUuid. */
export function writeDocumentEntry(de: DocumentEntryMetadata, id?: string): string {
  const oid = requireId(id ?? de.entryUuid, 'DocumentEntry');
  const ids = new Ids(oid);
  const objectType = de.objectType === 'on-demand' ? OBJECT_TYPE.onDemandDocumentEntry : OBJECT_TYPE.stableDocumentEntry;
  const parts: string[] = [];
  parts.push(
    `<rim:ExtrinsicObject${commonAttrs(oid, de, de.logicalId)} mimeType="${escapeAttr(de.mimeType)}" objectType="${objectType}">`,
  );
  parts.push(
    slot1('creationTime', de.creationTime),
    slot1('hash', de.hash),
    slot1('languageCode', de.languageCode),
    slot1('legalAuthenticator', de.legalAuthenticator),
    slot1('repositoryUniqueId', de.repositoryUniqueId),
    slot1('serviceStartTime', de.serviceStartTime),
    slot1('serviceStopTime', de.serviceStopTime),
    slot1('size', de.size === undefined ? undefined : String(de.size)),
    slot1('sourcePatientId', de.sourcePatientId),
    slot('sourcePatientInfo', de.sourcePatientInfo ?? []),
    slot1('URI', de.uri),
    slot('urn:ihe:iti:xds:2013:referenceIdList', de.referenceIds),
    extra(de.extraSlots),
  );
  parts.push(localizedString('Name', de.title), localizedString('Description', de.comments), versionInfo(de.version));
  for (const a of de.authors) parts.push(authorClassification(DE_SCHEME.author, oid, a, ids));
  const single: [string, Coded | undefined][] = [
    [DE_SCHEME.classCode, de.classCode],
    [DE_SCHEME.typeCode, de.typeCode],
    [DE_SCHEME.formatCode, de.formatCode],
    [DE_SCHEME.healthcareFacilityTypeCode, de.healthcareFacilityTypeCode],
    [DE_SCHEME.practiceSettingCode, de.practiceSettingCode],
  ];
  for (const [scheme, c] of single) if (c) parts.push(codedClassification(scheme, oid, c, ids));
  for (const c of de.confidentialityCodes) parts.push(codedClassification(DE_SCHEME.confidentialityCode, oid, c, ids));
  for (const c of de.eventCodes) parts.push(codedClassification(DE_SCHEME.eventCodeList, oid, c, ids));
  if (de.limitedMetadata) parts.push(nodeClassification(NODE.limitedDocumentEntry, oid, ids));
  parts.push(externalIdentifier(DE_SCHEME.patientId, EI_NAME.dePatientId, oid, formatCx(de.patientId), ids));
  parts.push(externalIdentifier(DE_SCHEME.uniqueId, EI_NAME.deUniqueId, oid, de.uniqueId, ids));
  parts.push(`</rim:ExtrinsicObject>`);
  return parts.join('');
}

/** RegistryPackage classified as SubmissionSet. */
export function writeSubmissionSet(ss: SubmissionSetMetadata, id?: string): string {
  const oid = requireId(id ?? ss.entryUuid, 'SubmissionSet');
  const ids = new Ids(oid);
  const parts: string[] = [`<rim:RegistryPackage${commonAttrs(oid, ss)} objectType="${OBJECT_TYPE.registryPackage}">`];
  parts.push(slot('submissionTime', [ss.submissionTime]), slot('intendedRecipient', ss.intendedRecipients), extra(ss.extraSlots));
  parts.push(localizedString('Name', ss.title), localizedString('Description', ss.comments));
  parts.push(nodeClassification(NODE.submissionSet, oid, ids));
  if (ss.limitedMetadata) parts.push(nodeClassification(NODE.limitedSubmissionSet, oid, ids));
  for (const a of ss.authors) parts.push(authorClassification(SS_SCHEME.author, oid, a, ids));
  if (ss.contentTypeCode) parts.push(codedClassification(SS_SCHEME.contentTypeCode, oid, ss.contentTypeCode, ids));
  parts.push(externalIdentifier(SS_SCHEME.uniqueId, EI_NAME.ssUniqueId, oid, ss.uniqueId, ids));
  parts.push(externalIdentifier(SS_SCHEME.sourceId, EI_NAME.ssSourceId, oid, ss.sourceId, ids));
  parts.push(externalIdentifier(SS_SCHEME.patientId, EI_NAME.ssPatientId, oid, formatCx(ss.patientId), ids));
  parts.push(`</rim:RegistryPackage>`);
  return parts.join('');
}

/** RegistryPackage classified as Folder. */
export function writeFolder(f: FolderMetadata, id?: string): string {
  const oid = requireId(id ?? f.entryUuid, 'Folder');
  const ids = new Ids(oid);
  const parts: string[] = [`<rim:RegistryPackage${commonAttrs(oid, f, f.logicalId)} objectType="${OBJECT_TYPE.registryPackage}">`];
  parts.push(slot('lastUpdateTime', [f.lastUpdateTime]), extra(f.extraSlots));
  parts.push(localizedString('Name', f.title), localizedString('Description', f.comments), versionInfo(f.version));
  parts.push(nodeClassification(NODE.folder, oid, ids));
  if (f.limitedMetadata) parts.push(nodeClassification(NODE.limitedFolder, oid, ids));
  for (const c of f.codeList) parts.push(codedClassification(FD_SCHEME.codeList, oid, c, ids));
  parts.push(externalIdentifier(FD_SCHEME.uniqueId, EI_NAME.fdUniqueId, oid, f.uniqueId, ids));
  parts.push(externalIdentifier(FD_SCHEME.patientId, EI_NAME.fdPatientId, oid, formatCx(f.patientId), ids));
  parts.push(`</rim:RegistryPackage>`);
  return parts.join('');
}

/** Association with its slots; a documentation classification kept in extraSlots is restored. */
export function writeAssociation(a: AssociationMetadata, id?: string): string {
  const oid = requireId(id ?? a.entryUuid, 'Association');
  const ids = new Ids(oid);
  const parts: string[] = [
    `<rim:Association${commonAttrs(oid, a)} associationType="${associationTypeUrn(a.type)}"` +
      ` sourceObject="${escapeAttr(a.sourceId)}" targetObject="${escapeAttr(a.targetId)}" objectType="${OBJECT_TYPE.association}">`,
  ];
  parts.push(
    slot('SubmissionSetStatus', [a.submissionSetStatus]),
    slot('PreviousVersion', [a.previousVersion]),
    slot('OriginalStatus', [a.originalStatus]),
    slot('NewStatus', [a.newStatus]),
    slot('AssociationPropagation', [a.associationPropagation === undefined ? undefined : a.associationPropagation ? 'yes' : 'no']),
    extra(a.extraSlots, ASSOCIATION_DOCUMENTATION_SLOT),
  );
  for (const s of a.extraSlots ?? []) {
    if (s.name !== ASSOCIATION_DOCUMENTATION_SLOT) continue;
    for (const v of s.values) {
      const [code = '', display, system = ''] = v.split('^');
      parts.push(codedClassification(ASSOCIATION_DOCUMENTATION_SCHEME, oid, { code, system, display: display || undefined }, ids));
    }
  }
  parts.push(`</rim:Association>`);
  return parts.join('');
}

export function writeObjectRef(id: string, homeCommunityId?: string): string {
  return `<rim:ObjectRef id="${escapeAttr(id)}"${homeCommunityId ? ` home="${escapeAttr(homeCommunityId)}"` : ''}/>`;
}

/**
 * The ObjectRefs of `ids`, in order, as one string: the ids are checked for characters to escape
 * all at once (one test of their concatenation, not one per id: an answer may hold thousands); an
 * EntryUuidList was checked when made, and is written by its wrapEach.
 */
export function writeObjectRefs(ids: readonly string[] | EntryUuidList): string {
  // ids checked to be bare UUIDs when the list was made: nothing to escape
  if (ids instanceof EntryUuidList) return ids.wrapEach('<rim:ObjectRef id="', '"/>');
  if (!ids.length) return '';
  if (ATTR_NEEDS_ESCAPING.test(ids.join(''))) return ids.map((id) => writeObjectRef(id)).join('');
  return `<rim:ObjectRef id="${ids.join('"/><rim:ObjectRef id="')}"/>`;
}

/** Objects to return as LeafClass, in the order the toolkit expects them (SS, folders, documents, associations). */
export interface LeafObjects {
  submissionSets?: SubmissionSetMetadata[];
  folders?: FolderMetadata[];
  documentEntries?: DocumentEntryMetadata[];
  associations?: AssociationMetadata[];
}

export function writeLeafClassObjects(objs: LeafObjects): string[] {
  return [
    ...(objs.submissionSets ?? []).map((o) => writeSubmissionSet(o)),
    ...(objs.folders ?? []).map((o) => writeFolder(o)),
    ...(objs.documentEntries ?? []).map((o) => writeDocumentEntry(o)),
    ...(objs.associations ?? []).map((o) => writeAssociation(o)),
  ];
}

export function writeRegistryObjectList(fragments: string[]): string {
  return `<rim:RegistryObjectList xmlns:rim="${NS.rim}">${fragments.join('')}</rim:RegistryObjectList>`;
}

/** `lcm:SubmitObjectsRequest` for a submission (ids as given; SS classification nested). */
export function writeSubmitObjectsRequest(sub: SubmissionRequest): string {
  const fragments = [
    writeSubmissionSet(sub.submissionSet, sub.submissionSet.id),
    ...sub.folders.map((f) => writeFolder(f.metadata, f.id)),
    ...sub.documents.map((d) => writeDocumentEntry(d.metadata, d.id)),
    ...sub.associations.map((a) => writeAssociation(a, a.id)),
  ];
  return `<lcm:SubmitObjectsRequest xmlns:lcm="${NS.lcm}">${writeRegistryObjectList(fragments)}</lcm:SubmitObjectsRequest>`;
}

/** `xdsb:ProvideAndRegisterDocumentSetRequest`; documents refer to MTOM parts by Content-ID. */
export function writeProvideAndRegisterRequest(sub: SubmissionRequest, contentIds: Map<string, string>): string {
  const docs = sub.documents
    .filter((d) => contentIds.has(d.id))
    .map(
      (d) =>
        `<xdsb:Document id="${escapeAttr(d.id)}"><xop:Include xmlns:xop="${NS.xop}" href="cid:${escapeAttr(encodeURIComponent(contentIds.get(d.id)!).replace(/%40/g, '@'))}"/></xdsb:Document>`,
    )
    .join('');
  return `<xdsb:ProvideAndRegisterDocumentSetRequest xmlns:xdsb="${NS.xdsb}">${writeSubmitObjectsRequest(sub)}${docs}</xdsb:ProvideAndRegisterDocumentSetRequest>`;
}

export type ResponseStatus = 'Success' | 'Failure' | 'PartialSuccess';

const STATUS_URN: Record<ResponseStatus, string> = {
  Success: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success',
  Failure: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure',
  PartialSuccess: 'urn:ihe:iti:2007:ResponseStatusType:PartialSuccess',
};

export function responseStatusUrn(status: ResponseStatus): string {
  return STATUS_URN[status];
}

/** Failure when any entry is an Error, else Success (warnings keep Success). */
export function statusOf(errors: RegistryErrorEntry[]): ResponseStatus {
  return errors.some((e) => e.severity === 'Error') ? 'Failure' : 'Success';
}

export function writeRegistryErrorList(errors: RegistryErrorEntry[]): string {
  if (!errors.length) return '';
  return (
    `<rs:RegistryErrorList highestSeverity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:${errors.some((e) => e.severity === 'Error') ? 'Error' : 'Warning'}">` +
    errors
      .map(
        (e) =>
          `<rs:RegistryError errorCode="${escapeAttr(e.errorCode)}" codeContext="${escapeAttr(e.codeContext)}"` +
          (e.location ? ` location="${escapeAttr(e.location)}"` : '') +
          ` severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:${e.severity}"/>`,
      )
      .join('') +
    `</rs:RegistryErrorList>`
  );
}

export function writeRegistryResponse(errors: RegistryErrorEntry[] = [], status: ResponseStatus = statusOf(errors)): string {
  return `<rs:RegistryResponse xmlns:rs="${NS.rs}" status="${STATUS_URN[status]}">${writeRegistryErrorList(errors)}</rs:RegistryResponse>`;
}

/**
 * `query:AdhocQueryResponse`. On Failure no objects are returned (ITI-18); fragments come from
 * writeLeafClassObjects or writeObjectRef.
 */
export function writeAdhocQueryResponse(fragments: string[], errors: RegistryErrorEntry[] = [], status: ResponseStatus = statusOf(errors)): string {
  const objects = status === 'Failure' ? [] : fragments;
  const { head, tail } = adhocQueryResponseParts(errors, status);
  return head + objects.join('') + tail;
}

/** `query:AdhocQueryResponse` around its objects, for an answer written as its objects are read. */
export function adhocQueryResponseParts(errors: RegistryErrorEntry[] = [], status: ResponseStatus = statusOf(errors)): { head: string; tail: string } {
  return {
    head:
      `<query:AdhocQueryResponse xmlns:query="${NS.query}" xmlns:rs="${NS.rs}" xmlns:rim="${NS.rim}" status="${STATUS_URN[status]}">` +
      writeRegistryErrorList(errors) +
      `<rim:RegistryObjectList>`,
    tail: `</rim:RegistryObjectList></query:AdhocQueryResponse>`,
  };
}

export interface RetrievedDocument {
  homeCommunityId?: string;
  repositoryUniqueId: string;
  documentUniqueId: string;
  mimeType: string;
  /** MTOM: the Content-ID of the attachment part; else the bytes are inlined as base64 */
  contentId?: string;
  content?: Uint8Array;
}

/** `xdsb:RetrieveDocumentSetResponse`. Status: Success, PartialSuccess (some found, some errors) or Failure. */
export function writeRetrieveDocumentSetResponse(documents: RetrievedDocument[], errors: RegistryErrorEntry[] = []): string {
  const hasError = errors.some((e) => e.severity === 'Error');
  const status: ResponseStatus = !hasError ? 'Success' : documents.length ? 'PartialSuccess' : 'Failure';
  const docs = documents
    .map((d) => {
      let body: string;
      if (d.contentId) body = `<xop:Include xmlns:xop="${NS.xop}" href="cid:${escapeAttr(d.contentId)}"/>`;
      else if (d.content) body = Buffer.from(d.content.buffer, d.content.byteOffset, d.content.byteLength).toString('base64');
      else throw new Error(`document ${d.documentUniqueId} has neither a content id nor content`);
      return (
        `<xdsb:DocumentResponse>` +
        (d.homeCommunityId ? `<xdsb:HomeCommunityId>${escapeText(d.homeCommunityId)}</xdsb:HomeCommunityId>` : '') +
        `<xdsb:RepositoryUniqueId>${escapeText(d.repositoryUniqueId)}</xdsb:RepositoryUniqueId>` +
        `<xdsb:DocumentUniqueId>${escapeText(d.documentUniqueId)}</xdsb:DocumentUniqueId>` +
        `<xdsb:mimeType>${escapeText(d.mimeType)}</xdsb:mimeType>` +
        `<xdsb:Document>${body}</xdsb:Document>` +
        `</xdsb:DocumentResponse>`
      );
    })
    .join('');
  return (
    `<xdsb:RetrieveDocumentSetResponse xmlns:xdsb="${NS.xdsb}">` +
    writeRegistryResponse(errors, status) +
    docs +
    `</xdsb:RetrieveDocumentSetResponse>`
  );
}
