// JSON values given the wrong type, for the tests that hold readers to never trusting a shape:
// every property path of a document, and the document with one of them replaced.

export type JsonKind = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null';

/** One of each JSON type: what a property may be given instead of what its definition says. */
export const WRONG_VALUES: ReadonlyArray<readonly [JsonKind, unknown]> = [
  ['string', 'x'],
  ['number', 7],
  ['boolean', true],
  ['object', { x: 'y' }],
  ['array', ['x']],
  ['null', null],
];

export function jsonKind(value: unknown): JsonKind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as JsonKind;
}

export interface JsonPath {
  segments: Array<string | number>;
  /** `entry[1].resource.contained[0].identifier` */
  label: string;
  value: unknown;
}

/** Every property and list item below `root`, parents before children. */
export function everyPath(root: unknown): JsonPath[] {
  const out: JsonPath[] = [];
  const visit = (value: unknown, segments: Array<string | number>, label: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        const at = [...segments, i];
        out.push({ segments: at, label: `${label}[${i}]`, value: item });
        visit(item, at, `${label}[${i}]`);
      });
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        const at = [...segments, key];
        const name = label ? `${label}.${key}` : key;
        out.push({ segments: at, label: name, value: child });
        visit(child, at, name);
      }
    }
  };
  visit(root, [], '');
  return out;
}

/** A deep copy of `root` with the value at `segments` replaced by `value`. */
export function replacedAt(root: unknown, segments: Array<string | number>, value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const s of segments.slice(0, -1)) node = node[s] as Record<string | number, unknown>;
  node[segments[segments.length - 1]!] = structuredClone(value);
  return copy;
}
