// Finding the values an element path designates in a resource, with the FHIRPath-like location
// of each (`DocumentReference.content[0].attachment`), for the checks medplum does not make.

export interface Located {
  value: unknown;
  path: string;
}

/** The values of `segments` below `from` (arrays flattened, each item with its index). */
export function valuesAt(from: Located[], segments: string[]): Located[] {
  let nodes = from;
  for (const segment of segments) {
    const next: Located[] = [];
    for (const node of nodes) {
      if (!node.value || typeof node.value !== 'object' || Array.isArray(node.value)) continue;
      const obj = node.value as Record<string, unknown>;
      const keys = segment.endsWith('[x]') ? Object.keys(obj).filter((k) => k.startsWith(segment.slice(0, -3)) && /^[A-Z]/.test(k.slice(segment.length - 3))) : [segment];
      for (const key of keys) {
        const v = obj[key];
        if (v === undefined || v === null) continue;
        if (Array.isArray(v)) v.forEach((item, i) => next.push({ value: item, path: `${node.path}.${key}[${i}]` }));
        else next.push({ value: v, path: `${node.path}.${key}` });
      }
    }
    nodes = next;
  }
  return nodes;
}

/** How many values `name` has in one node (0 when absent). */
export function countAt(node: unknown, name: string): number {
  if (!node || typeof node !== 'object') return 0;
  const v = (node as Record<string, unknown>)[name];
  if (v === undefined || v === null) return 0;
  return Array.isArray(v) ? v.length : 1;
}

/** `a` contains everything `pattern` says (arrays: each pattern item matched by some item). */
export function matchesPattern(a: unknown, pattern: unknown): boolean {
  if (Array.isArray(pattern)) return Array.isArray(a) && pattern.every((p) => a.some((x) => matchesPattern(x, p)));
  if (pattern && typeof pattern === 'object') {
    if (!a || typeof a !== 'object') return false;
    return Object.entries(pattern).every(([k, v]) => matchesPattern((a as Record<string, unknown>)[k], v));
  }
  return a === pattern;
}
