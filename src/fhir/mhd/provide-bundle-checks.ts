// The profile checks of an ITI-65 Bundle, computed on a worker thread and replayed on the event
// loop. Checking a Bundle at the limits (hundreds of entries) against the MHD profiles takes
// seconds of CPU: the worker reads the Bundle once, recording every check's answer by profile
// and FHIRPath; the route then reads it again with those answers, a pass that costs little.
import type { Bundle } from '@medplum/fhirtypes';
import type { CarnetError } from '../../domain/errors.js';
import { profileProblems, type ProfileCheck, type ValidationOptions } from '../validation/validate.js';
import { readProvideBundle } from './provide-bundle.js';

/** One check, named by what it was asked: the profile, where the resource is, how. */
export function profileCheckKey(profileUrl: string, options: ValidationOptions & { path?: string }): string {
  return `${profileUrl}|${options.path ?? ''}|${options.terminology ?? true}|${options.entries ?? true}|${options.checkedElsewhere?.join(',') ?? ''}`;
}

/**
 * Reads `bundle` as the route would (its patients left unresolved: the checks do not depend on
 * them) and answers every profile check it made.
 */
export async function recordProvideBundleChecks(bundle: Bundle, terminology: boolean): Promise<Map<string, CarnetError[]>> {
  const recorded = new Map<string, CarnetError[]>();
  const check: ProfileCheck = (resource, profileUrl, options) => {
    const problems = profileProblems(resource, profileUrl, options);
    // the reader adds its own problems to the array it is given: record the check's alone
    recorded.set(profileCheckKey(profileUrl, options), [...problems]);
    return problems;
  };
  await readProvideBundle(bundle, { resolvePatient: () => undefined, terminology, check });
  return recorded;
}

/** A check that answers from `recorded`, and checks here what was not recorded (never skips one). */
export function replayingCheck(recorded: Map<string, CarnetError[]>): ProfileCheck {
  return (resource, profileUrl, options) => {
    const answer = recorded.get(profileCheckKey(profileUrl, options));
    return answer ? [...answer] : profileProblems(resource, profileUrl, options);
  };
}
