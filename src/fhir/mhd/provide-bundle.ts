// ITI-65 Provide Document Bundle -> SubmissionRequest, and the transaction-response Bundle.
// Every problem found is collected with its FHIRPath location; nothing is half-translated: the
// caller gets either a complete SubmissionRequest or a CarnetErrors listing all problems.
// The patient is resolved by a callback (the services know the records); this module only
// finds which references must be resolved and checks that they agree.
import type { Binary, Bundle, BundleEntry, DocumentReference, List, Patient, Resource } from '@medplum/fhirtypes';
import { CarnetError, CarnetErrors } from '../../domain/errors.js';
import type { AssociationType, PatientIdentifier } from '../../domain/model.js';
import type { SubmissionRequest, SubmissionResult, SubmittedAssociation, SubmittedDocument, SubmittedFolder } from '../../domain/submission.js';
import { RELATES_TO_TO_ASSOCIATION, fromDocumentReference, stripUrnUuid } from './document-reference.js';
import { fromFolderList, fromSubmissionSetList, listType } from './lists.js';
import { PROFILE } from '../validation/profiles.js';
import { profileProblems, type ProfileCheck } from '../validation/validate.js';
import { shapeProblems } from '../validation/shapes.js';
import { decodeBase64 } from './provide-payloads.js';
import { lookup } from '../../domain/lookup.js';
import { warningOutcome } from '../outcome.js';
import { LoopPause } from '../../util/event-loop.js';

const MHD_SD = 'https://profiles.ihe.net/ITI/MHD/StructureDefinition';

export type MetadataOption = 'minimal' | 'comprehensive' | 'uncontained';

const PROFILE_OPTIONS: Record<string, MetadataOption> = {
  [`${MHD_SD}/IHE.MHD.Minimal.ProvideBundle`]: 'minimal',
  [`${MHD_SD}/IHE.MHD.Comprehensive.ProvideBundle`]: 'comprehensive',
  [`${MHD_SD}/IHE.MHD.UnContained.Comprehensive.ProvideBundle`]: 'uncontained',
  'https://interop.esante.gouv.fr/ig/fhir/pdsm/StructureDefinition/pdsm-comprehensive-provide-document-bundle': 'comprehensive',
};

