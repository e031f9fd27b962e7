// The HL7 v2 data types XDS metadata carries as strings (CX, CXi, XCN, XON, XTN), split and
// joined for the MHD mapping. Only the components the mapping needs are read; escapes are rare in
// XDS metadata and are left as they are.

export interface CxValue {
  value: string;
  /** assigning authority universal id (OID) */
  system?: string;
  /** CX.5 identifier type code (e.g. NH) or, for CXi, the reference id type URN */
  type?: string;
}

function components(s: string): string[] {
  return s.split('^');
}

function authorityOf(component: string | undefined): string | undefined {
  if (!component) return undefined;
  const sub = component.split('&');
  const oid = sub[1];
  return oid ? oid : undefined;
}

/** CX / CXi: `value^^^&oid&ISO[^type]`. */
export function parseCx(s: string): CxValue {
  const c = components(s);
  const out: CxValue = { value: c[0] ?? '' };
  const system = authorityOf(c[3]);
  if (system) out.system = system;
  if (c[4]) out.type = c[4];
  return out;
}

export function formatCx(v: CxValue): string {
  let s = v.value;
  if (v.system || v.type) s += `^^^${v.system ? `&${v.system}&ISO` : ''}`;
  if (v.type) s += `^${v.type}`;
  return s;
}

export interface XcnValue {
  id?: string;
  family?: string;
  given?: string;
  /** assigning authority OID of the id */
  system?: string;
}

/** XCN: `id^family^given^^^^^^&oid&ISO...`. */
export function parseXcn(s: string): XcnValue {
  const c = components(s);
  const out: XcnValue = {};
  if (c[0]) out.id = c[0];
  if (c[1]) out.family = c[1];
  if (c[2]) out.given = c[2];
  const system = authorityOf(c[8]);
  if (system) out.system = system;
  return out;
}

export function formatXcn(v: XcnValue): string {
  const c = [v.id ?? '', v.family ?? '', v.given ?? '', '', '', '', '', '', v.system ? `&${v.system}&ISO` : ''];
  return trimComponents(c).join('^');
}

export interface XonValue {
  name: string;
  id?: string;
  system?: string;
}

/** XON: `name^^^^^&oid&ISO^IDNST^^^id` (the id in component 10, its authority in 6). */
export function parseXon(s: string): XonValue {
  const c = components(s);
  const out: XonValue = { name: c[0] ?? '' };
  if (c[9]) out.id = c[9];
  else if (c[2]) out.id = c[2];
  const system = authorityOf(c[5]);
  if (system) out.system = system;
  return out;
}

export function formatXon(v: XonValue): string {
  if (!v.id) return v.name;
  const c = [v.name, '', '', '', '', v.system ? `&${v.system}&ISO` : '', 'IDNST', '', '', v.id];
  return c.join('^');
}

export interface XtnValue {
  system: 'email' | 'phone' | 'url' | 'other';
  value: string;
}

/** XTN: `^^Internet^a@b` for e-mail, `^PRN^PH^^^^^^^^^+33...` (or number first) for phones. */
export function parseXtn(s: string): XtnValue {
  const c = components(s);
  if ((c[2] ?? '').toLowerCase() === 'internet' || (c[3] ?? '').includes('@')) {
    return { system: 'email', value: c[3] ?? '' };
  }
  const phone = c[11] || c[0] || c.find((x) => x !== '') || '';
  return { system: 'phone', value: phone };
}

export function formatXtn(v: XtnValue): string {
  if (v.system === 'email') return `^^Internet^${v.value}`;
  return `^PRN^PH^^^^^^^^^${v.value}`;
}

function trimComponents(c: string[]): string[] {
  let end = c.length;
  while (end > 1 && c[end - 1] === '') end--;
  return c.slice(0, end);
}
