// The patient of an ITI-65 Bundle: every subject (the SubmissionSet's, each document's, each
// folder's) must designate the same known record. Which references to resolve is found here;
// resolving them is the caller's (the services know the records).
import type { DocumentReference, List, Patient } from '@medplum/fhirtypes';
import type { CarnetError } from '../../domain/errors.js';
import type { PatientIdentifier } from '../../domain/model.js';
import { findEntry, problem, type Classified } from './bundle-entries.js';

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

export interface SubjectHolders {
  all: Classified[];
  submissionSet?: Classified;
  documents: Classified[];
  folders: Classified[];
  /** whether the SubmissionSet must name its subject (the Comprehensive option) */
  comprehensive: boolean;
}

/** The subject references to resolve; what is wrong with the others goes to `problems`. */
function subjectLinks(h: SubjectHolders, problems: CarnetError[]): PatientLink[] {
  const links: PatientLink[] = [];
  const read = (subject: { reference?: string } | undefined, path: string, required: boolean): void => {
    if (!subject) {
      if (required) problems.push(problem('subject (the patient) is required', path));
      return;
    }
    if (!subject.reference) {
      problems.push(problem('subject.reference is required', `${path}.reference`));
      return;
    }
    const inBundle = findEntry(h.all, subject.reference);
    if (inBundle && inBundle.entry.resource?.resourceType !== 'Patient') {
      problems.push(problem('subject must designate a Patient', `${path}.reference`));
      return;
    }
    if (!inBundle && !/(^|\/)Patient\/[^/?#]+$/.test(subject.reference)) {
      problems.push(problem(`subject ${subject.reference} is neither a Patient reference nor a Patient of the Bundle`, `${path}.reference`));
      return;
    }
    links.push({ reference: subject.reference, resource: inBundle?.entry.resource as Patient | undefined, path: `${path}.reference` });
  };
  const ss = h.submissionSet;
  if (ss?.entry.resource) read((ss.entry.resource as List).subject, `${ss.path}.resource.subject`, h.comprehensive);
  for (const d of h.documents) read((d.entry.resource as DocumentReference).subject, `${d.path}.resource.subject`, false);
  for (const f of h.folders) read((f.entry.resource as List).subject, `${f.path}.resource.subject`, false);
  return links;
}

/**
 * The record every subject designates (each distinct reference resolved once), or undefined
 * with the problems said in `problems`: unknown patients, subjects that disagree, no subject.
 */
export async function resolveSubjects(h: SubjectHolders, resolve: PatientResolver, problems: CarnetError[]): Promise<PatientIdentifier | undefined> {
  const links = subjectLinks(h, problems);
  let patientId: PatientIdentifier | undefined;
  const resolved = new Map<string, PatientIdentifier | null>();
  for (const link of links) {
    if (!resolved.has(link.reference)) resolved.set(link.reference, (await resolve(link)) ?? null);
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
  if (links.length === 0 && !problems.some((p) => p.location?.endsWith('.subject') || p.location?.endsWith('.subject.reference'))) {
    problems.push(problem('No subject designates the patient', h.submissionSet ? `${h.submissionSet.path}.resource.subject` : 'Bundle.entry'));
  }
  return patientId;
}
