// Snapshot generation for the profiles of profiles/fhir/: the base definition's snapshot with
// the differential laid over it. Enough for what Carnet's profiles say (cardinality, fixed and
// pattern values, bindings, invariants, type narrowing, documentation); slicing is refused, so
// a profile cannot say something this generator would silently drop.
import type { ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';

export type DefinitionResolver = (url: string) => StructureDefinition | undefined;

const MERGE_APPEND = new Set(['constraint', 'condition']);
const NEVER_MERGE = new Set(['id', 'path', 'base']);

function typeSnapshot(code: string, resolve: DefinitionResolver): ElementDefinition[] {
  const sd = resolve(`http://hl7.org/fhir/StructureDefinition/${code}`);
  if (!sd?.snapshot?.element) throw new Error(`no definition of the datatype ${code}`);
  return sd.snapshot.element;
}

/** Adds the children of a complex-typed element (e.g. content.attachment -> Attachment.*) once. */
function expand(elements: ElementDefinition[], id: string, resolve: DefinitionResolver): void {
  const segments = id.split('.');
  for (let n = segments.length - 1; n >= 1; n--) {
    const ancestorId = segments.slice(0, n).join('.');
    const at = elements.findIndex((e) => e.id === ancestorId);
    if (at < 0) continue;
    const ancestor = elements[at];
    const types = ancestor.type ?? [];
    if (types.length !== 1 || !types[0].code) throw new Error(`${id}: ${ancestorId} has no single type to expand`);
    const code = types[0].code;
    const children = typeSnapshot(code, resolve).slice(1).map((e): ElementDefinition => {
      const rest = (e.id ?? e.path ?? '').slice(code.length);
      return { ...structuredClone(e), id: `${ancestorId}${rest}`, path: `${ancestor.path}${(e.path ?? '').slice(code.length)}` };
    });
    let end = at + 1;
    while (end < elements.length && (elements[end].id ?? '').startsWith(`${ancestorId}.`)) end++;
    elements.splice(end, 0, ...children);
    if (!elements.some((e) => e.id === id)) expand(elements, id, resolve);
    return;
  }
  throw new Error(`${id}: no element of the base to constrain`);
}

/** The profile with its snapshot generated from `baseDefinition` and its differential. */
export function withSnapshot(profile: StructureDefinition, resolve: DefinitionResolver): StructureDefinition {
  if (!profile.baseDefinition) throw new Error(`${profile.url}: baseDefinition is required`);
  const base = resolve(profile.baseDefinition);
  if (!base?.snapshot?.element) throw new Error(`${profile.url}: base ${profile.baseDefinition} is unknown or has no snapshot`);
  const elements = structuredClone(base.snapshot.element);
  for (const diff of profile.differential?.element ?? []) {
    const id = diff.id ?? diff.path;
    if (!id) throw new Error(`${profile.url}: a differential element has neither id nor path`);
    if (id.includes(':') || diff.slicing) throw new Error(`${profile.url}: ${id}: slicing is not supported by this generator`);
    if (!elements.some((e) => e.id === id)) expand(elements, id, resolve);
    const target = elements.find((e) => e.id === id) as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(diff)) {
      if (NEVER_MERGE.has(key)) continue;
      if (MERGE_APPEND.has(key)) target[key] = [...((target[key] as unknown[] | undefined) ?? []), ...(value as unknown[])];
      else target[key] = structuredClone(value);
    }
  }
  return { ...profile, snapshot: { element: elements } };
}
