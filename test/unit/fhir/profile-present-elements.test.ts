// medplum's crawl sees, for each check, only the elements that can matter in the resource at hand
// (validation/present-elements.ts): an optional element whose keys occur nowhere in it is left
// out of the crawl. This holds that crawl's answers to the full crawl's, exactly (same issues,
// same order, warnings included), on every published example against every profile of its type,
// on copies of each with one element removed or spoiled, and on the ITI-65 Bundles with their
// entries left to their own checks as the reader asks. (profile-schema-cache.test.ts holds the
// same answers to medplum's own ValidatorOptions way.)
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { readFileSync, readdirSync } from 'node:fs';
import { buildRegistry } from '../../../src/fhir/conformance/registry.js';
import { ensureFhirDefinitions, ensureResourceTypesIn } from '../../../src/fhir/definitions.js';
import { medplumIssues } from '../../../src/fhir/validation/validate.js';
import { PROFILE } from '../../../src/fhir/validation/profiles.js';

type Json = Record<string, unknown>;
const dir = new URL('../../../profiles/fhir/examples/', import.meta.url);

/** Paths of every value of `o` (object keys and array indexes). */
function leaves(o: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (!o || typeof o !== 'object') return [];
  return Object.entries(o).flatMap(([k, v]) => {
    const at = [...path, Array.isArray(o) ? Number(k) : k];
    return k === 'resourceType' ? [] : [at, ...leaves(v, at)];
  });
}

function edited(r: Json, path: Array<string | number>, how: 'remove' | 'spoil'): Resource {
  const copy = structuredClone(r);
  let node: any = copy;
  for (const k of path.slice(0, -1)) node = node[k];
  const last = path[path.length - 1]!;
  if (how === 'spoil') node[last] = typeof node[last] === 'string' ? '' : 'x';
  else if (Array.isArray(node)) node.splice(last as number, 1);
  else delete node[last];
  return copy as unknown as Resource;
}

describe('the crawl of present elements', () => {
  const cases: Array<{ label: string; resource: Resource; sd: StructureDefinition; notEntered?: Set<string> }> = [];
  beforeAll(() => {
    ensureFhirDefinitions();
    const registry = buildRegistry();
    const profiles = registry.all('StructureDefinition') as StructureDefinition[];
    for (const f of readdirSync(dir)) {
      for (const ex of JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as Json[]) {
        for (const sd of profiles.filter((p) => p.type === ex.resourceType)) cases.push({ label: `${f} vs ${sd.id}`, resource: ex as unknown as Resource, sd });
        const own = profiles.find((p) => p.id === f.replace(/\.json$/, ''))!;
        const variants = leaves(ex).flatMap((p) => (['remove', 'spoil'] as const).map((how) => ({ label: `${f}: ${how} ${p.join('.')}`, resource: edited(ex, p, how) })));
        for (const v of variants) cases.push({ ...v, sd: own });
        // an ITI-65 Bundle as the reader checks it: its DocumentReferences and Lists left to their own checks
        if (ex.resourceType === 'Bundle') for (const v of [{ label: f, resource: ex as unknown as Resource }, ...variants]) cases.push({ ...v, label: `${v.label} (entries elsewhere)`, sd: own, notEntered: new Set(['DocumentReference', 'List']) });
      }
    }
    for (const c of cases) ensureResourceTypesIn(c.resource as Bundle);
  });

  it('reports exactly what the full crawl reports', () => {
    const every = cases.map((c) => JSON.stringify(medplumIssues(c.resource, c.sd, c.notEntered, 'every')));
    const present = cases.map((c) => JSON.stringify(medplumIssues(c.resource, c.sd, c.notEntered, 'present')));
    // asked again: the views found for a shape of resource are reused, and must still hold
    const again = cases.map((c) => JSON.stringify(medplumIssues(c.resource, c.sd, c.notEntered, 'present')));
    expect(cases.length).toBeGreaterThan(1000);
    expect(cases.filter((_, i) => present[i] !== every[i] || again[i] !== every[i]).map((c) => c.label)).toEqual([]);
    // the comparison is not between empty answers: most spoiled copies have errors
    expect(every.filter((a) => a.includes('"error"')).length).toBeGreaterThan(cases.length / 3);
  });

  it('still reports a string standing where an object belongs through the names every string has', () => {
    // `link` and `search` of a BundleEntry are found on a string (String.prototype.link): kept
    const ex = (JSON.parse(readFileSync(new URL('carnet-provide-bundle.json', dir), 'utf8')) as Json[])[0]!;
    const sd = buildRegistry().profile(PROFILE.provideBundle)!;
    const bundle = { ...structuredClone(ex), entry: ['x'] } as unknown as Resource;
    const present = medplumIssues(bundle, sd, new Set(), 'present');
    expect(present).toEqual(medplumIssues(bundle, sd, new Set(), 'every'));
    expect(present.some((i) => i.expression?.[0] === 'Bundle.entry.link')).toBe(true);
  });
});