/** The metadata option a Bundle.meta.profile value names (http:// spellings of MHD 4.0 accepted). */
export function metadataOptionOf(profile: string): MetadataOption | undefined {
  const bare = profile.split('|')[0] ?? profile;
  return lookup(PROFILE_OPTIONS, bare) ?? lookup(PROFILE_OPTIONS, bare.replace(/^http:\/\//, 'https://'));
}

export interface PatientLink {
  /** the reference as written (absolute URL, relative `Patient/x`, or an in-bundle fullUrl) */
  reference: string;
  /** the Patient resource when the reference designates a bundle entry */
  resource?: Patient;
  /** FHIRPath of the reference */
  path: string;
}

/** Resolve a subject reference to the record's patient identifier; null/undefined when unknown. */
export type PatientResolver = (link: PatientLink) => PatientIdentifier | null | undefined | Promise<PatientIdentifier | null | undefined>;

export interface ProvideBundleOptions {
  resolvePatient: PatientResolver;
  /** check the profiles' required bindings (the DMP terminologies) too; the route does */
  terminology?: boolean;
  /** how each profile is checked (default: here, now; the route: answers a worker thread computed) */
  check?: ProfileCheck;
  /**
   * The bytes of a payload a worker thread took out of the Bundle (provide-payloads.ts): null
   * when `data` is base64 to decode here, undefined when it was not base64.
   */
  payload?: (data: string) => Uint8Array | undefined | null;
}

interface Classified {
  index: number;
  path: string;
  entry: BundleEntry;
  fullUrl?: string;
}

function problem(message: string, location: string, code: CarnetError['code'] = 'invalid_metadata'): CarnetError {
  return new CarnetError(code, message, { location });
}


function baseMediaType(t: string): string {
  return (t.split(';')[0] ?? '').trim().toLowerCase();
}

/** Locate a bundle entry by a reference: exact fullUrl, or `Type/id` against fullUrl tails / resource ids. */
function findEntry(entries: Classified[], reference: string): Classified | undefined {
  const exact = entries.find((e) => e.fullUrl === reference);
  if (exact) return exact;
  const m = /(?:^|\/)([A-Za-z]+)\/([^/?#]+)$/.exec(reference);
  if (!m) return undefined;
  const [, type, id] = m;
  return entries.find(
    (e) =>
      e.entry.resource?.resourceType === type &&
      (e.entry.resource?.id === id || (e.fullUrl !== undefined && e.fullUrl.endsWith(`/${type}/${id}`))),
  );
}

/** `…/DocumentReference/<id>` outside the bundle -> the registry's `urn:uuid:<id>`. */
function existingDocumentId(reference: string): string | undefined {
  const m = /(?:^|\/)DocumentReference\/([^/?#]+)$/.exec(reference);
  return m?.[1] ? `urn:uuid:${m[1]}` : undefined;
}

/** The same problem found twice (the Bundle's base check and an entry's profile) is said once. */
function distinct(problems: CarnetError[]): CarnetError[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.code}|${p.location}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The entries whose resources the reading below checks against their own profiles: every
 * DocumentReference, the first SubmissionSet List, every folder List (as it classifies them).
 */
function entriesReadWithTheirProfile(bundle: Bundle): number[] {
  const out: number[] = [];
  let submissionSet = false;
  (bundle.entry ?? []).forEach((entry, i) => {
    const r = entry.resource;
    if (r?.resourceType === 'DocumentReference') out.push(i);
    else if (r?.resourceType === 'List') {
      const kind = listType(r);
      if (kind === 'folder' || (kind === 'submissionset' && !submissionSet)) out.push(i);
      if (kind === 'submissionset') submissionSet = true;
    }
  });
  return out;
}

const CONDITIONAL_REQUEST_FIELDS = ['ifNoneExist', 'ifMatch', 'ifNoneMatch', 'ifModifiedSince'] as const;

/** Read an ITI-65 Bundle; returns the request or every problem found. */
export async function readProvideBundle(
  bundle: Bundle,
  options: ProvideBundleOptions,
): Promise<{ request?: SubmissionRequest; option?: MetadataOption; problems: CarnetError[] }> {
  if ((bundle as Resource).resourceType !== 'Bundle') {
    return { problems: [problem('ITI-65 expects a Bundle', 'Bundle')] };
  }
  // JSON allows shapes FHIR does not (a string for a list, a list for an object...): refused
  // here, every one of them, before anything below reads them as FHIR
  const misshapen = shapeProblems(bundle, 'Bundle');
  if (misshapen.length > 0) return { problems: misshapen };
  const terminology = options.terminology ?? false;
  const check = options.check ?? profileProblems;
  const bytesOf = (data: string): Uint8Array | undefined => {
    const taken = options.payload ? options.payload(data) : null;
    return taken === null ? decodeBase64(data) : taken;
  };

  // Metadata option from Bundle.meta.profile.
  const profiles = bundle.meta?.profile ?? [];
  const options_ = profiles.map(metadataOptionOf).filter((o): o is MetadataOption => o !== undefined);
  let option: MetadataOption | undefined = options_.includes('uncontained') ? 'uncontained' : options_.includes('comprehensive') ? 'comprehensive' : options_[0];
  const comprehensive = option === 'comprehensive' || option === 'uncontained';
  // The Bundle's own shape (type, meta.profile, requests, one SubmissionSet, some documents) is
  // the published profile's; each entry is checked against its profile as it is read below, and
  // the Bundle's check leaves those entries' resources to that check.
  const problems: CarnetError[] = check(bundle, comprehensive ? PROFILE.provideBundle : PROFILE.provideBundleMinimal, {
    entries: false,
    terminology,
    checkedElsewhere: entriesReadWithTheirProfile(bundle),
  });
  if (profiles.length > 0 && !option) problems.push(problem(`Bundle.meta.profile ${profiles.join(', ')} is not an MHD ProvideBundle profile`, 'Bundle.meta.profile'));
  option ??= 'minimal';

  // Entries: request, fullUrl, resource kinds.
  const all: Classified[] = [];
  const submissionSets: Classified[] = [];
  const folders: Classified[] = [];
  const documents: Classified[] = [];
  const binaries: Classified[] = [];
  (bundle.entry ?? []).forEach((entry, index) => {
    const path = `Bundle.entry[${index}]`;
    const c: Classified = { index, path, entry, fullUrl: entry.fullUrl };
    all.push(c);
    const resource = entry.resource;
    if (!resource) return;
    if (!entry.fullUrl && resource.resourceType !== 'Patient') problems.push(problem('fullUrl is required', `${path}.fullUrl`));
    // Conditional create (R4 http.html#ccreate) and the other conditional headers are not
    // implemented in ITI-65: refused, rather than ignored and answered as if they held.
    for (const field of CONDITIONAL_REQUEST_FIELDS) {
      if (entry.request?.[field] !== undefined) problems.push(problem(`request.${field} (conditional interaction) is not supported in ITI-65; submit without it`, `${path}.request.${field}`));
    }
    switch (resource.resourceType) {
      case 'DocumentReference':
        documents.push(c);
        break;
      case 'Binary':
        binaries.push(c);
        break;
      case 'Patient':
        break;
      case 'List': {
        const kind = listType(resource);
        if (kind === 'submissionset') submissionSets.push(c);
        else if (kind === 'folder') folders.push(c);
        else problems.push(problem('List.code must be submissionset or folder (MHDlistTypes)', `${path}.resource.code`));
        break;
      }
      default:
        problems.push(problem(`${resource.resourceType} is not expected in a Provide Document Bundle`, `${path}.resource`));
    }
  });
  const fullUrls = new Map<string, number>();
  for (const c of all) {
    if (!c.fullUrl) continue;
    if (fullUrls.has(c.fullUrl)) problems.push(problem(`fullUrl ${c.fullUrl} is used twice`, `${c.path}.fullUrl`));
    fullUrls.set(c.fullUrl, c.index);
  }

  // Patient: every subject must designate the same known patient.
  const ssEntry = submissionSets[0];
  const ssList = ssEntry?.entry.resource as List | undefined;
  const subjects: PatientLink[] = [];
  const checkSubject = (subject: { reference?: string } | undefined, path: string, required: boolean): void => {
    if (!subject) {
      if (required) problems.push(problem('subject (the patient) is required', path));
      return;
    }
    if (!subject.reference) {
      problems.push(problem('subject.reference is required', `${path}.reference`));
      return;
    }
    const inBundle = findEntry(all, subject.reference);
    if (inBundle && inBundle.entry.resource?.resourceType !== 'Patient') {
      problems.push(problem('subject must designate a Patient', `${path}.reference`));
      return;
    }
    if (!inBundle && !/(^|\/)Patient\/[^/?#]+$/.test(subject.reference)) {
      problems.push(problem(`subject ${subject.reference} is neither a Patient reference nor a Patient of the Bundle`, `${path}.reference`));
      return;
    }
    subjects.push({ reference: subject.reference, resource: inBundle?.entry.resource as Patient | undefined, path: `${path}.reference` });
  };
  if (ssEntry && ssList) checkSubject(ssList.subject, `${ssEntry.path}.resource.subject`, comprehensive);
  for (const d of documents) checkSubject((d.entry.resource as DocumentReference).subject, `${d.path}.resource.subject`, false);
  for (const f of folders) checkSubject((f.entry.resource as List).subject, `${f.path}.resource.subject`, false);

  let patientId: PatientIdentifier | undefined;
  const resolved = new Map<string, PatientIdentifier | null>();
  for (const link of subjects) {
    if (!resolved.has(link.reference)) resolved.set(link.reference, (await options.resolvePatient(link)) ?? null);
    const pid = resolved.get(link.reference) ?? null;
    if (!pid) {
      problems.push(problem(`The patient ${link.reference} is not known`, link.path, 'unknown_patient'));
      continue;
    }
    if (!patientId) patientId = pid;
    else if (pid.value !== patientId.value || pid.system !== patientId.system) {
      problems.push(problem(`${link.reference} designates another patient than the SubmissionSet`, link.path, 'patient_mismatch'));
    }
  }
  if (subjects.length === 0 && !problems.some((p) => p.location?.endsWith('.subject') || p.location?.endsWith('.subject.reference'))) {
    problems.push(problem('No subject designates the patient', ssEntry ? `${ssEntry.path}.resource.subject` : 'Bundle.entry'));
  }
  const pid = patientId ?? { value: '', system: '' };

  // SubmissionSet.
  const associations: SubmittedAssociation[] = [];
  let assocCount = 0;
  const addAssociation = (a: Omit<SubmittedAssociation, 'id'>): string => {
    const id = `Association${String(++assocCount).padStart(2, '0')}`;
    associations.push({ id, ...a });
    return id;
  };
  let submissionSet: SubmissionRequest['submissionSet'] | undefined;
  if (ssEntry && ssList) {
    const read = fromSubmissionSetList(ssList, { path: `${ssEntry.path}.resource`, comprehensive, patientId: pid, terminology, check });
    problems.push(...read.problems);
    submissionSet = { ...read.metadata, id: ssEntry.fullUrl ?? 'SubmissionSet' };
  }
  const ssId = submissionSet?.id ?? 'SubmissionSet';

  // Documents: a Bundle may hold hundreds; the event loop serves others every few of them.
  const submittedDocs: SubmittedDocument[] = [];
  const usedBinaries = new Set<number>();
  const pause = new LoopPause(16);
  for (const d of documents) {
    await pause.tick();
    const dr = d.entry.resource as DocumentReference;
    const rpath = `${d.path}.resource`;
    const read = fromDocumentReference(dr, { path: rpath, comprehensive, patientId: pid, terminology, check });
    problems.push(...read.problems);
    if (dr.status !== undefined && dr.status !== 'current') problems.push(problem('A submitted DocumentReference must have status current', `${rpath}.status`));
    const attachment = dr.content?.[0]?.attachment;
    let content: Uint8Array | null = null;
    const apath = `${rpath}.content[0].attachment`;
    if (attachment?.url) {
      const target = findEntry(all, attachment.url);
      if (!target || target.entry.resource?.resourceType !== 'Binary') {
        problems.push(problem(`attachment.url ${attachment.url} does not designate a Binary of the Bundle`, `${apath}.url`, 'missing_document'));
      } else {
        usedBinaries.add(target.index);
        const binary = target.entry.resource as Binary;
        const bytes = binary.data === undefined ? undefined : bytesOf(binary.data);
        if (!bytes) problems.push(problem('The Binary has no (valid base64) data', `${target.path}.resource.data`, 'missing_document'));
        else content = bytes;
        if (attachment.contentType && binary.contentType && baseMediaType(attachment.contentType) !== baseMediaType(binary.contentType)) {
          problems.push(problem(`attachment.contentType ${attachment.contentType} differs from the Binary's ${binary.contentType}`, `${apath}.contentType`));
        }
      }
    } else if (attachment?.data !== undefined) {
      const bytes = bytesOf(attachment.data);
      if (!bytes) problems.push(problem('attachment.data is not valid base64', `${apath}.data`));
      else content = bytes;
    } else if (attachment) {
      problems.push(problem('attachment.url (or data) is required: the document is missing', `${apath}.url`, 'missing_document'));
    }
    const id = d.fullUrl ?? `Document${d.index}`;
    submittedDocs.push({ id, metadata: read.metadata, content });

    // relatesTo -> associations; replaces + transforms on one target make XFRM_RPLC.
    const byTarget = new Map<string, { types: Set<AssociationType>; path: string }>();
    for (const r of read.relatesTo) {
      const inBundle = findEntry(all, r.target);
      let target: string | undefined;
      if (inBundle) {
        if (inBundle.entry.resource?.resourceType !== 'DocumentReference') {
          problems.push(problem('relatesTo.target must designate a DocumentReference', `${r.path}.target.reference`));
          continue;
        }
        target = inBundle.fullUrl;
      } else {
        target = existingDocumentId(r.target);
      }
      if (!target) {
        problems.push(problem(`relatesTo.target ${r.target} does not designate a DocumentReference`, `${r.path}.target.reference`));
        continue;
      }
      const type = lookup(RELATES_TO_TO_ASSOCIATION, r.code) as AssociationType;
      const slot = byTarget.get(target) ?? { types: new Set<AssociationType>(), path: r.path };
      slot.types.add(type);
      byTarget.set(target, slot);
    }
    for (const [target, { types }] of byTarget) {
      if (types.has('RPLC') && types.has('XFRM')) {
        types.delete('RPLC');
        types.delete('XFRM');
        types.add('XFRM_RPLC');
      }
      for (const type of types) addAssociation({ type, sourceId: id, targetId: target });
    }
  }

  // Folders.
  const submittedFolders: SubmittedFolder[] = [];
  for (const f of folders) {
    await pause.tick();
    const list = f.entry.resource as List;
    const read = fromFolderList(list, { path: `${f.path}.resource`, comprehensive, patientId: pid, terminology, check });
    problems.push(...read.problems);
    submittedFolders.push({ id: f.fullUrl ?? `Folder${f.index}`, metadata: read.metadata });
  }

  // Memberships: SubmissionSet -> documents and folders, folders -> documents.
  const memberTarget = (reference: string | undefined, path: string, allowExisting: boolean): { id: string; existing: boolean } | undefined => {
    if (!reference) {
      problems.push(problem('entry.item.reference is required', path));
      return undefined;
    }
    const inBundle = findEntry(all, reference);
    if (inBundle) {
      const r = inBundle.entry.resource;
      const ok = r?.resourceType === 'DocumentReference' || (r?.resourceType === 'List' && listType(r) === 'folder');
      if (!ok || !inBundle.fullUrl) {
        problems.push(problem('entry.item must designate a DocumentReference or a Folder List', path));
        return undefined;
      }
      return { id: inBundle.fullUrl, existing: false };
    }
    const existing = allowExisting ? existingDocumentId(reference) : undefined;
    if (!existing) {
      problems.push(problem(`entry.item ${reference} designates nothing in the Bundle`, path));
      return undefined;
    }
    return { id: existing, existing: true };
  };
  const ssMembers = new Set<string>();
  if (ssEntry && ssList) {
    (ssList.entry ?? []).forEach((e, i) => {
      const t = memberTarget(e.item?.reference, `${ssEntry.path}.resource.entry[${i}].item`, true);
      if (!t || ssMembers.has(t.id)) return;
      ssMembers.add(t.id);
      addAssociation({ type: 'HasMember', sourceId: ssId, targetId: t.id, submissionSetStatus: t.existing ? 'Reference' : 'Original' });
    });
  }
  // Documents and folders of the bundle belong to the submission set even when not listed.
  for (const c of [...documents, ...folders]) {
    if (c.fullUrl && !ssMembers.has(c.fullUrl)) {
      ssMembers.add(c.fullUrl);
      addAssociation({ type: 'HasMember', sourceId: ssId, targetId: c.fullUrl, submissionSetStatus: 'Original' });
    }
  }
  for (const f of folders) {
    await pause.tick();
    const list = f.entry.resource as List;
    const folderId = f.fullUrl ?? `Folder${f.index}`;
    (list.entry ?? []).forEach((e, i) => {
      const t = memberTarget(e.item?.reference, `${f.path}.resource.entry[${i}].item`, true);
      if (!t) return;
      const assocId = addAssociation({ type: 'HasMember', sourceId: folderId, targetId: t.id });
      addAssociation({ type: 'HasMember', sourceId: ssId, targetId: assocId, submissionSetStatus: 'Original' });
    });
  }

  const orphanContentIds = binaries.filter((b) => !usedBinaries.has(b.index)).map((b) => b.fullUrl ?? `Binary${b.index}`);

  if (problems.length > 0 || !submissionSet) {
    return { option, problems: problems.length > 0 ? distinct(problems) : [problem('No SubmissionSet', 'Bundle.entry')] };
  }
  const request: SubmissionRequest = { submissionSet, documents: submittedDocs, folders: submittedFolders, associations };
  if (orphanContentIds.length > 0) request.orphanContentIds = orphanContentIds;
  return { request, option, problems };
}

/** Translate an ITI-65 Bundle, throwing CarnetErrors with every problem when it is not acceptable. */
export async function provideBundleToSubmission(bundle: Bundle, options: ProvideBundleOptions): Promise<SubmissionRequest> {
  const { request, problems } = await readProvideBundle(bundle, options);
  if (!request || problems.length > 0) throw new CarnetErrors(problems);
  return request;
}

// ------------------------------------------------------------------ transaction-response

export interface TransactionResponseOptions {
  /** response.lastModified of every entry (default: now) */
  lastModified?: string;
}

/**
 * The ITI-65 answer: one entry per request entry, in order, each `201 Created` with the location
 * of what was stored (DocumentReference/<uuid>, List/<uuid>, Binary/<uuid of its document>).
 */
export function transactionResponse(request: Bundle, result: SubmissionResult, options: TransactionResponseOptions = {}): Bundle {
  const lastModified = options.lastModified ?? new Date().toISOString();
  const entries = request.entry ?? [];
  const classified: Classified[] = entries.map((entry, index) => ({ index, path: `Bundle.entry[${index}]`, entry, fullUrl: entry.fullUrl }));
  const assigned = (symbolic: string | undefined): string | undefined => {
    if (!symbolic) return undefined;
    const id = result.assignedIds[symbolic] ?? (symbolic.startsWith('urn:uuid:') ? symbolic : undefined);
    return id ? stripUrnUuid(id) : undefined;
  };
  // Binary -> the document that points at it.
  const binaryOwner = new Map<number, string | undefined>();
  const binaryDocument = new Map<number, string | undefined>();
  for (const c of classified) {
    const r = c.entry.resource;
    if (r?.resourceType !== 'DocumentReference') continue;
    const url = r.content?.[0]?.attachment?.url;
    const target = url ? findEntry(classified, url) : undefined;
    if (target) {
      binaryOwner.set(target.index, assigned(c.fullUrl));
      binaryDocument.set(target.index, c.fullUrl);
    }
  }
  // DOC-04: a document sent again with identical content was not created again; its entry says
  // so (200, the registered version, a warning) instead of claiming a creation.
  const again = new Map(result.resubmitted.map((r) => [r.id, r]));
  const response: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction-response',
    entry: classified.map((c) => {
      const r = c.entry.resource;
      const resent = again.get((r?.resourceType === 'Binary' ? binaryDocument.get(c.index) : c.fullUrl) ?? '');
      let location: string | undefined;
      switch (r?.resourceType) {
        // R4 http.html#transaction-response: the location names the version created
        case 'DocumentReference':
          location = `DocumentReference/${assigned(c.fullUrl) ?? ''}/_history/1`;
          break;
        case 'List':
          location = `List/${listType(r) === 'submissionset' ? (assigned(c.fullUrl) ?? stripUrnUuid(result.submissionSetUuid)) : (assigned(c.fullUrl) ?? '')}/_history/1`;
          break;
        case 'Binary':
          location = `Binary/${binaryOwner.get(c.index) ?? assigned(c.fullUrl) ?? ''}`;
          break;
        case 'Patient':
          // The Patient entry designates an existing record; nothing is created: 200 and the
          // record's own location (readable), not a 201 naming the Bundle's urn:uuid.
          if (result.patientKey) return { response: { status: '200 OK', location: `Patient/${result.patientKey}` } };
          location = c.fullUrl;
          break;
        default:
          location = r?.id ? `${r.resourceType}/${r.id}` : c.fullUrl;
      }
      if (resent && (r?.resourceType === 'DocumentReference' || r?.resourceType === 'Binary')) {
        // nothing was created: the location names the registered document, not a version made now
        location = location?.replace(/\/_history\/1$/, '');
        const said = `uniqueId ${resent.uniqueId} is already registered with the same content, as DocumentReference/${stripUrnUuid(resent.entryUuid)} (version ${resent.version}); nothing new was created (DOC-04)`;
        return { response: { status: '200 OK', location, etag: `W/"${resent.version}"`, outcome: warningOutcome(said) } };
      }
      return { response: { status: '201 Created', location, etag: 'W/"1"', lastModified } };
    }),
  };
  return response;
}
