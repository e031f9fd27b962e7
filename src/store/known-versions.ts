// The row versions a reader already holds (`<entry_uuid>:<version>`, src/util/row-version-cache.ts)
// as the statement parameter a version-aware read takes. The cache hands out one frozen list per
// record until the record changes, and a record read again and again sends the same thousand
// versions each time: their array literal is made once per list, not escaped element by element
// by the driver at every statement.

const literals = new WeakMap<readonly string[], string>();

/** an entryUUID and a transaction id: nothing an array literal would need to quote */
const PLAIN = /^[0-9a-fA-F-]+:[0-9]+$/;

/** `known` as a `text[]` parameter: its array literal (kept for a frozen list), or the list itself if an element is not plain. */
export function knownVersionsParam(known: readonly string[]): string | readonly string[] {
  const held = literals.get(known);
  if (held !== undefined) return held;
  if (!known.every((k) => PLAIN.test(k))) return known;
  const literal = `{${known.join(',')}}`;
  if (Object.isFrozen(known)) literals.set(known, literal);
  return literal;
}
