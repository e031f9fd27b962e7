// A valid ITI-65 Bundle, each of its properties in turn given every JSON type it should not have
// (string, number, boolean, object, list, null): the reader answers problems, never throws, and
// never answers a request to store. What it does on bad input must not depend on which field a
// sender got wrong, so every property is tried, not a chosen few.
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, DocumentReference } from '@medplum/fhirtypes';
import type { PatientIdentifier } from '../../../src/domain/model.js';
import { CarnetErrors } from '../../../src/domain/errors.js';
import { asParameters } from '../../../src/fhir/mappings/portal.js';
import { ensureFhirDefinitions } from '../../../src/fhir/definitions.js';
import { readProvideBundle } from '../../../src/fhir/mhd/provide-bundle.js';
import { markPayloads } from '../../../src/fhir/mhd/provide-payloads.js';
import { withoutPayloads } from '../../../src/fhir/validation/payloads.js';
import { shapeProblems } from '../../../src/fhir/validation/shapes.js';
import { profileIssues } from '../../../src/fhir/validation/validate.js';
import { conformance } from '../../../src/fhir/conformance/registry.js';
import { PROFILE } from '../../../src/fhir/validation/profiles.js';
import { provideBundle } from '../../support/mhd-bundle.js';
import { everyPath, jsonKind, replacedAt, WRONG_VALUES } from '../../support/json-shapes.js';

const PATIENT: PatientIdentifier = { value: '279035121518989', system: '1.2.250.1.213.1.4.10' };

/** An accepted Bundle, with primitives' `_` twins (their ids) so that those are tried too. */
function validBundle(): Bundle {
  const bundle = provideBundle({
    patient: 'Patient/0b5c6f4e-1111-4222-8333-944455556666',
    docs: [{ author: { idNatPs: '810000000001', family: 'Martin', given: 'Anne' }, replaces: '0b5c6f4e-2222-4222-8333-944455556666' }],
  });
  const dr = bundle.entry![1]!.resource as DocumentReference & { _status?: unknown };
  dr._status = { id: 'status-1' };
  (dr.meta as { _profile?: unknown })._profile = [{ id: 'profile-1' }];
  return bundle;
}

/**
 * R4 json.html#primitive: null is a valid item of a primitive list whose `_` twin holds that
 * item's id or extensions, and of the `_` twin itself (an item with none).
 */
function nullExplained(root: unknown, segments: Array<string | number>): boolean {
  const index = segments[segments.length - 1];
  const key = segments[segments.length - 2];
  if (typeof index !== 'number' || typeof key !== 'string') return false;
  if (key.startsWith('_')) return true;
  let parent = root as Record<string | number, unknown>;
  for (const s of segments.slice(0, -2)) parent = parent[s] as Record<string | number, unknown>;
  const twin = parent[`_${key}`];
  return Array.isArray(twin) && twin[index] !== null && typeof twin[index] === 'object';
}

beforeAll(() => ensureFhirDefinitions());

describe('ITI-65 reader on Bundles of the wrong JSON shape', () => {
  it('the valid Bundle itself is read into a request (the mutations below start from an accepted Bundle)', async () => {
    const read = await readProvideBundle(validBundle(), { resolvePatient: () => PATIENT });
    expect(read.problems).toEqual([]);
    expect(read.request?.documents).toHaveLength(1);
    expect(shapeProblems(validBundle())).toEqual([]);
  });

  it('every property given every other JSON type: problems, never a TypeError, never a request', async () => {
    const bundle = validBundle();
    const paths = everyPath(bundle);
    expect(paths.length).toBeGreaterThan(80);
    const failures: string[] = [];
    let tried = 0;
    for (const path of paths) {
      for (const [kind, wrong] of WRONG_VALUES) {
        const original = path.value;
        // another object or another scalar of the same type is no shape problem: the profile
        // tests hold those; a list of the wrong items is one
        if (jsonKind(original) === kind && kind !== 'array') continue;
        const mutated = replacedAt(bundle, path.segments, wrong) as Bundle;
        tried++;
        let read: Awaited<ReturnType<typeof readProvideBundle>>;
        try {
          // what the worker thread does to a JSON Bundle before the reading, then the reading
          markPayloads(withoutPayloads(mutated));
          read = await readProvideBundle(mutated, { resolvePatient: () => PATIENT });
        } catch (e) {
          failures.push(`${path.label} = ${kind}: threw ${(e as Error).message}`);
          continue;
        }
        // the same JSON type (another object, another list) may still be a valid Bundle
        if (jsonKind(original) === kind) continue;
        if (kind === 'null' && nullExplained(bundle, path.segments)) continue;
        if (read.request || read.problems.length === 0) failures.push(`${path.label} = ${kind}: accepted`);
      }
    }
    expect(failures).toEqual([]);
    expect(tried).toBeGreaterThan(400);
  });

  it('the wrong type is named where it is, with what was expected', async () => {
    const bundle = validBundle();
    const mutated = { ...bundle, meta: { profile: 'x' } } as unknown as Bundle;
    const read = await readProvideBundle(mutated, { resolvePatient: () => PATIENT });
    expect(read.request).toBeUndefined();
    expect(read.problems.map((p) => [p.code, p.location, p.message])).toEqual([
      ['invalid_metadata', 'Bundle.meta.profile', 'Bundle.meta.profile must be a list (JSON array), not a string (FHIR R4 JSON)'],
    ]);
  });

  it('a list of primitives may hold null where its `_` twin holds the item (R4 json.html#primitive); a list of objects may not', () => {
    const bundle = validBundle();
    expect(shapeProblems({ ...bundle, meta: { profile: [null], _profile: [{ id: 'p1' }] } })).toEqual([]);
    expect(shapeProblems({ ...bundle, meta: { profile: [null] } }).map((p) => p.location)).toEqual(['Bundle.meta.profile[0]']);
    const entries = { ...bundle, entry: [null] };
    expect(shapeProblems(entries).map((p) => p.location)).toEqual(['Bundle.entry[0]']);
  });

  it('a Parameters body ($close, $copy-request, the portal) is checked as it is taken', () => {
    expect(() => asParameters({ resourceType: 'Parameters', parameter: 7 }, '$copy-request')).toThrow(CarnetErrors);
    expect(() => asParameters({ resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: ['x'] }] }, '$copy-request')).toThrow(/Parameters.parameter\[0\].valueString/);
    expect(asParameters({ resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'x' }] }, '$copy-request').parameter).toHaveLength(1);
  });

  it('$validate (the profile check) reports a wrong shape as a structure issue instead of failing', () => {
    const issues = profileIssues({ ...validBundle(), meta: { profile: 'x' } } as unknown as Bundle, conformance().profile(PROFILE.provideBundle)!);
    expect(issues).toEqual([expect.objectContaining({ severity: 'error', code: 'structure', expression: ['Bundle.meta.profile'] })]);
  });
});
