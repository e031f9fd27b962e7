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
