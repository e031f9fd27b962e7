// Reads the FHIR conformance sources of profiles/: the authored StructureDefinitions (profiles
// and, apart, the definitions of Carnet's extensions), SearchParameters and OperationDefinitions
// (profiles/fhir/), the map that publishes the terminologies, and the
// terminology tables themselves (profiles/terminology/, the same files the rules read).
import { readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

export interface ConformanceFiles {
  structureDefinitions: unknown[];
  /** StructureDefinitions of type Extension: published as they are (no snapshot is generated) */
  extensionDefinitions: unknown[];
  searchParameters: unknown[];
  operationDefinitions: unknown[];
  terminologyMap: unknown;
  /** file name -> parsed JSON, for every file of profiles/terminology/ */
  terminology: Record<string, unknown>;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`conformance file ${path}: ${(e as Error).message}`);
  }
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));
}

export function profilesDirOf(dir = 'profiles'): string {
  return isAbsolute(dir) ? dir : join(PROJECT_ROOT, dir);
}

export function readConformanceFiles(dir = 'profiles'): ConformanceFiles {
  const base = profilesDirOf(dir);
  const fhir = join(base, 'fhir');
  return {
    structureDefinitions: jsonFiles(join(fhir, 'StructureDefinition')).map(readJson),
    extensionDefinitions: jsonFiles(join(fhir, 'extensions')).map(readJson),
    searchParameters: jsonFiles(join(fhir, 'SearchParameter')).map(readJson),
    operationDefinitions: jsonFiles(join(fhir, 'OperationDefinition')).map(readJson),
    terminologyMap: readJson(join(fhir, 'terminologies.json')),
    terminology: Object.fromEntries(jsonFiles(join(base, 'terminology')).map((p) => [p.slice(p.lastIndexOf('/') + 1), readJson(p)])),
  };
}
