// The DMP tables of profiles/terminology/ rendered as FHIR CodeSystems and ValueSets. The same
// JSON feeds the rules (src/domain/terminology.ts) and these resources, so the codes the server
// publishes and the codes its validator accepts cannot drift apart. Pure: takes parsed JSON.
import type { CodeSystem, CodeSystemConcept, ValueSet, ValueSetComposeInclude, ValueSetExpansionContains } from '@medplum/fhirtypes';
import { CARNET_FHIR_BASE } from '../mappings/carnet-fhir.js';
import { isOid, xdsSystemToFhir } from '../codes.js';

interface RawConcept {
  code: string;
  display: string;
  system?: string;
}

interface RawTable {
  id: string;
  system?: string;
  valueSetOid?: string;
  source?: string;
  note?: string;
  concepts: RawConcept[];
  aliases?: Record<string, string>;
}

export interface TerminologyMap {
  external: string[];
  codeSystems: Record<string, { name: string; title: string; content: CodeSystem['content']; url?: string }>;
  valueSets: Array<{ id: string; name: string; title: string; files: string[] }>;
}

export interface RenderedTerminology {
  codeSystems: CodeSystem[];
  valueSets: ValueSet[];
}

const STATUS = 'active' as const;

/** The system URI a code of this OID (or URN) carries on the wire. */
export function wireSystem(map: TerminologyMap, system: string): string {
  return map.codeSystems[system]?.url ?? xdsSystemToFhir(system);
}

function conceptsOf(table: RawTable): Array<RawConcept & { system: string }> {
  const out = table.concepts.map((c) => ({ ...c, system: c.system ?? table.system ?? '' }));
  for (const [alias, target] of Object.entries(table.aliases ?? {})) {
    const t = out.find((c) => c.code === target);
    if (t) out.push({ code: alias, display: `${t.display} (ancienne graphie de ${target})`, system: t.system });
  }
  for (const c of out) if (!c.system) throw new Error(`terminology ${table.id}: concept ${c.code} has no system`);
  return out;
}

/** Renders every ValueSet of the map and a CodeSystem per non-external system they use. */
export function renderTerminology(map: TerminologyMap, tables: Record<string, unknown>): RenderedTerminology {
  const bySystem = new Map<string, Map<string, CodeSystemConcept>>();
  const valueSets: ValueSet[] = [];
  for (const vs of map.valueSets) {
    const includes = new Map<string, ValueSetComposeInclude>();
    const contains: ValueSetExpansionContains[] = [];
    const sources: string[] = [];
    let oid: string | undefined;
    for (const file of vs.files) {
      const table = tables[file] as RawTable | undefined;
      if (!table) throw new Error(`terminology map: ${file} is not a terminology file`);
      oid ??= table.valueSetOid;
      if (table.source) sources.push(table.source);
      for (const c of conceptsOf(table)) {
        const uri = wireSystem(map, c.system);
        const include = includes.get(uri) ?? { system: uri, concept: [] };
        include.concept!.push({ code: c.code, display: c.display });
        includes.set(uri, include);
        contains.push({ system: uri, code: c.code, display: c.display });
        if (map.external.includes(c.system)) continue;
        if (!map.codeSystems[c.system]) throw new Error(`terminology map: system ${c.system} (${file}) is neither described nor external`);
        const concepts = bySystem.get(c.system) ?? new Map<string, CodeSystemConcept>();
        concepts.set(c.code, { code: c.code, display: c.display });
        bySystem.set(c.system, concepts);
      }
    }
    valueSets.push({
      resourceType: 'ValueSet',
      id: vs.id,
      url: `${CARNET_FHIR_BASE}/ValueSet/${vs.id}`,
      ...(oid ? { identifier: [{ system: 'urn:ietf:rfc:3986', value: `urn:oid:${oid}` }] } : {}),
      version: '1',
      name: vs.name,
      title: vs.title,
      status: STATUS,
      publisher: 'Carnet',
      description: `Rendered from profiles/terminology/${vs.files.join(', ')}${sources.length ? ` (sources: ${sources.join('; ')})` : ''}.`,
      compose: { include: [...includes.values()] },
      expansion: { timestamp: '2024-01-01T00:00:00Z', total: contains.length, contains },
    });
  }
  const codeSystems: CodeSystem[] = [...bySystem.entries()].map(([system, concepts]) => {
    const d = map.codeSystems[system];
    // A system published under Carnet's own url is read at that url: its id is the url's tail.
    const id = d.url?.startsWith(`${CARNET_FHIR_BASE}/CodeSystem/`) ? d.url.slice(d.url.lastIndexOf('/') + 1) : d.name.replace(/_/g, '-');
    return {
      resourceType: 'CodeSystem',
      id,
      url: wireSystem(map, system),
      ...(isOid(system) ? { identifier: [{ system: 'urn:ietf:rfc:3986', value: `urn:oid:${system}` }] } : {}),
      version: '1',
      name: d.name,
      title: d.title,
      status: STATUS,
      publisher: 'Carnet',
      description: d.content === 'fragment' ? 'The codes of this system the DMP value sets use.' : 'The whole table.',
      caseSensitive: true,
      content: d.content,
      count: concepts.size,
      concept: [...concepts.values()],
    };
  });
  return { codeSystems, valueSets };
}
