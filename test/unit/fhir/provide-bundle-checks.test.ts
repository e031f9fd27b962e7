// The profile checks of an ITI-65 Bundle made on a worker thread and replayed on the event loop
// (issue 11: no request holds the event loop): the replayed reading finds exactly what a reading
// on the spot finds, and it takes the worker's answers rather than checking again.
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle } from '@medplum/fhirtypes';
import { CarnetError } from '../../../src/domain/errors.js';
import { ensureFhirDefinitions } from '../../../src/fhir/definitions.js';
import { profileCheckKey, recordProvideBundleChecks, replayingChecks, shapeCheckKey } from '../../../src/fhir/mhd/provide-bundle-checks.js';
import { readProvideBundle } from '../../../src/fhir/mhd/provide-bundle.js';
import { PROFILE } from '../../../src/fhir/validation/profiles.js';
import { provideBundle } from '../../support/mhd-bundle.js';

const PID = { value: '1234567890123', system: '1.2.250.1.213.1.4.8' };
const read = (bundle: Bundle, recorded?: Map<string, CarnetError[]>) =>
  readProvideBundle(bundle, { resolvePatient: () => PID, terminology: true, ...(recorded ? replayingChecks(recorded) : {}) });
const messages = (problems: CarnetError[]) => problems.map((p) => `${p.location}: ${p.message}`).sort();

beforeAll(() => ensureFhirDefinitions());

describe('ITI-65 profile checks made elsewhere and replayed', () => {
  const good = provideBundle({ patient: 'Patient/abc', docs: [{ typeCode: '11490-0', content: 'Lettre', creation: '2026-01-05T08:00:00Z' }, { typeCode: '11502-2', content: 'Résultat' }] });

  it("records the Bundle's shape check and one answer per profile checked: the Bundle, its SubmissionSet, each document", async () => {
    const recorded = await recordProvideBundleChecks(good, true);
    expect([...recorded.keys()]).toEqual([
      shapeCheckKey('Bundle'),
      // the Bundle's check leaves the entries checked against their own profiles to those checks
      profileCheckKey(PROFILE.provideBundle, { entries: false, terminology: true, checkedElsewhere: [0, 1, 3] }),
      profileCheckKey(PROFILE.submissionSet, { path: 'Bundle.entry[0].resource', terminology: true }),
      profileCheckKey(PROFILE.documentReference, { path: 'Bundle.entry[1].resource', terminology: true }),
      profileCheckKey(PROFILE.documentReference, { path: 'Bundle.entry[3].resource', terminology: true }),
    ]);
  });

  it('a replayed reading finds what a reading on the spot finds, for a good Bundle and a bad one', async () => {
    const bad = structuredClone(good);
    const dr = bad.entry![1]!.resource as { type?: unknown; status?: string };
    delete dr.type;
    (bad.entry![0]!.resource as { status?: string }).status = 'nonsense';
    for (const bundle of [good, bad]) {
      const here = await read(bundle);
      const replayed = await read(bundle, await recordProvideBundleChecks(bundle, true));
      expect(messages(replayed.problems)).toEqual(messages(here.problems));
      expect(replayed.request).toEqual(here.request);
    }
    expect((await read(bad)).problems.length).toBeGreaterThan(0);
  });

  it("takes the recorded answers rather than checking again, and checks what was not recorded", async () => {
    const recorded = await recordProvideBundleChecks(good, true);
    const key = profileCheckKey(PROFILE.documentReference, { path: 'Bundle.entry[1].resource', terminology: true });
    recorded.set(key, [new CarnetError('invalid_metadata', 'answered by the worker', { location: 'Bundle.entry[1].resource' })]);
    expect(messages((await read(good, recorded)).problems)).toEqual(['Bundle.entry[1].resource: answered by the worker']);
    recorded.delete(key);
    expect((await read(good, recorded)).problems).toEqual([]);
  });

  it("takes the worker's shape answer rather than walking the Bundle again, and walks a Bundle whose shapes were not recorded", async () => {
    const recorded = await recordProvideBundleChecks(good, true);
    recorded.set(shapeCheckKey('Bundle'), [new CarnetError('invalid_metadata', 'shape answered by the worker', { location: 'Bundle.entry' })]);
    expect(messages((await read(good, recorded)).problems)).toEqual(['Bundle.entry: shape answered by the worker']);
    // a malformed Bundle whose shapes the worker did not answer is refused here, not read
    const misshapen = structuredClone(good) as unknown as { entry: Array<{ resource: { subject: unknown } }> };
    misshapen.entry[1]!.resource.subject = 'Patient/abc';
    const unrecorded = await recordProvideBundleChecks(good, true);
    unrecorded.delete(shapeCheckKey('Bundle'));
    const problems = (await read(misshapen as unknown as Bundle, unrecorded)).problems;
    expect(messages(problems)).toEqual([expect.stringMatching(/^Bundle\.entry\[1\]\.resource\.subject: .*must be an object/)]);
  });
});
