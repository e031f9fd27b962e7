// Escaping for the XML Carnet writes (SOAP answers, ebRIM, FHIR XML).

/** Escapes text for element content. */
export function escapeText(s: string): string {
  // Most values (codes, ids, dates) need nothing: answer them without building new strings.
  if (!/[&<>]/.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Characters a double-quoted attribute value must not hold as they are. */
export const ATTR_NEEDS_ESCAPING = /[&<>"\r\n\t]/;

/** Escapes text for a double-quoted attribute value. */
export function escapeAttr(s: string): string {
  if (!ATTR_NEEDS_ESCAPING.test(s)) return s;
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}
