// An ITI-65 Bundle's check no longer goes through the entries that are checked against their own
// profiles (validate.ts, `checkedElsewhere`): medplum went through each DocumentReference and List
// twice, once against its base definition inside the Bundle, once against its profile. This holds
// the reading's answer to the one of checking every entry twice, on the published examples, the
// IHE (Asbestos) test Bundles, Bundles as this project's tests build them (several documents,
// replacements), and copies of them with one element removed or spoiled, in both metadata options.
//
// What may differ, and only that: some problems the Bundle's check found inside an entry it placed
// at a path that names no entry (a cardinality at the base definition's path,
// "DocumentReference.content"; a shape at the element's path without indexes,
// "Bundle.entry.resource.content"; a resource of no known type, with no path at all); the entry's
// own check reports each of them, same text, at the entry's path. Such a copy is gone; no other problem is lost, none is added.
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { readFileSync } from 'node:fs';
import type { CarnetError } from '../../../src/domain/errors.js';
import type { PatientIdentifier } from '../../../src/domain/model.js';
import { ensureFhirDefinitions } from '../../../src/fhir/definitions.js';
import { readProvideBundle } from '../../../src/fhir/mhd/provide-bundle.js';
import { profileProblems, type ProfileCheck } from '../../../src/fhir/validation/validate.js';
import { fhirXmlToJson } from '../../../src/fhir/xml.js';
import { assembleAsbestosBundle, listAsbestosTests, type AsbestosCollection } from '../../support/asbestos-bundles.js';
import { provideBundle } from '../../support/mhd-bundle.js';

type Json = Record<string, unknown>;
const PID: PatientIdentifier = { value: '279035121518989', system: '1.2.250.1.213.1.4.10' };

/** The way before: the Bundle's check goes through every entry, whatever the reader checks itself. */
const everyEntryTwice: ProfileCheck = (resource, profileUrl, options) => profileProblems(resource, profileUrl, { ...options, checkedElsewhere: undefined });

/** The reading's problems, sorted (or what it throws: a shape the reader does not expect, both ways alike). */
async function answer(bundle: Bundle, check?: ProfileCheck): Promise<string[]> {
  try {
    const read = await readProvideBundle(structuredClone(bundle), { resolvePatient: () => PID, terminology: true, ...(check ? { check } : {}) });
    return read.problems.map((p: CarnetError) => `${p.code}|${p.location}|${p.reason ?? ''}|${p.message}`).sort();
  } catch (e) {
    return [`throws|||${(e as Error).message}`];
  }
}

/** Paths of every value of `o` (object keys and array indexes). */
function leaves(o: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (!o || typeof o !== 'object') return [];
  return Object.entries(o).flatMap(([k, v]) => {
    const at = [...path, Array.isArray(o) ? Number(k) : k];
    return k === 'resourceType' && path.length <= 2 ? [] : [at, ...leaves(v, at)];
  });
}

function edited(b: Bundle, path: Array<string | number>, how: 'remove' | 'spoil'): Bundle {
  const copy = structuredClone(b) as unknown as Json;
  let node: any = copy;
  for (const k of path.slice(0, -1)) node = node[k];
  const last = path[path.length - 1]!;
  if (how === 'spoil') node[last] = typeof node[last] === 'string' ? '' : 'x';
  else if (Array.isArray(node)) node.splice(last as number, 1);
  else delete node[last];
  return copy as unknown as Bundle;
}

/** An element's path without indexes, its resource named alike inside or outside a Bundle. */
const element = (location: string) => location.replace(/\[\d+\]/g, '').replace(/^Bundle\.entry\.resource\./, '*.').replace(/^[A-Z][A-Za-z]*\./, (t) => (t === 'Bundle.' ? t : '*.'));

/**
 * A problem the Bundle's check found inside an entry and placed at a path that names no entry
 * (the base definition's, "DocumentReference.content", or the element's without indexes,
 * "Bundle.entry.resource.content"), whose entry reports it, same text, at that entry's path.
 */
function isUnplacedCopy(problem: string, kept: string[]): boolean {
  const [code, location, reason, ...message] = problem.split('|');
  // medplum stops at a resource of no known type and says so with no path at all
  const nowhere = location === 'undefined';
  if (!location || (!nowhere && (/\[\d+\]/.test(location) || element(location) === location))) return false;
  return kept.some((k) => {
    const [c, l, r, ...m] = k.split('|');
    if (c !== code || r !== reason || m.join('|') !== message.join('|')) return false;
    return nowhere ? /^Bundle\.entry\[\d+\]\.resource$/.test(l ?? '') : /^Bundle\.entry\[\d+\]\.resource\./.test(l ?? '') && element(l!) === element(location);
  });
}

