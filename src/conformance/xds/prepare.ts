// What the toolkit does to a submission's metadata before sending it (data/xds/README.md):
// convert ebRIM 2.1 to 3.0, put the test's Patient ID on every XDS*.patientId (and on a
// sourcePatientId that repeated the file's patient), give DocumentEntries, SubmissionSets and
// Folders fresh uniqueIds, and with <AssignUuids/> turn symbolic ids into urn:uuid values.
import { randomUUID } from 'node:crypto';
import { NS, attr, descendants, parseXml, TRUSTED_XML_LIMITS, serializeXml, textOf, childElements, firstChild, selfAndDescendants } from '../../xml/index.js';
import type { Element } from '../../xml/index.js';
import { DE_SCHEME, FD_SCHEME, SS_SCHEME } from '../../xds/ebrim/constants.js';
import { convertEbRim21, isEbRim21 } from './convert21.js';

const PATIENT_SCHEMES = new Set<string>([DE_SCHEME.patientId, SS_SCHEME.patientId, FD_SCHEME.patientId]);
const UNIQUE_ID_SCHEMES = new Set<string>([DE_SCHEME.uniqueId, SS_SCHEME.uniqueId, FD_SCHEME.uniqueId]);
const REFERRING_ATTRIBUTES = ['sourceObject', 'targetObject', 'classifiedObject', 'registryObject', 'lid'];

export interface PrepareOptions {
  /** the Patient ID (CX) to put on the metadata; undefined = leave the file's */
  patientId?: string;
  /** keep every uniqueId (true) or those of the listed symbolic ids */
  noAssignUids: boolean | string[];
  assignUuids: boolean;
  noConvert?: boolean;
  /** XDSSubmissionSet.sourceId to set; undefined = keep the file's */
  sourceId?: string;
  newUid: () => string;
  newUuid?: () => string;
  /** prefix of ids given to id-less 2.1 objects */
  idPrefix?: string;
}

export interface PreparedSubmission {
  /** an `lcm:SubmitObjectsRequest` (ebRIM 3.0 unless noConvert kept 2.1) */
  xml: string;
  /** symbolic id of the owner -> uniqueId sent */
  assignedUids: Map<string, string>;
  /** symbolic id -> id sent (urn:uuid when assigned) */
  assignedUuids: Map<string, string>;
  /** the SubmissionSet's patient id as sent, when any */
  patientId?: string;
}

/** The SubmitObjectsRequest element of the text (unwrapping a ProvideAndRegister request). */
function submitObjectsRequest(xml: string): string {
  const root = parseXml(xml, TRUSTED_XML_LIMITS).documentElement!;
  if (root.localName === 'ProvideAndRegisterDocumentSetRequest') {
    const sor = childElements(root).find((c) => c.localName === 'SubmitObjectsRequest');
    if (!sor) throw new Error('ProvideAndRegisterDocumentSetRequest without a SubmitObjectsRequest');
    return serializeXml(sor);
  }
  return xml;
}

function ownerId(ei: Element): string | undefined {
  const parent = ei.parentNode as Element | null;
  return attr(ei, 'registryObject') ?? (parent && parent.localName !== 'RegistryObjectList' ? attr(parent, 'id') : undefined);
}

export function prepareSubmission(text: string, opts: PrepareOptions): PreparedSubmission {
  let xml = submitObjectsRequest(text);
  if (isEbRim21(xml) && !opts.noConvert) xml = convertEbRim21(xml, opts.idPrefix);
  const doc = parseXml(xml, TRUSTED_XML_LIMITS);
  const root = doc.documentElement!;
  const elements = selfAndDescendants(root);
  const externalIds = elements.filter((e) => e.localName === 'ExternalIdentifier');

  // Patient: every XDS*.patientId, and a sourcePatientId that was the same identifier.
  if (opts.patientId !== undefined) {
    const originals = new Set<string>();
    for (const ei of externalIds) {
      if (!PATIENT_SCHEMES.has(attr(ei, 'identificationScheme') ?? '')) continue;
      originals.add(attr(ei, 'value') ?? '');
      ei.setAttribute('value', opts.patientId);
    }
    for (const s of elements.filter((e) => e.localName === 'Slot' && attr(e, 'name') === 'sourcePatientId')) {
      for (const v of childElements(s).flatMap((vl) => childElements(vl))) {
        if (originals.has(textOf(v).trim())) v.textContent = opts.patientId;
      }
    }
  }

  // uniqueIds, reported by the owner's symbolic id (before any UUID is given).
  const assignedUids = new Map<string, string>();
  for (const ei of externalIds) {
    const scheme = attr(ei, 'identificationScheme') ?? '';
    const owner = ownerId(ei);
    if (opts.sourceId !== undefined && scheme === SS_SCHEME.sourceId) ei.setAttribute('value', opts.sourceId);
    if (!UNIQUE_ID_SCHEMES.has(scheme) || !owner) continue;
    const keep = opts.noAssignUids === true || (Array.isArray(opts.noAssignUids) && opts.noAssignUids.includes(owner));
    if (!keep) ei.setAttribute('value', opts.newUid());
    assignedUids.set(owner, attr(ei, 'value') ?? '');
  }

  // Symbolic ids -> UUIDs, references followed.
  const assignedUuids = new Map<string, string>();
  const newUuid = opts.newUuid ?? (() => `urn:uuid:${randomUUID()}`);
  const withId = elements.filter((e) => attr(e, 'id') !== undefined && e.localName !== 'ObjectRef' && e !== root);
  for (const e of withId) {
    const id = attr(e, 'id')!;
    if (id.startsWith('urn:uuid:')) assignedUuids.set(id, id);
    else if (opts.assignUuids && !assignedUuids.has(id)) assignedUuids.set(id, newUuid());
  }
  if (opts.assignUuids) {
    for (const e of elements) {
      const id = attr(e, 'id');
      if (id && e.localName !== 'ObjectRef' && assignedUuids.has(id)) e.setAttribute('id', assignedUuids.get(id)!);
      for (const a of REFERRING_ATTRIBUTES) {
        const v = attr(e, a);
        if (v && assignedUuids.has(v)) e.setAttribute(a, assignedUuids.get(v)!);
      }
    }
  }

  const ss = elements.find((e) => e.localName === 'RegistryPackage' && externalIds.some((ei) => ei.parentNode === e && attr(ei, 'identificationScheme') === SS_SCHEME.patientId));
  const ssPatient = ss
    ? externalIds.find((ei) => ei.parentNode === ss && attr(ei, 'identificationScheme') === SS_SCHEME.patientId)
    : externalIds.find((ei) => PATIENT_SCHEMES.has(attr(ei, 'identificationScheme') ?? ''));
  return {
    xml: serializeXml(doc),
    assignedUids,
    assignedUuids,
    patientId: ssPatient ? attr(ssPatient, 'value') : undefined,
  };
}

/** The patient a stored query names (first *PatientId slot value, quotes and parentheses removed). */
export function queryPatientId(xml: string): string | undefined {
  const doc = parseXml(xml, TRUSTED_XML_LIMITS);
  for (const s of descendants(doc, NS.rim, 'Slot')) {
    if (!/PatientId$/i.test(attr(s, 'name') ?? '')) continue;
    const list = firstChild(s, NS.rim, 'ValueList');
    const v = list ? firstChild(list, NS.rim, 'Value') : undefined;
    const text = textOf(v).trim().replace(/^\(?'?|'?\)?$/g, '');
    if (text) return text.split("','")[0];
  }
  return undefined;
}
