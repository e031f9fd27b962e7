// The profile checks of an ITI-65 Bundle made on a worker thread and replayed on the event loop
// (issue 11: no request holds the event loop): the replayed reading finds exactly what a reading
// on the spot finds, and it takes the worker's answers rather than checking again. The worker lists
// the checks without reading the Bundle (issue 13): the list is held equal to what the reading
// asks, on the published example Bundles, with folders, odd entries and other options added, and
// on copies of each with one element removed or spoiled.
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { readFileSync } from 'node:fs';
import { CarnetError } from '../../../src/domain/errors.js';
import { ensureFhirDefinitions } from '../../../src/fhir/definitions.js';
import { profileCheckKey, provideBundleChecksAsked, recordProvideBundleChecks, replayingChecks, shapeCheckKey } from '../../../src/fhir/mhd/provide-bundle-checks.js';
import { checkAfterShapes, readProvideBundle } from '../../../src/fhir/mhd/provide-bundle.js';
import { shapeProblems } from '../../../src/fhir/validation/shapes.js';
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

type Json = Record<string, unknown>;
const examples = new URL('../../../profiles/fhir/examples/', import.meta.url);
const example = (file: string): Json => (JSON.parse(readFileSync(new URL(file, examples), 'utf8')) as Json[])[0]!;

/** Paths of every value of `o` (object keys and array indexes). */
function leaves(o: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (!o || typeof o !== 'object') return [];
  return Object.entries(o).flatMap(([k, v]) => {
    const at = [...path, Array.isArray(o) ? Number(k) : k];
    return [at, ...leaves(v, at)];
  });
}

function edited(r: Json, path: Array<string | number>, how: 'remove' | 'spoil'): Bundle {
  const copy = structuredClone(r);
  let node: any = copy;
  for (const k of path.slice(0, -1)) node = node[k];
  const last = path[path.length - 1]!;
  if (how === 'spoil') node[last] = typeof node[last] === 'string' ? 'x' : typeof node[last] === 'object' ? 'x' : 0;
  else if (Array.isArray(node)) node.splice(last as number, 1);
  else delete node[last];
  return copy as unknown as Bundle;
}

/**
 * The keys of the checks the reading itself asks of `bundle`, in its order, with their answers
 * (`answers` false: the profile checks answer nothing — the reading asks them all the same).
 */
async function askedByTheReading(bundle: Bundle, terminology: boolean, answers = true): Promise<Array<[string, string]>> {
  const asked: Array<[string, string]> = [];
  await readProvideBundle(bundle, {
    resolvePatient: () => undefined,
    terminology,
    shapes: (b, path) => {
      const problems = shapeProblems(b, path);
      asked.push([shapeCheckKey(path), messages(problems).join('\n')]);
      return problems;
    },
    check: (resource, profileUrl, options) => {
      const problems = answers ? checkAfterShapes(resource, profileUrl, options) : [];
      asked.push([profileCheckKey(profileUrl, options), messages(problems).join('\n')]);
      return problems;
    },
  });
  return asked;
}

/** What the worker answers, as recordProvideBundleChecks finds it; without `answers`, its list alone. */
function listedByTheWorker(bundle: Bundle, terminology: boolean, answers = true): Array<[string, string]> {
  if (answers) return [...recordProvideBundleChecks(bundle, terminology)].map(([key, problems]) => [key, messages(problems).join('\n')]);
  if ((bundle as { resourceType?: string }).resourceType !== 'Bundle') return [];
  const misshapen = shapeProblems(bundle, 'Bundle');
  const shapes: [string, string] = [shapeCheckKey('Bundle'), messages(misshapen).join('\n')];
  return misshapen.length ? [shapes] : [shapes, ...provideBundleChecksAsked(bundle, terminology).map(({ profileUrl, options }): [string, string] => [profileCheckKey(profileUrl, options), ''])];
}

