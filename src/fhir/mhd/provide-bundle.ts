// ITI-65 Provide Document Bundle -> SubmissionRequest. Every problem found is collected with its
// FHIRPath location; nothing is half-translated: the caller gets either a complete
// SubmissionRequest or a CarnetErrors listing all problems. The steps have files of their own:
// the metadata option (metadata-option.ts), the entries (bundle-entries.ts), the patient
// (provide-subjects.ts), the documents (provide-documents.ts), the memberships
// (provide-members.ts); the answer is provide-response.ts's.
import type { Bundle, List, Resource } from '@medplum/fhirtypes';
import { CarnetError, CarnetErrors } from '../../domain/errors.js';
import type { SubmissionRequest, SubmittedFolder } from '../../domain/submission.js';
import { fromFolderList, fromSubmissionSetList, listType } from './lists.js';
import { PROFILE } from '../validation/profiles.js';
import { profileProblems, type ProfileCheck } from '../validation/validate.js';
import { shapeProblems } from '../validation/shapes.js';
import { decodeBase64 } from './provide-payloads.js';
import { LoopPause } from '../../util/event-loop.js';
import { claimedOption, type MetadataOption } from './metadata-option.js';
import { classify, entriesReadWithTheirProfile, problem, type Classified } from './bundle-entries.js';
import { resolveSubjects, type PatientResolver } from './provide-subjects.js';
import { readDocuments } from './provide-documents.js';
import { Associations, addMemberships } from './provide-members.js';

/**
 * How a Bundle's JSON shape is checked: shapeProblems (the default), or the answer a worker
 * thread found for the very same Bundle (provide-bundle-checks.ts).
 */
export type ShapeCheck = (bundle: Bundle, path: string) => CarnetError[];

/**
 * The profile checks as made on the spot. The reader asks for them only once the Bundle's JSON
 * shapes were found right, so they do not walk them again.
 */
export const checkAfterShapes: ProfileCheck = (resource, profileUrl, options) => profileProblems(resource, profileUrl, { ...options, shapesChecked: true });

export interface ProvideBundleOptions {
  resolvePatient: PatientResolver;
  /** check the profiles' required bindings (the DMP terminologies) too; the route does */
  terminology?: boolean;
  /** how each profile is checked (default: here, now; the route: answers a worker thread computed) */
  check?: ProfileCheck;
  /** how the Bundle's JSON shape is checked (default: here, now; the route: the worker's answer) */
  shapes?: ShapeCheck;
  /**
   * The bytes of a payload a worker thread took out of the Bundle (provide-payloads.ts): null
   * when `data` is base64 to decode here, undefined when it was not base64.
   */
  payload?: (data: string) => Uint8Array | undefined | null;
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

const CONDITIONAL_REQUEST_FIELDS = ['ifNoneExist', 'ifMatch', 'ifNoneMatch', 'ifModifiedSince'] as const;

interface Sorted {
  all: Classified[];
  submissionSets: Classified[];
  folders: Classified[];
  documents: Classified[];
  binaries: Classified[];
}

/** The entries by kind, with what is wrong in their request, fullUrl or kind said in `problems`. */
function sortEntries(bundle: Bundle, problems: CarnetError[]): Sorted {
  const sorted: Sorted = { all: classify(bundle), submissionSets: [], folders: [], documents: [], binaries: [] };
  for (const c of sorted.all) {
    const { entry, path } = c;
    const resource = entry.resource;
    if (!resource) continue;
    if (!entry.fullUrl && resource.resourceType !== 'Patient') problems.push(problem('fullUrl is required', `${path}.fullUrl`));
    // Conditional create (R4 http.html#ccreate) and the other conditional headers are not
    // implemented in ITI-65: refused, rather than ignored and answered as if they held.
    for (const field of CONDITIONAL_REQUEST_FIELDS) {
      if (entry.request?.[field] !== undefined) problems.push(problem(`request.${field} (conditional interaction) is not supported in ITI-65; submit without it`, `${path}.request.${field}`));
    }
    switch (resource.resourceType) {
      case 'DocumentReference':
        sorted.documents.push(c);
        break;
      case 'Binary':
        sorted.binaries.push(c);
        break;
      case 'Patient':
        break;
      case 'List': {
        const kind = listType(resource);
        if (kind === 'submissionset') sorted.submissionSets.push(c);
        else if (kind === 'folder') sorted.folders.push(c);
        else problems.push(problem('List.code must be submissionset or folder (MHDlistTypes)', `${path}.resource.code`));
        break;
      }
      default:
        problems.push(problem(`${resource.resourceType} is not expected in a Provide Document Bundle`, `${path}.resource`));
    }
  }
  const fullUrls = new Set<string>();
  for (const c of sorted.all) {
    if (!c.fullUrl) continue;
    if (fullUrls.has(c.fullUrl)) problems.push(problem(`fullUrl ${c.fullUrl} is used twice`, `${c.path}.fullUrl`));
    fullUrls.add(c.fullUrl);
  }
  return sorted;
}

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
  const misshapen = (options.shapes ?? shapeProblems)(bundle, 'Bundle');
  if (misshapen.length > 0) return { problems: misshapen };
  const terminology = options.terminology ?? false;
  const check = options.check ?? checkAfterShapes;
  const bytesOf = (data: string): Uint8Array | undefined => {
    const taken = options.payload ? options.payload(data) : null;
    return taken === null ? decodeBase64(data) : taken;
  };

