// The checks of an ITI-65 Bundle, computed on a worker thread and replayed on the event loop.
// Checking a Bundle at the limits (hundreds of entries) against the MHD profiles takes seconds
// of CPU: the worker lists the checks the reading will ask (its JSON shape, then each profile by
// resource and FHIRPath) and answers them; the route then reads the Bundle with those answers, a
// pass that costs little. The worker does not read the Bundle itself: listing the checks costs a
// glance at its entries, where the reading cost it a seventh of its task (docs/PERFORMANCE.md).
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { CarnetError } from '../../domain/errors.js';
import { profileProblems, type ProfileCheck, type ValidationOptions } from '../validation/validate.js';
import { PROFILE } from '../validation/profiles.js';
import { shapeProblems } from '../validation/shapes.js';
import { checkAfterShapes, type ShapeCheck } from './provide-bundle.js';
import { entriesReadWithTheirProfile } from './bundle-entries.js';
import { claimedOption } from './metadata-option.js';
import { listType } from './lists.js';

/** One check, named by what it was asked: the profile, where the resource is, how. */
export function profileCheckKey(profileUrl: string, options: ValidationOptions & { path?: string }): string {
  return `${profileUrl}|${options.path ?? ''}|${options.terminology ?? true}|${options.entries ?? true}|${options.checkedElsewhere?.join(',') ?? ''}`;
}

/** The shape check of the Bundle at `path` (no profile URL has this form). */
export function shapeCheckKey(path: string): string {
  return `shapes|${path}`;
}

/** One profile check as the reading asks it: the resource, the profile, the options (its path among them). */
export interface AskedCheck {
  resource: Resource;
  profileUrl: string;
  options: ValidationOptions & { path?: string };
}

/**
 * The profile checks readProvideBundle asks of a Bundle whose JSON shapes are right, in its order:
 * the Bundle against its ProvideBundle profile (its entries read with their own profile left to
 * those checks), the first SubmissionSet List, each DocumentReference, each folder List, each
 * against the profile of the Bundle's metadata option. The reading chooses them the same way
 * (provide-bundle.ts, lists.ts, document-reference.ts); the test holds the two lists equal, and a
 * check missing here would only be made on the event loop (replayingCheck), never skipped.
 */
export function provideBundleChecksAsked(bundle: Bundle, terminology: boolean): AskedCheck[] {
  const option = claimedOption(bundle.meta?.profile ?? []);
  const comprehensive = option === 'comprehensive' || option === 'uncontained';
  const asked: AskedCheck[] = [
    {
      resource: bundle,
      profileUrl: comprehensive ? PROFILE.provideBundle : PROFILE.provideBundleMinimal,
      options: { entries: false, terminology, checkedElsewhere: entriesReadWithTheirProfile(bundle) },
    },
  ];
  const entries = bundle.entry ?? [];
  const ofKind = (kind: 'submissionset' | 'folder' | 'document') =>
    entries.flatMap((entry, i) => {
      const r = entry.resource;
      const fits = kind === 'document' ? r?.resourceType === 'DocumentReference' : r?.resourceType === 'List' && listType(r) === kind;
      return fits ? [{ resource: r as Resource, path: `Bundle.entry[${i}].resource` }] : [];
    });
  const ask = (found: { resource: Resource; path: string }, full: string, minimal: string) =>
    asked.push({ resource: found.resource, profileUrl: comprehensive ? full : minimal, options: { path: found.path, terminology } });
  const submissionSet = ofKind('submissionset')[0];
  if (submissionSet) ask(submissionSet, PROFILE.submissionSet, PROFILE.submissionSetMinimal);
  for (const d of ofKind('document')) ask(d, PROFILE.documentReference, PROFILE.documentReferenceMinimal);
  for (const f of ofKind('folder')) ask(f, PROFILE.folder, PROFILE.folderMinimal);
  return asked;
}

/**
 * The answers of the checks the reading of `bundle` asks: its shape check and, when its shapes
 * are right, every profile check (provideBundleChecksAsked), by key.
 */
export function recordProvideBundleChecks(bundle: Bundle, terminology: boolean): Map<string, CarnetError[]> {
  const recorded = new Map<string, CarnetError[]>();
  // the reading asks nothing of what is not a Bundle
  if ((bundle as Resource).resourceType !== 'Bundle') return recorded;
  const misshapen = shapeProblems(bundle, 'Bundle');
  recorded.set(shapeCheckKey('Bundle'), misshapen);
  if (misshapen.length > 0) return recorded;
  for (const { resource, profileUrl, options } of provideBundleChecksAsked(bundle, terminology)) {
    recorded.set(profileCheckKey(profileUrl, options), checkAfterShapes(resource, profileUrl, options));
  }
  return recorded;
}

/** A check that answers from `recorded`, and checks here what was not recorded (never skips one). */
export function replayingCheck(recorded: Map<string, CarnetError[]>): ProfileCheck {
  return (resource, profileUrl, options) => {
    const answer = recorded.get(profileCheckKey(profileUrl, options));
    return answer ? [...answer] : profileProblems(resource, profileUrl, options);
  };
}

/**
 * The shape check answered from `recorded`: the worker walked the very Bundle the event loop
 * holds (the same JSON, its payloads' text replaced by other text), as it found its profile
 * answers. A Bundle whose shapes were not recorded is walked here: nothing malformed reaches
 * the reading unchecked.
 */
export function replayingShapes(recorded: Map<string, CarnetError[]>): ShapeCheck {
  return (bundle, path) => {
    const answer = recorded.get(shapeCheckKey(path));
    return answer ? [...answer] : shapeProblems(bundle, path);
  };
}

/** Both replays, as readProvideBundle takes them. */
export function replayingChecks(recorded: Map<string, CarnetError[]>): { check: ProfileCheck; shapes: ShapeCheck } {
  return { check: replayingCheck(recorded), shapes: replayingShapes(recorded) };
}
