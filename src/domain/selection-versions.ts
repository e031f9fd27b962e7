// DOC-07 / ACC-08: a personal selection's version and date as one reader is shown them. The
// selections are the record's, kept by the patient side together (the patient, and a minor's or a
// protected adult's legal representatives, MIN-01); what the minor keeps from them (MASK-03,
// MASK-04) must not show through a selection. Its members are already each reader's (the
// documents they may read); its version and date are too: they count only the changes a reader
// could notice — a rename, a save that touched no member, or one that added or removed a
// document that reader may read. A change about hidden documents alone moves nothing for them
// (and an If-Match on the version they were shown still holds).
import { patientSideHolders } from './announcements.js';
import { decide } from './decide.js';
import type { StoredDocumentEntry } from './model.js';
import type { Policy } from './policy.js';
import { documentFacts, type RecordContext } from './record.js';
import type { ResourceVersion, StoredVersion } from './resource-versions.js';

/** One change of a selection: when, whether its name changed, the documents added or removed. */
export interface SelectionChange {
  at: Date;
  renamed: boolean;
  /** logical ids, bare and lower-case */
  touched: readonly string[];
}

/** Whether a reader who may read `reads` notices `change`. */
export function noticedBy(change: SelectionChange, reads: (logicalId: string) => boolean): boolean {
  return change.renamed || change.touched.length === 0 || change.touched.some(reads);
}

/**
 * The reader's version: the count kept before changes were told apart (`base`, migration 0040;
 * none: version 1 at the creation), then one more for each change the reader notices, dated by
 * the latest of them.
 */
export function selectionVersion(base: StoredVersion | undefined, createdAt: Date, changes: readonly SelectionChange[], reads: (logicalId: string) => boolean): ResourceVersion {
  let version = base?.version ?? 1;
  let at = base?.updatedAt ?? createdAt;
  for (const c of changes) {
    if (!noticedBy(c, reads)) continue;
    version++;
    if (c.at > at) at = c.at;
  }
  return { versionId: String(version), lastUpdated: at.toISOString() };
}

/** The documents one change adds or removes: those in one list and not the other. */
export function touchedBetween(before: readonly string[], after: readonly string[]): string[] {
  const was = new Set(before);
  const is = new Set(after);
  return [...after.filter((id) => !was.has(id)), ...before.filter((id) => !is.has(id))];
}

/**
 * The members a holder's save leaves: those they gave, then the former members they may not read,
 * in their order. A holder cannot name what they do not see, and their change must not remove it
 * (nor would they know it had).
 */
export function membersAfterSave(given: readonly string[], before: readonly string[], reads: (logicalId: string) => boolean): string[] {
  const kept = before.filter((id) => !reads(id) && !given.includes(id));
  return [...given, ...kept];
}

/**
 * TRACE-05: the document the history row of a change names, so that the row is shown only to
 * those who may read it (history-visibility.ts). A rename, or a save that touched nothing, names
 * none: every holder sees the name change. A change of members names one of the documents it
 * touched (`touched`, current versions in the change's order): one every holder of the patient
 * side reads if there is one, else the first — a change that touched only documents kept from a
 * representative (MASK-03, MASK-04) is then not in that representative's history either.
 */
export function changeSubject(policy: Policy, ctx: RecordContext, change: SelectionChange, touched: readonly StoredDocumentEntry[], now: Date): StoredDocumentEntry | undefined {
  if (change.renamed || !touched.length) return undefined;
  const holders = patientSideHolders(ctx, now);
  return touched.find((e) => holders.every((h) => decide(policy, h, ctx, documentFacts(e), 'document.read', now).permit)) ?? touched[0];
}