  const profiles = bundle.meta?.profile ?? [];
  let option = claimedOption(profiles);
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

  const { all, submissionSets, folders, documents, binaries } = sortEntries(bundle, problems);
  const ssEntry = submissionSets[0];
  const patientId = await resolveSubjects({ all, submissionSet: ssEntry, documents, folders, comprehensive }, options.resolvePatient, problems);
  const pid = patientId ?? { value: '', system: '' };

  let submissionSet: SubmissionRequest['submissionSet'] | undefined;
  if (ssEntry?.entry.resource) {
    const read = fromSubmissionSetList(ssEntry.entry.resource as List, { path: `${ssEntry.path}.resource`, comprehensive, patientId: pid, terminology, check });
    problems.push(...read.problems);
    submissionSet = { ...read.metadata, id: ssEntry.fullUrl ?? 'SubmissionSet' };
  }
  const submissionSetId = submissionSet?.id ?? 'SubmissionSet';

  const associations = new Associations();
  // a Bundle may hold hundreds of documents: the event loop serves others every few of them
  const pause = new LoopPause(16);
  const read = await readDocuments(documents, { all, comprehensive, patientId: pid, terminology, check, bytesOf }, associations, problems, pause);

  const submittedFolders: SubmittedFolder[] = [];
  for (const f of folders) {
    await pause.tick();
    const folder = fromFolderList(f.entry.resource as List, { path: `${f.path}.resource`, comprehensive, patientId: pid, terminology, check });
    problems.push(...folder.problems);
    submittedFolders.push({ id: f.fullUrl ?? `Folder${f.index}`, metadata: folder.metadata });
  }

  await addMemberships({ all, submissionSet: ssEntry, submissionSetId, documents, folders }, associations, problems, pause);

  if (problems.length > 0 || !submissionSet) {
    return { option, problems: problems.length > 0 ? distinct(problems) : [problem('No SubmissionSet', 'Bundle.entry')] };
  }
  const request: SubmissionRequest = { submissionSet, documents: read.documents, folders: submittedFolders, associations: associations.list };
  const orphanContentIds = binaries.filter((b) => !read.usedBinaries.has(b.index)).map((b) => b.fullUrl ?? `Binary${b.index}`);
  if (orphanContentIds.length > 0) request.orphanContentIds = orphanContentIds;
  return { request, option, problems };
}

/** Translate an ITI-65 Bundle, throwing CarnetErrors with every problem when it is not acceptable. */
export async function provideBundleToSubmission(bundle: Bundle, options: ProvideBundleOptions): Promise<SubmissionRequest> {
  const { request, problems } = await readProvideBundle(bundle, options);
  if (!request || problems.length > 0) throw new CarnetErrors(problems);
  return request;
}
