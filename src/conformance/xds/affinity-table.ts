// The affinity-domain code table of the runner (conformance/xds/affinity-codes.json), checked
// against the DMP policy before any test runs: every target is a code of profiles/terminology,
// a toolkit (type, class) pair lands on a DMP type whose mandatory class (DOC-01) is the one its
// toolkit class maps to, the runner's professional may read every target type (ACC-02), no
// confidentiality target is a visibility flag, and distinct toolkit codes stay distinct.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LEVEL_CODES } from '../../domain/confidentiality.js';
import { readableTypeCodes, type Policy } from '../../domain/policy.js';
import type { Concept } from '../../domain/terminology.js';

export type MappedAttribute = 'classCode' | 'typeCode' | 'formatCode' | 'healthcareFacilityTypeCode' | 'confidentialityCode';
export type SingleAttribute = Exclude<MappedAttribute, 'typeCode'>;

/** A code with its coding scheme (and display, for Name). */
export interface CodedValue {
  code: string;
  scheme: string;
  display?: string;
}

export interface AffinityTable {
  /** attribute -> 'code^^scheme' of the toolkit -> DMP code */
  single: Record<SingleAttribute, Map<string, CodedValue>>;
  /** toolkit type code -> toolkit class code -> DMP type */
  typeByClass: Map<string, Map<string, CodedValue>>;
}

export const codeKey = (code: string, scheme: string): string => `${code}^^${scheme}`;

export function defaultAffinityFile(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'conformance', 'xds', 'affinity-codes.json');
}

interface RawTable {
  systems?: Partial<Record<SingleAttribute, string>>;
  classCode?: Record<string, string>;
  typeCodeByClass?: Array<{ type: string; class: string; dmp: string }>;
  confidentialityCode?: Record<string, string>;
  formatCode?: Record<string, string>;
  healthcareFacilityTypeCode?: Record<string, string>;
}

const SINGLE: SingleAttribute[] = ['classCode', 'confidentialityCode', 'formatCode', 'healthcareFacilityTypeCode'];

/** Parses and checks the table; `reader` is the runner's professional (profession, specialty). */
export function parseAffinityTable(raw: unknown, policy: Policy, reader: { profession: string; specialty?: string }, where = 'affinity-codes'): AffinityTable {
  const t = raw as RawTable;
  const term = policy.terminology;
  const problems: string[] = [];
  const concepts: Record<SingleAttribute, ReadonlyMap<string, Concept>> = {
    classCode: term.documentClasses,
    confidentialityCode: term.confidentiality,
    formatCode: term.formatCodes,
    healthcareFacilityTypeCode: term.facilityTypes,
  };
  const single = {} as AffinityTable['single'];
  for (const a of SINGLE) {
    const out = new Map<string, CodedValue>();
    const used = new Map<string, string>();
    for (const [key, dmp] of Object.entries(t[a] ?? {})) {
      if (!key.includes('^^')) problems.push(`${a} "${key}": key must be code^^codingScheme`);
      const c = concepts[a].get(dmp);
      if (!c) {
        problems.push(`${a} "${key}": "${dmp}" is not in the DMP terminology`);
        continue;
      }
      if (a === 'confidentialityCode' && !LEVEL_CODES.includes(dmp)) problems.push(`${a} "${key}": "${dmp}" would hide documents; use N, R or V`);
      const scheme = c.system ?? t.systems?.[a];
      if (!scheme) problems.push(`${a} "${dmp}": no coding scheme (terminology or "systems")`);
      // Collapsing is allowed only for confidentiality, whose DMP levels are fewer than the toolkit's.
      if (used.has(dmp) && a !== 'confidentialityCode' && a !== 'classCode') problems.push(`${a}: "${key}" and "${used.get(dmp)}" both map to "${dmp}"`);
      used.set(dmp, key);
      out.set(key, { code: dmp, scheme: scheme ?? '', display: c.display });
    }
    single[a] = out;
  }

  const readable = readableTypeCodes(policy, reader.profession, reader.specialty);
  const classOf = new Map([...single.classCode].map(([k, v]) => [k.split('^^')[0]!, v.code]));
  const typeByClass = new Map<string, Map<string, CodedValue>>();
  const usedTypes = new Map<string, string>();
  for (const p of t.typeCodeByClass ?? []) {
    const label = `typeCodeByClass (${p.type}, ${p.class})`;
    const type = term.documentTypes.get(p.dmp);
    const mappedClass = classOf.get(p.class);
    if (!type) problems.push(`${label}: "${p.dmp}" is not a DMP type`);
    else if (!mappedClass) problems.push(`${label}: class "${p.class}" has no classCode mapping`);
    else if (type.classCode !== mappedClass) problems.push(`${label}: "${p.dmp}" has class ${type.classCode}, not ${mappedClass} (DOC-01)`);
    else if (!readable.has(p.dmp)) problems.push(`${label}: "${p.dmp}" is not readable by profession ${reader.profession} (ACC-02)`);
    if (usedTypes.has(p.dmp)) problems.push(`${label}: "${p.dmp}" already stands for ${usedTypes.get(p.dmp)}`);
    usedTypes.set(p.dmp, `(${p.type}, ${p.class})`);
    if (!type?.system) problems.push(`${label}: "${p.dmp}" has no coding scheme in the terminology`);
    let byClass = typeByClass.get(p.type);
    if (!byClass) typeByClass.set(p.type, (byClass = new Map()));
    byClass.set(p.class, { code: p.dmp, scheme: type?.system ?? '', display: type?.display });
  }
  if (problems.length) throw new Error(`${where}: ${problems.join('; ')}`);
  return { single, typeByClass };
}

export function loadAffinityTable(policy: Policy, reader: { profession: string; specialty?: string }, file = defaultAffinityFile()): AffinityTable | undefined {
  if (!existsSync(file)) return undefined;
  return parseAffinityTable(JSON.parse(readFileSync(file, 'utf8')), policy, reader, file);
}
