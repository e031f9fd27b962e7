// The validator parses each profile once (validate.ts) instead of letting medplum parse it on every
// call; this holds the cached way to medplum's own ValidatorOptions way, on every example of every
// profile and on copies with one element removed or spoiled, each against its own profile and
// the examples against every profile of their type, with the old way run first and again after the cache is filled (nothing leaks into medplum's
// base types).
import { beforeAll, describe, expect, it } from '@jest/globals';
import { OperationOutcomeError, validateResource } from '@medplum/core';
import type { OperationOutcomeIssue, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { readFileSync, readdirSync } from 'node:fs';
import { buildRegistry } from '../../../src/fhir/conformance/registry.js';
import { ensureFhirDefinitions } from '../../../src/fhir/definitions.js';
import { medplumIssues } from '../../../src/fhir/validation/validate.js';

type Json = Record<string, unknown>;
const dir = new URL('../../../profiles/fhir/examples/', import.meta.url);

function viaOptions(r: Resource, sd: StructureDefinition): OperationOutcomeIssue[] {
  try {
    return validateResource(r, { profile: sd });
  } catch (e) {
    if (e instanceof OperationOutcomeError) return e.outcome.issue ?? [];
    throw e;
  }
}

/** Paths of every value of `o` (object keys and array indexes). */
function leaves(o: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (!o || typeof o !== 'object') return [];
  return Object.entries(o).flatMap(([k, v]) => (k === 'resourceType' ? [] : [[...path, Array.isArray(o) ? Number(k) : k], ...leaves(v, [...path, Array.isArray(o) ? Number(k) : k])]));
}

function edited(r: Json, path: Array<string | number>, how: 'remove' | 'spoil'): Resource {
  const copy = structuredClone(r);
  let node: any = copy;
  for (const k of path.slice(0, -1)) node = node[k];
  const last = path[path.length - 1];
  if (how === 'spoil') node[last] = typeof node[last] === 'string' ? '' : 'x';
  else if (Array.isArray(node)) node.splice(last as number, 1);
  else delete node[last];
  return copy as unknown as Resource;
}

describe('profiles parsed once', () => {
  const cases: Array<{ label: string; resource: Resource; sd: StructureDefinition }> = [];
  beforeAll(() => {
    ensureFhirDefinitions();
    const registry = buildRegistry();
    const profiles = registry.all('StructureDefinition') as StructureDefinition[];
    for (const f of readdirSync(dir)) {
      for (const ex of JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as Json[]) {
        for (const sd of profiles.filter((p) => p.type === ex.resourceType)) cases.push({ label: `${f} vs ${sd.id}`, resource: ex as unknown as Resource, sd });
        const own = profiles.find((p) => p.id === f.replace(/\.json$/, ''))!;
        for (const p of leaves(ex)) {
          for (const how of ['remove', 'spoil'] as const) cases.push({ label: `${f}: ${how} ${p.join('.')}`, resource: edited(ex, p, how), sd: own });
        }
      }
    }
  });

  it('reports what medplum reports with the profile in ValidatorOptions', () => {
    const before = cases.map((c) => JSON.stringify(viaOptions(c.resource, c.sd)));
    const cached = cases.map((c) => JSON.stringify(medplumIssues(c.resource, c.sd)));
    const after = cases.map((c) => JSON.stringify(viaOptions(c.resource, c.sd)));
    expect(cases.length).toBeGreaterThan(500);
    const differing = cases.filter((_, i) => cached[i] !== before[i] || after[i] !== before[i]).map((c) => c.label);
    expect(differing).toEqual([]);
  });
});
