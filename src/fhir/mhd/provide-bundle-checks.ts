// The checks of an ITI-65 Bundle, computed on a worker thread and replayed on the event loop.
// Checking a Bundle at the limits (hundreds of entries) against the MHD profiles takes seconds
// of CPU: the worker reads the Bundle once, recording the answer of its JSON shape check and of
// every profile check, by profile and FHIRPath; the route then reads it again with those
// answers, a pass that costs little.
import type { Bundle } from '@medplum/fhirtypes';
import type { CarnetError } from '../../domain/errors.js';
import { profileProblems, type ProfileCheck, type ValidationOptions } from '../validation/validate.js';
import { shapeProblems } from '../validation/shapes.js';
import { checkAfterShapes, readProvideBundle, type ShapeCheck } from './provide-bundle.js';

/** One check, named by what it was asked: the profile, where the resource is, how. */
export function profileCheckKey(profileUrl: string, options: ValidationOptions & { path?: string }): string {
  return `${profileUrl}|${options.path ?? ''}|${options.terminology ?? true}|${options.entries ?? true}|${options.checkedElsewhere?.join(',') ?? ''}`;
}

/** The shape check of the Bundle at `path` (no profile URL has this form). */
export function shapeCheckKey(path: string): string {
  return `shapes|${path}`;
}

/**
 * Reads `bundle` as the route would (its patients left unresolved: the checks do not depend on
 * them) and answers its shape check and every profile check it made.
 */
export async function recordProvideBundleChecks(bundle: Bundle, terminology: boolean): Promise<Map<string, CarnetError[]>> {
  const recorded = new Map<string, CarnetError[]>();
  // the reader adds its own problems to the arrays it is given: each check's own are recorded
  const shapes: ShapeCheck = (b, path) => {
    const problems = shapeProblems(b, path);
    recorded.set(shapeCheckKey(path), [...problems]);
    return problems;
  };
  const check: ProfileCheck = (resource, profileUrl, options) => {
    const problems = checkAfterShapes(resource, profileUrl, options);
    recorded.set(profileCheckKey(profileUrl, options), [...problems]);
    return problems;
  };
  await readProvideBundle(bundle, { resolvePatient: () => undefined, terminology, check, shapes });
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