describe('ITI-65: each entry checked once', () => {
  const corpus: Array<{ label: string; bundle: Bundle; spoil: boolean }> = [];
  beforeAll(() => {
    ensureFhirDefinitions();
    for (const f of ['carnet-provide-bundle.json', 'carnet-provide-bundle-minimal.json']) {
      const examples = JSON.parse(readFileSync(new URL(`../../../profiles/fhir/examples/${f}`, import.meta.url), 'utf8')) as Bundle[];
      examples.forEach((b, i) => corpus.push({ label: `${f}[${i}]`, bundle: b, spoil: true }));
    }
    const built = provideBundle({
      patient: 'Patient/abc',
      docs: [
        { typeCode: '11490-0', content: 'Lettre', creation: '2026-01-05T08:00:00Z', author: { idNatPs: '810000000001', family: 'Martin', given: 'Claire' } },
        { typeCode: '11502-2', content: 'Résultat', replaces: '0b5c6f4e-1111-4222-8333-944455556666', confidentiality: ['N', 'MASQUE_PS'] },
      ],
    });
    corpus.push({ label: 'two documents, one replacing', bundle: built, spoil: true });
    for (const collection of ['MHDv420_DocumentRecipient_comprehensive', 'MHDv420_DocumentRecipient_minimal'] as AsbestosCollection[]) {
      for (const test of listAsbestosTests(collection)) {
        for (const fixture of test.fixtures) {
          const xml = assembleAsbestosBundle(test, fixture, { variables: { original: 'http://localhost:8080/fhir/DocumentReference/0b5c6f4e-1111-4222-8333-944455556666' } });
          corpus.push({ label: `${collection} ${test.name} ${fixture.fixtureId}`, bundle: fhirXmlToJson<Bundle>(xml), spoil: false });
        }
      }
    }
  });

  it('finds the problems the Bundle and its entries had, each entry gone through once', async () => {
    const cases: Array<{ label: string; bundle: Bundle }> = [];
    for (const c of corpus) {
      cases.push(c);
      if (!c.spoil) continue;
      for (const p of leaves(c.bundle)) for (const how of ['remove', 'spoil'] as const) cases.push({ label: `${c.label}: ${how} ${p.join('.')}`, bundle: edited(c.bundle, p, how) });
    }
    expect(corpus.length).toBeGreaterThan(20);
    expect(cases.length).toBeGreaterThan(900);
    const differing: string[] = [];
    let copiesGone = 0;
    let refused = 0;
    for (const c of cases) {
      const before = await answer(c.bundle, everyEntryTwice);
      const now = await answer(c.bundle);
      if (before.length) refused++;
      const lost = before.filter((p) => !now.includes(p));
      const added = now.filter((p) => !before.includes(p));
      const unexplained = lost.filter((p) => !isUnplacedCopy(p, now));
      copiesGone += lost.length - unexplained.length;
      if (added.length || unexplained.length) differing.push(`${c.label}: lost ${JSON.stringify(unexplained)}, added ${JSON.stringify(added)}`);
    }
    expect(differing).toEqual([]);
    // the spoiled copies are refused, for the most part: the comparison is not between empty answers
    expect(refused).toBeGreaterThan(cases.length / 2);
    console.log(`${cases.length} Bundles, ${refused} refused; ${copiesGone} problems no longer reported a second time at a path that names no entry`);
  });

  it('goes through an entry of a checked type when another entry holds a resource of that type', async () => {
    // a Patient entry with a contained DocumentReference: the reader checks no profile of that one
    const bundle = structuredClone(corpus[0]!.bundle);
    const bad = { resourceType: 'DocumentReference', id: 'c1', content: [{ attachment: {} }], notAnElement: true } as unknown as Resource;
    bundle.entry!.push({ fullUrl: 'urn:uuid:7f1c0f5e-0000-4000-8000-000000000001', resource: { resourceType: 'Patient', contained: [bad] }, request: { method: 'POST', url: 'Patient' } });
    const now = await answer(bundle);
    expect(now).toEqual(await answer(bundle, everyEntryTwice));
    expect(now.filter((p) => p.includes('contained[0].')).length).toBeGreaterThan(0);
  });
});
