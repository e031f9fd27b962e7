// `$name$` (and bare `useAs` names) substitution in metadata, queries and assertions. Values
// are plain text; the longest names are replaced first so `$docuid1$` never eats `$docuid10$`.

export type Variables = Map<string, string>;

export function substitute(text: string, vars: Variables): string {
  const names = [...vars.keys()].filter(Boolean).sort((a, b) => b.length - a.length);
  let out = text;
  for (const name of names) out = out.split(name).join(vars.get(name)!);
  return out;
}

/** The same, for XML text: values are escaped (patient ids carry `&`). */
export function substituteXml(text: string, vars: Variables): string {
  const escaped: Variables = new Map();
  for (const [k, v] of vars) escaped.set(k, v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'));
  return substitute(text, escaped);
}

/** `$word$` placeholders still present after substitution (a step cannot be sent with these). */
export function unresolved(text: string): string[] {
  return [...new Set(text.match(/\$[A-Za-z_][\w.-]*\$/g) ?? [])];
}

/** Today as the toolkit's `$DATE$` (yyyyMMdd, UTC). */
export function toolkitDate(now: Date): string {
  return now.toISOString().slice(0, 10).replace(/-/g, '');
}

/** A DTM to the second (yyyyMMddHHmmss, UTC). */
function dtm(d: Date): string {
  return d.toISOString().slice(0, 19).replace(/[-T:]/g, '');
}

/**
 * The toolkit's `$now$` and `$lastyear$` time bounds. `$now$` is rounded up to the next second:
 * a query's upper bound is exclusive, and an object stored earlier in this same second is before it.
 */
export function toolkitTimes(now: Date): Array<[string, string]> {
  const next = new Date(Math.floor(now.getTime() / 1000) * 1000 + 1000);
  const lastYear = new Date(now);
  lastYear.setUTCFullYear(lastYear.getUTCFullYear() - 1);
  return [
    ['$now$', dtm(next)],
    ['$lastyear$', dtm(lastYear)],
  ];
}