describe('the checks listed without reading the Bundle (issue 13)', () => {
  it('are exactly those the reading asks, in its order (with the same answers on the bases), on every example Bundle and its spoiled copies', async () => {
    const full = example('carnet-provide-bundle.json');
    const minimal = example('carnet-provide-bundle-minimal.json');
    const withEntries = (b: Json, ...added: BundleEntry[]) => ({ ...structuredClone(b), entry: [...(b.entry as BundleEntry[]), ...added] });
    const folder = (file: string, n: number): BundleEntry => ({ fullUrl: `urn:uuid:0f0f0f0f-0000-4000-8000-00000000000${n}`, resource: example(file) as unknown as Resource, request: { method: 'POST', url: 'List' } });
    const secondSet = (b: Json): BundleEntry => structuredClone((b.entry as BundleEntry[]).find((e) => e.resource?.resourceType === 'List')!);
    const bases: Json[] = [
      full,
      minimal,
      withEntries(full, folder('carnet-folder.json', 1), folder('carnet-folder-minimal.json', 2)),
      withEntries(minimal, folder('carnet-folder-minimal.json', 3), secondSet(minimal)),
      // an entry without a resource, a Patient, a List of no MHD kind
      withEntries(full, { fullUrl: 'urn:uuid:0f0f0f0f-0000-4000-8000-000000000004' }, { resource: { resourceType: 'Patient' } }, { resource: { resourceType: 'List', status: 'current', mode: 'working', code: { coding: [{ code: 'other' }] } } as Resource }),
      { ...structuredClone(full), meta: { profile: ['https://profiles.ihe.net/ITI/MHD/StructureDefinition/IHE.MHD.UnContained.Comprehensive.ProvideBundle'] } },
      { ...structuredClone(full), meta: { profile: ['https://example.org/not-mhd'] } },
      { ...structuredClone(full), meta: undefined },
      { resourceType: 'Patient' },
    ];
    const cases: Array<{ label: string; bundle: Bundle }> = bases.flatMap((b, i) => [
      { label: `base ${i}`, bundle: b as unknown as Bundle },
      ...leaves(b).flatMap((p) => (['remove', 'spoil'] as const).map((how) => ({ label: `base ${i}: ${how} ${p.join('.')}`, bundle: edited(b, p, how) }))),
    ]);
    const differing: string[] = [];
    let listed = 0;
    for (const { label, bundle } of cases) {
      // the option only travels into the keys: both ways on the bases, the route's way on the
      // copies; the answers (the same function on the same resources) compared on the bases
      const copy = label.includes(':');
      for (const terminology of copy ? [true] : [true, false]) {
        const expected = await askedByTheReading(bundle, terminology, !copy);
        const recorded = listedByTheWorker(bundle, terminology, !copy);
        if (JSON.stringify(recorded) !== JSON.stringify(expected)) differing.push(`${label} (terminology ${terminology})`);
        listed += expected.length;
      }
    }
    expect(cases.length).toBeGreaterThan(500);
    expect(differing).toEqual([]);
    // the comparison is not between empty lists: most cases ask a shape check and several profile checks
    expect(listed).toBeGreaterThan(cases.length * 3);
  });

  it('lists the profile checks of a Bundle whose shapes are right, each with its resource', () => {
    const bundle = withFolder(provideBundle({ patient: 'Patient/abc', docs: [{ content: 'Lettre' }] }));
    const asked = provideBundleChecksAsked(bundle, true);
    expect(asked.map((a) => [a.profileUrl, a.options.path, a.resource.resourceType])).toEqual([
      [PROFILE.provideBundle, undefined, 'Bundle'],
      [PROFILE.submissionSet, 'Bundle.entry[0].resource', 'List'],
      [PROFILE.documentReference, 'Bundle.entry[1].resource', 'DocumentReference'],
      [PROFILE.folder, 'Bundle.entry[3].resource', 'List'],
    ]);
    expect(asked[3]!.resource).toBe(bundle.entry![3]!.resource);
  });
});

function withFolder(bundle: Bundle): Bundle {
  return { ...bundle, entry: [...bundle.entry!, { fullUrl: 'urn:uuid:0f0f0f0f-0000-4000-8000-000000000009', resource: example('carnet-folder.json') as unknown as Resource, request: { method: 'POST', url: 'List' } }] };
}
