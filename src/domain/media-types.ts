// Media types of documents: reading one strictly, and the file extension a document is saved
// under (the record download, a served document's file name). Pure string work.

/** A media type as read: its essence (`type/subtype`, lower case) and its parameters. */
export interface MediaType {
  essence: string;
  type: string;
  subtype: string;
  /** parameter names in lower case, values unquoted */
  params: Map<string, string>;
}

const TOKEN_CHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;
/** what a quoted parameter value may hold: visible ASCII and spaces, no line break */
const QUOTED_CHAR = /[\t\x20-\x7e]/;

/**
 * Reads `type/subtype; name=value; name="quoted value"` (RFC 9110 syntax). Anything else — stray
 * characters, a line break, an unterminated quote — is undefined, so that no stored text reaches
 * a header unchecked.
 */
export function parseMediaType(value: string): MediaType | undefined {
  let i = 0;
  const n = value.length;
  const ows = () => {
    while (i < n && (value[i] === ' ' || value[i] === '\t')) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < n && TOKEN_CHAR.test(value[i]!)) i++;
    return value.slice(start, i);
  };
  ows();
  const type = token();
  if (!type || value[i] !== '/') return undefined;
  i++;
  const subtype = token();
  if (!subtype) return undefined;
  const params = new Map<string, string>();
  for (;;) {
    ows();
    if (i === n) break;
    if (value[i] !== ';') return undefined;
    i++;
    ows();
    const name = token().toLowerCase();
    if (!name || value[i] !== '=') return undefined;
    i++;
    let v = '';
    if (value[i] === '"') {
      i++;
      for (; i < n && value[i] !== '"'; i++) {
        if (value[i] === '\\') i++;
        if (i >= n || !QUOTED_CHAR.test(value[i]!)) return undefined;
        v += value[i];
      }
      if (value[i] !== '"') return undefined;
      i++;
    } else {
      v = token();
      if (!v) return undefined;
    }
    params.set(name, v);
  }
  return { essence: `${type.toLowerCase()}/${subtype.toLowerCase()}`, type: type.toLowerCase(), subtype: subtype.toLowerCase(), params };
}

const EXTENSIONS: Record<string, string> = {
  'text/plain': 'txt',
  'application/pdf': 'pdf',
  'text/xml': 'xml',
  'application/xml': 'xml',
  'application/hl7-v3+xml': 'xml',
  'application/fhir+json': 'json',
  'application/json': 'json',
  'text/html': 'html',
  'text/rtf': 'rtf',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/tiff': 'tiff',
  'image/svg+xml': 'svg',
  'text/javascript': 'js',
  'application/javascript': 'js',
  'application/dicom': 'dcm',
  'application/zip': 'zip',
};

export function extensionOf(mimeType: string): string {
  return EXTENSIONS[mimeType.split(';')[0]!.trim().toLowerCase()] ?? 'bin';
}
