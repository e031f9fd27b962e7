// The associations of an ITI-65 submission: numbered in the order they are made, and the
// memberships the Bundle states (SubmissionSet -> documents and folders, folders -> documents)
// or implies (every document and folder of the Bundle belongs to its SubmissionSet).
import type { List } from '@medplum/fhirtypes';
import type { CarnetError } from '../../domain/errors.js';
import type { SubmittedAssociation } from '../../domain/submission.js';
import type { LoopPause } from '../../util/event-loop.js';
import { existingDocumentId, findEntry, problem, type Classified } from './bundle-entries.js';
import { listType } from './lists.js';

/** The submission's associations, each given the next symbolic id. */
export class Associations {
  readonly list: SubmittedAssociation[] = [];

  add(a: Omit<SubmittedAssociation, 'id'>): string {
    const id = `Association${String(this.list.length + 1).padStart(2, '0')}`;
    this.list.push({ id, ...a });
    return id;
  }
}

export interface Members {
  all: Classified[];
  submissionSet?: Classified;
  /** the SubmissionSet's symbolic id */
  submissionSetId: string;
  documents: Classified[];
  folders: Classified[];
}

/** Adds the memberships of `m` to `associations`; what designates nothing goes to `problems`. */
export async function addMemberships(m: Members, associations: Associations, problems: CarnetError[], pause: LoopPause): Promise<void> {
  const target = (reference: string | undefined, path: string): { id: string; existing: boolean } | undefined => {
    if (!reference) {
      problems.push(problem('entry.item.reference is required', path));
      return undefined;
    }
    const inBundle = findEntry(m.all, reference);
    if (inBundle) {
      const r = inBundle.entry.resource;
      const ok = r?.resourceType === 'DocumentReference' || (r?.resourceType === 'List' && listType(r) === 'folder');
      if (!ok || !inBundle.fullUrl) {
        problems.push(problem('entry.item must designate a DocumentReference or a Folder List', path));
        return undefined;
      }
      return { id: inBundle.fullUrl, existing: false };
    }
    const existing = existingDocumentId(reference);
    if (!existing) {
      problems.push(problem(`entry.item ${reference} designates nothing in the Bundle`, path));
      return undefined;
    }
    return { id: existing, existing: true };
  };
  const ssId = m.submissionSetId;
  const ssMembers = new Set<string>();
  const ss = m.submissionSet;
  if (ss?.entry.resource) {
    ((ss.entry.resource as List).entry ?? []).forEach((e, i) => {
      const t = target(e.item?.reference, `${ss.path}.resource.entry[${i}].item`);
      if (!t || ssMembers.has(t.id)) return;
      ssMembers.add(t.id);
      associations.add({ type: 'HasMember', sourceId: ssId, targetId: t.id, submissionSetStatus: t.existing ? 'Reference' : 'Original' });
    });
  }
  // Documents and folders of the bundle belong to the submission set even when not listed.
  for (const c of [...m.documents, ...m.folders]) {
    if (c.fullUrl && !ssMembers.has(c.fullUrl)) {
      ssMembers.add(c.fullUrl);
      associations.add({ type: 'HasMember', sourceId: ssId, targetId: c.fullUrl, submissionSetStatus: 'Original' });
    }
  }
  for (const f of m.folders) {
    await pause.tick();
    const folderId = f.fullUrl ?? `Folder${f.index}`;
    ((f.entry.resource as List).entry ?? []).forEach((e, i) => {
      const t = target(e.item?.reference, `${f.path}.resource.entry[${i}].item`);
      if (!t) return;
      const assocId = associations.add({ type: 'HasMember', sourceId: folderId, targetId: t.id });
      associations.add({ type: 'HasMember', sourceId: ssId, targetId: assocId, submissionSetStatus: 'Original' });
    });
  }
}
