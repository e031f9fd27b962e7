// medplum's crawl visits every element a type defines on every object of that type, present or
// not, and for each one tries its type codes in turn to find the JSON key (`valueCoding`...). An
// element that is optional and whose keys occur nowhere in the resource is absent from every
// object: visiting it only finds that it is absent, and reports nothing. So, for one check, each
// type the crawl may reach is seen through a view whose own elements are those that can matter
// here (present somewhere in the resource, or required); every other element stays reachable
// through the view's prototype, so a lookup by name (an unknown key, a FHIRPath invariant) still
// finds it. The answers are proven equal to the full crawl's in the profile tests.
import type { parseStructureDefinition } from '@medplum/core';

type TypeSchema = ReturnType<typeof parseStructureDefinition>;

/** What a resource holds that decides which elements may be present: every key, every resource type. */
export interface PresentKeys {
  keys: Set<string>;
  resourceTypes: Set<string>;
}

/** Every object key anywhere in `value`, and every `resourceType` it names. */
export function presentKeys(value: unknown, out: PresentKeys = { keys: new Set(), resourceTypes: new Set() }): PresentKeys {
  if (Array.isArray(value)) {
    for (const item of value) if (item !== null && typeof item === 'object') presentKeys(item, out);
    return out;
  }
  if (value === null || typeof value !== 'object') return out;
  for (const [key, child] of Object.entries(value)) {
    out.keys.add(key);
    if (key === 'resourceType' && typeof child === 'string') out.resourceTypes.add(child);
    else if (child !== null && typeof child === 'object') presentKeys(child, out);
  }
  return out;
}

const capitalized = (code: string) => code.charAt(0).toUpperCase() + code.slice(1);

/** One element as this file reads it: its key, whether it is required, the JSON names it may take. */
interface ElementNames {
  key: string;
  /**
   * visited whatever the resource holds: a required element reports its absence; a nested path
   * (a profile's) is kept as it is; a name every value inherits is found on any value
   */
  always: boolean;
  /** each JSON name (a choice element has one per type code) and its primitive twin, `_name`; `type`: its index in the element's types */
  names: Array<{ name: string; twin: string; code: string; type: number }>;
  /**
   * a choice element (`value[x]`) whose types may be narrowed to those present: the indexes of
   * the types always kept (the first, which medplum reads back for an `Element`; any whose name
   * is not a plain word or is one every value inherits)
   */
  choice?: number[];
}

const compiled = new WeakMap<TypeSchema, ElementNames[]>();

/**
 * Names a JSON value has without holding them as keys: what its prototype gives a string, a
 * number, a list or an object. medplum reads an element by name on whatever value stands where
 * an object belongs, so a string crawled as a BundleEntry has a `link` (String.prototype.link)
 * and a `search`: such elements are always visited.
 */
const INHERITED = new Set(
  [String.prototype, Number.prototype, Boolean.prototype, Array.prototype, Object.prototype, Function.prototype].flatMap((p) => Object.getOwnPropertyNames(p)),
);

/** A schema's elements with their JSON names, worked out once per schema. */
function namesOf(schema: TypeSchema): ElementNames[] {
  let list = compiled.get(schema);
  if (!list) {
    list = Object.entries(schema.elements).map(([key, element]) => {
      // medplum finds the value under the last segment of the element's path; the key is the
      // schema's name for it: both are taken, in case they ever differ
      const last = element.path.slice(element.path.lastIndexOf('.') + 1);
      const names = [...new Set([key, last])].flatMap((base) =>
        base.endsWith('[x]')
          ? element.type.map((t, type) => ({ name: base.slice(0, -3) + capitalized(t.code), code: t.code, type }))
          : element.type.map((t, type) => ({ name: base, code: t.code, type })),
      );
      const inherited = names.some((n) => INHERITED.has(n.name));
      const out: ElementNames = { key, always: element.min > 0 || key.includes('.') || inherited, names: names.map((n) => ({ ...n, twin: `_${n.name}` })) };
      if (key.endsWith('[x]') && last.endsWith('[x]') && element.type.length > 1) {
        const odd = names.filter((n) => !/^[A-Za-z][A-Za-z0-9]*$/.test(n.name) || INHERITED.has(n.name)).map((n) => n.type);
        out.choice = [...new Set([0, ...odd])];
      }
      return out;
    });
    compiled.set(schema, list);
  }
  return list;
}

