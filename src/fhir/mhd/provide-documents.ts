// The documents of an ITI-65 Bundle: each DocumentReference read as a DocumentEntry, its content
// taken from the Binary it points at (or its own attachment data), and its relatesTo made
// associations (replaces + transforms on one target make XFRM_RPLC).
import type { Binary, DocumentReference } from '@medplum/fhirtypes';
import type { CarnetError } from '../../domain/errors.js';
import type { AssociationType, PatientIdentifier } from '../../domain/model.js';
import type { SubmittedDocument } from '../../domain/submission.js';
import { lookup } from '../../domain/lookup.js';
import type { LoopPause } from '../../util/event-loop.js';
import type { ProfileCheck } from '../validation/validate.js';
import { existingDocumentId, findEntry, problem, type Classified } from './bundle-entries.js';
import { RELATES_TO_TO_ASSOCIATION } from './document-reference.js';
import { fromDocumentReference } from './document-reference-from-fhir.js';
import type { Associations } from './provide-members.js';

export interface DocumentReading {
  all: Classified[];
  comprehensive: boolean;
  patientId: PatientIdentifier;
  terminology: boolean;
  check: ProfileCheck;
  /** a payload's bytes, undefined when it is not base64 */
  bytesOf: (data: string) => Uint8Array | undefined;
}

function baseMediaType(t: string): string {
  return (t.split(';')[0] ?? '').trim().toLowerCase();
}

/** The bytes of a document, from its attachment; null (with the problem said) when there are none. */
function contentOf(dr: DocumentReference, rpath: string, r: DocumentReading, usedBinaries: Set<number>, problems: CarnetError[]): Uint8Array | null {
  const attachment = dr.content?.[0]?.attachment;
  const apath = `${rpath}.content[0].attachment`;
  if (attachment?.url) {
    const target = findEntry(r.all, attachment.url);
    if (!target || target.entry.resource?.resourceType !== 'Binary') {
      problems.push(problem(`attachment.url ${attachment.url} does not designate a Binary of the Bundle`, `${apath}.url`, 'missing_document'));
      return null;
    }
    usedBinaries.add(target.index);
    const binary = target.entry.resource as Binary;
    const bytes = binary.data === undefined ? undefined : r.bytesOf(binary.data);
    if (!bytes) problems.push(problem('The Binary has no (valid base64) data', `${target.path}.resource.data`, 'missing_document'));
    if (attachment.contentType && binary.contentType && baseMediaType(attachment.contentType) !== baseMediaType(binary.contentType)) {
      problems.push(problem(`attachment.contentType ${attachment.contentType} differs from the Binary's ${binary.contentType}`, `${apath}.contentType`));
    }
    return bytes ?? null;
  }
  if (attachment?.data !== undefined) {
    const bytes = r.bytesOf(attachment.data);
    if (!bytes) problems.push(problem('attachment.data is not valid base64', `${apath}.data`));
    return bytes ?? null;
  }
  if (attachment) problems.push(problem('attachment.url (or data) is required: the document is missing', `${apath}.url`, 'missing_document'));
  return null;
}

/**
 * Reads every document of `documents` (a Bundle may hold hundreds: the event loop serves others
 * every few of them); returns them with the Binaries they used.
 */
export async function readDocuments(
  documents: Classified[],
  r: DocumentReading,
  associations: Associations,
  problems: CarnetError[],
  pause: LoopPause,
): Promise<{ documents: SubmittedDocument[]; usedBinaries: Set<number> }> {
  const submitted: SubmittedDocument[] = [];
  const usedBinaries = new Set<number>();
  for (const d of documents) {
    await pause.tick();
    const dr = d.entry.resource as DocumentReference;
    const rpath = `${d.path}.resource`;
    const read = fromDocumentReference(dr, { path: rpath, comprehensive: r.comprehensive, patientId: r.patientId, terminology: r.terminology, check: r.check });
    problems.push(...read.problems);
    if (dr.status !== undefined && dr.status !== 'current') problems.push(problem('A submitted DocumentReference must have status current', `${rpath}.status`));
    const content = contentOf(dr, rpath, r, usedBinaries, problems);
    const id = d.fullUrl ?? `Document${d.index}`;
    submitted.push({ id, metadata: read.metadata, content });

    const byTarget = new Map<string, Set<AssociationType>>();
    for (const rel of read.relatesTo) {
      const inBundle = findEntry(r.all, rel.target);
      let target: string | undefined;
      if (inBundle) {
        if (inBundle.entry.resource?.resourceType !== 'DocumentReference') {
          problems.push(problem('relatesTo.target must designate a DocumentReference', `${rel.path}.target.reference`));
          continue;
        }
        target = inBundle.fullUrl;
      } else {
        target = existingDocumentId(rel.target);
      }
      if (!target) {
        problems.push(problem(`relatesTo.target ${rel.target} does not designate a DocumentReference`, `${rel.path}.target.reference`));
        continue;
      }
      const types = byTarget.get(target) ?? new Set<AssociationType>();
      types.add(lookup(RELATES_TO_TO_ASSOCIATION, rel.code) as AssociationType);
      byTarget.set(target, types);
    }
    for (const [target, types] of byTarget) {
      if (types.has('RPLC') && types.has('XFRM')) {
        types.delete('RPLC');
        types.delete('XFRM');
        types.add('XFRM_RPLC');
      }
      for (const type of types) associations.add({ type, sourceId: id, targetId: target });
    }
  }
  return { documents: submitted, usedBinaries };
}
