// A json/jsonb column as a query hands it over: already parsed, or as its text, depending on how
// the row was read; both are taken. Shared by the repositories of the registry's objects.
export function jsonColumn<T>(v: T | string): T {
  return typeof v === 'string' ? (JSON.parse(v) as T) : v;
}