const isPresent = (n: { name: string; twin: string }, present: PresentKeys) => present.keys.has(n.name) || present.keys.has(n.twin);

/** Views already built, by schema and by the elements they keep (a few shapes of resource recur). */
const views = new WeakMap<TypeSchema, Map<string, TypeSchema>>();
const VIEWS_PER_SCHEMA = 64;

/**
 * `schema` seen with only the elements that may matter as its own (itself when all may), and the
 * type codes those elements can hold here (a choice element: the types whose name is present).
 */
function viewOf(schema: TypeSchema, present: PresentKeys, reached: string[]): TypeSchema {
  const list = namesOf(schema);
  let signature = '';
  let changed = false;
  // a choice element's types narrowed to those present, by element index
  const narrowed = new Map<number, number[]>();
  for (let i = 0; i < list.length; i++) {
    const e = list[i]!;
    let kept = e.always;
    const types = e.choice ? new Set(e.choice) : undefined;
    for (const n of e.names) {
      if (isPresent(n, present)) {
        kept = true;
        reached.push(n.code);
        types?.add(n.type);
      }
    }
    // a required element absent everywhere is still visited: its types hold nothing to reach
    if (!kept) {
      changed = true;
      continue;
    }
    signature += `${i},`;
    const all = schema.elements[e.key]!.type.length;
    if (types && types.size < all) {
      const kept = [...types].sort((a, b) => a - b);
      narrowed.set(i, kept);
      signature += `${kept.join(' ')},`;
      changed = true;
    }
  }
  if (!changed) return schema;
  let built = views.get(schema);
  if (!built) views.set(schema, (built = new Map()));
  let view = built.get(signature);
  if (!view) {
    // the elements not kept are the prototype's: found by name and by `in`, not visited
    const elements = Object.create(schema.elements) as TypeSchema['elements'];
    list.forEach((e, i) => {
      if (!e.always && !e.names.some((n) => isPresent(n, present))) return;
      const element = schema.elements[e.key]!;
      const types = narrowed.get(i);
      // medplum finds a choice's value by trying its types in order until one's name is a key:
      // the types whose names occur nowhere in the resource (but the first) are never the one
      elements[e.key] = types ? { ...element, type: types.map((t) => element.type[t]!) } : element;
    });
    view = { ...schema, elements };
    if (built.size >= VIEWS_PER_SCHEMA) built.clear();
    built.set(signature, view);
  }
  return view;
}

const ANY_RESOURCE = new Set(['Resource', 'DomainResource']);

/** The views found for a shape of resource (its keys and resource types), by that shape. */
const byShape = new Map<string, Array<[string, TypeSchema, TypeSchema]>>();
const SHAPES = 256;

/**
 * The views of the types a crawl from `root` may reach in a resource holding `present` (by the
 * type codes of the elements kept, a resource element by the resource types present), as
 * [type name, view] for those that differ from the type's schema. Missing a type only leaves it
 * crawled in full: it changes the cost, never the answer. Resources of one shape recur (every
 * deposit of a sender): their views are found once.
 */
export function presentViews(types: Record<string, TypeSchema>, root: string, present: PresentKeys): Array<[string, TypeSchema]> {
  const shape = `${root}\n${[...present.keys].sort().join(',')}\n${[...present.resourceTypes].sort().join(',')}`;
  let found = byShape.get(shape);
  if (!found) {
    found = reachedViews(types, root, present);
    if (byShape.size >= SHAPES) byShape.clear();
    byShape.set(shape, found);
  }
  // a view stands for the schema it was made from: a type loaded again since is crawled in full
  return found.filter(([name, schema]) => types[name] === schema).map(([name, , view]) => [name, view]);
}

function reachedViews(types: Record<string, TypeSchema>, root: string, present: PresentKeys): Array<[string, TypeSchema, TypeSchema]> {
  const out: Array<[string, TypeSchema, TypeSchema]> = [];
  const seen = new Set<string>();
  // a primitive's `_name` twin is crawled as an Element
  const queue = [root, 'Element'];
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const schema = types[name];
    if (!schema?.elements) continue;
    const reached: string[] = [];
    const view = viewOf(schema, present, reached);
    if (view !== schema) out.push([name, schema, view]);
    for (const code of reached) {
      if (ANY_RESOURCE.has(code)) for (const r of present.resourceTypes) queue.push(r);
      else if (!seen.has(code)) queue.push(code);
    }
  }
  return out;
}
