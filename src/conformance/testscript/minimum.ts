// minimumId: every element of the expected fixture must be present in the actual resource.
// Server-managed `id`, `meta` and `text` at the top level are not compared.

/** Returns the paths where `expected` is not matched by `actual` (empty when it is contained). */
export function missingContent(expected: unknown, actual: unknown, path = ''): string[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [path || '(root)'];
    return expected.flatMap((item, i) => (actual.some((a) => missingContent(item, a).length === 0) ? [] : [`${path}[${i}]`]));
  }
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object' || Array.isArray(actual)) return [path || '(root)'];
    const a = actual as Record<string, unknown>;
    return Object.entries(expected as Record<string, unknown>)
      .filter(([key]) => path !== '' || !['id', 'meta', 'text'].includes(key))
      .flatMap(([key, value]) => missingContent(value, a[key], path ? `${path}.${key}` : key));
  }
  return actual !== undefined && String(actual) === String(expected) ? [] : [path || '(root)'];
}
