// Reading a constant table with a key that came from outside. A plain `table[key]` answers
// `constructor`, `toString` or `__proto__` with what every object inherits, and that has reached
// SQL as `ORDER BY undefined` before: only the table's own entries count.

export function lookup<V>(table: Readonly<Record<string, V>>, key: string | undefined | null): V | undefined {
  return key !== undefined && key !== null && Object.hasOwn(table, key) ? table[key] : undefined;
}
