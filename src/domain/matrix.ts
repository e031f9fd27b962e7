// The access matrix (ACC-02) as data: which document types each profession (and specialty) may
// read. Parsed from profiles/matrix.json against the terminology, with every group, class and
// type name resolved at load, so a typo stops the start instead of silently hiding documents.
import type { Terminology } from './terminology.js';
import { typeCodesOfClass } from './terminology.js';
import { PolicyError, asObject, asString, asStringArray, optionalString } from './json-check.js';

export type MatrixBasis = 'confirmed' | 'partly-confirmed' | 'default';
const BASES: readonly string[] = ['confirmed', 'partly-confirmed', 'default'];

export interface MatrixEntry {
  profession: string;
  label?: string;
  basis?: MatrixBasis;
  /** readable type codes, sorted (SQL parameters stay stable) */
  readable: readonly string[];
  /** specialty code -> readable type codes, sorted */
  specialties: ReadonlyMap<string, readonly string[]>;
}

export interface Matrix {
  version: string;
  entries: ReadonlyMap<string, MatrixEntry>;
}

type GroupTable = ReadonlyMap<string, readonly string[]>;

/**
 * Expands one item: "*", "class:<code>", "group:<name>" or a type code. `stack` holds the groups
 * being expanded, to refuse a group that contains itself.
 */
function expandItem(item: string, where: string, terminology: Terminology, groups: GroupTable, stack: string[], out: Set<string>): void {
  if (item === '*') {
    for (const code of terminology.documentTypes.keys()) out.add(code);
  } else if (item.startsWith('class:')) {
    const cls = item.slice('class:'.length);
    if (!terminology.documentClasses.has(cls)) throw new PolicyError(`${where}: unknown class "${cls}"`);
    for (const code of typeCodesOfClass(terminology, cls)) out.add(code);
  } else if (item.startsWith('group:')) {
    const name = item.slice('group:'.length);
    const members = groups.get(name);
    if (!members) throw new PolicyError(`${where}: unknown group "${name}"`);
    if (stack.includes(name)) throw new PolicyError(`${where}: group "${name}" contains itself (${[...stack, name].join(' > ')})`);
    for (const m of members) expandItem(m, `matrix group "${name}"`, terminology, groups, [...stack, name], out);
  } else {
    if (!terminology.documentTypes.has(item)) throw new PolicyError(`${where}: unknown document type "${item}"`);
    out.add(item);
  }
}

function expandList(items: readonly string[], where: string, terminology: Terminology, groups: GroupTable): Set<string> {
  const out = new Set<string>();
  for (const item of items) expandItem(item, where, terminology, groups, [], out);
  return out;
}

function minus(a: Iterable<string>, b: ReadonlySet<string>): Set<string> {
  return new Set([...a].filter((x) => !b.has(x)));
}

function listOrEmpty(value: unknown, where: string): string[] {
  return value === undefined ? [] : asStringArray(value, where);
}

export function parseMatrix(raw: unknown, terminology: Terminology): Matrix {
  const root = asObject(raw, 'matrix');
  const version = asString(root.version, 'matrix.version');

  const groups = new Map<string, string[]>();
  for (const [name, value] of Object.entries(asObject(root.groups ?? {}, 'matrix.groups'))) {
    const g = asObject(value, `matrix group "${name}"`);
    groups.set(name, asStringArray(g.members, `matrix group "${name}".members`));
  }
  // Expand every group once so that an unused but broken group is also refused.
  for (const name of groups.keys()) expandItem(`group:${name}`, 'matrix.groups', terminology, groups, [], new Set());

  const entries = new Map<string, MatrixEntry>();
  for (const [profession, value] of Object.entries(asObject(root.entries, 'matrix.entries'))) {
    const where = `matrix entry "${profession}"`;
    const known = terminology.professions.get(profession);
    if (!known) throw new PolicyError(`${where}: unknown profession code`);
    // ACC-04: administrative staff never read; a matrix line for them would be a policy error.
    if (known.category === 'administrative') throw new PolicyError(`${where}: administrative staff may not be given document types`);
    const e = asObject(value, where);
    const basis = optionalString(e.basis, `${where}.basis`);
    if (basis !== undefined && !BASES.includes(basis)) throw new PolicyError(`${where}.basis: "${basis}" is not one of ${BASES.join(', ')}`);

    const base = minus(
      expandList(asStringArray(e.allow, `${where}.allow`), `${where}.allow`, terminology, groups),
      expandList(listOrEmpty(e.deny, `${where}.deny`), `${where}.deny`, terminology, groups),
    );
    const specialties = new Map<string, readonly string[]>();
    for (const [spec, sv] of Object.entries(asObject(e.specialties ?? {}, `${where}.specialties`))) {
      const sw = `${where} specialty "${spec}"`;
      const s = asObject(sv, sw);
      const added = expandList(listOrEmpty(s.allow, `${sw}.allow`), `${sw}.allow`, terminology, groups);
      const removed = expandList(listOrEmpty(s.deny, `${sw}.deny`), `${sw}.deny`, terminology, groups);
      specialties.set(spec, [...minus(new Set([...base, ...added]), removed)].sort());
    }
    entries.set(profession, {
      profession,
      label: optionalString(e.label, `${where}.label`),
      basis: basis as MatrixBasis | undefined,
      readable: [...base].sort(),
      specialties,
    });
  }
  return { version, entries };
}

/**
 * Sorted readable type codes; an unknown profession, or one the matrix does not name, reads
 * nothing (ACC-08 fail closed). A specialty without its own line falls back to the profession.
 */
export function readableTypeList(matrix: Matrix, profession: string, specialty?: string): readonly string[] {
  const entry = matrix.entries.get(profession);
  if (!entry) return [];
  return (specialty !== undefined && entry.specialties.get(specialty)) || entry.readable;
}
