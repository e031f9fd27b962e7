// The entries of an ITI-65 Bundle as its reading and its answer find them: by fullUrl, by
// `Type/id`, and which of them are read against their own profiles.
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { CarnetError } from '../../domain/errors.js';
import { listType } from './lists.js';

export interface Classified {
  index: number;
  path: string;
  entry: BundleEntry;
  fullUrl?: string;
}

export function classify(bundle: Bundle): Classified[] {
  return (bundle.entry ?? []).map((entry, index) => ({ index, path: `Bundle.entry[${index}]`, entry, fullUrl: entry.fullUrl }));
}

export function problem(message: string, location: string, code: CarnetError['code'] = 'invalid_metadata'): CarnetError {
  return new CarnetError(code, message, { location });
}

/** Locate a bundle entry by a reference: exact fullUrl, or `Type/id` against fullUrl tails / resource ids. */
export function findEntry(entries: Classified[], reference: string): Classified | undefined {
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
export function existingDocumentId(reference: string): string | undefined {
  const m = /(?:^|\/)DocumentReference\/([^/?#]+)$/.exec(reference);
  return m?.[1] ? `urn:uuid:${m[1]}` : undefined;
}

/**
 * The entries whose resources the reading checks against their own profiles: every
 * DocumentReference, the first SubmissionSet List, every folder List (as it classifies them).
 */
export function entriesReadWithTheirProfile(bundle: Bundle): number[] {
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
