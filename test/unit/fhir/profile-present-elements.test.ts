// medplum's crawl sees, for each check, only the elements that can matter in the resource at hand
// (validation/present-elements.ts): an optional element whose keys occur nowhere in it is left
// out of the crawl. This holds that crawl's answers to the full crawl's, exactly (same issues,
// same order, warnings included), on every published example against every profile of its type,
// on copies of each with one element removed or spoiled or a choice element's neighbour added
// (the views narrow a choice's types to those present), and on the ITI-65 Bundles with their
// entries left to their own checks as the reader asks. The same cases hold medplum's base issues
// equal whether or not it evaluates the profile's own invariants that come last on an element.
// (profile-schema-cache.test.ts holds the same answers to medplum's own ValidatorOptions way.)
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Bundle, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { readFileSync, readdirSync } from 'node:fs';
import { buildRegistry } from '../../../src/fhir/conformance/registry.js';
import { ensureFhirDefinitions, ensureResourceTypesIn } from '../../../src/fhir/definitions.js';
import { medplumBaseIssues, medplumIssues } from '../../../src/fhir/validation/validate.js';
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

/**
 * Copies of `r` with a choice element's neighbours added beside each key that may be one
 * (`valueCodeableConcept`...): a second value of another type, a type that does not exist, a
 * primitive's twin alone, the value under another type's name (the views narrow a choice's types
 * to those whose names are present, issue 13).
 */
function choiceVariants(r: Json): Array<{ how: string; resource: Resource }> {
  const out: Array<{ how: string; resource: Resource }> = [];
  const visit = (node: unknown, path: Array<string | number>) => {
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      const at = [...path, Array.isArray(node) ? Number(k) : k];
      const prefix = /^([a-z]+)[A-Z]/.exec(k)?.[1];
      if (prefix && !Array.isArray(node)) {
        for (const [added, value] of [[`${prefix}String`, 'x'], [`${prefix}Boolean`, true], [`${prefix}Foo`, 1], [`_${prefix}Date`, { extension: [] }]] as const) {
          if (added in node) continue;
          const copy = structuredClone(r);
          let target: any = copy;
          for (const step of path) target = target[step];
          target[added] = value;
          out.push({ how: `add ${[...path, added].join('.')}`, resource: copy as unknown as Resource });
          const moved = structuredClone(r);
          let parent: any = moved;
          for (const step of path) parent = parent[step];
          delete parent[k];
          parent[added] = value;
          out.push({ how: `move ${at.join('.')} to ${added}`, resource: moved as unknown as Resource });
        }
      }
      visit(v, at);
    }
  };
  visit(r, []);
  return out;
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
        for (const v of choiceVariants(ex)) cases.push({ label: `${f}: ${v.how}`, resource: v.resource, sd: own });
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

  it("reports the same base issues when the profile's own invariants that come last are not evaluated (invariantChecks evaluates them)", () => {
    const all = cases.map((c) => JSON.stringify(medplumBaseIssues(c.resource, c.sd, c.notEntered ?? new Set(), false)));
    const leftOut = cases.map((c) => JSON.stringify(medplumBaseIssues(c.resource, c.sd, c.notEntered ?? new Set(), true)));
    expect(cases.filter((_, i) => leftOut[i] !== all[i]).map((c) => c.label)).toEqual([]);
    expect(all.filter((a) => a.includes('"error"')).length).toBeGreaterThan(cases.length / 3);
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
