// The HL7 v2 data types XDS metadata carries as strings — CX (patient ids, CXi reference ids),
// XCN (authorPerson, legalAuthenticator), XON (authorInstitution) and XTN (telecoms) — read into
// and written from the neutral model. Both doors use this one codec, so a value written by one
// reads back the same through the other. Pure string work: no I/O, no door knowledge.
import type { AuthorInstitution, AuthorPerson, PatientIdentifier } from './model.js';

const OID = /^[0-2](\.(0|[1-9][0-9]*))+$/;

/**
 * The strict shape of a patient id: `value^^^&oid&ISO`, optionally followed by a type code (the
 * DMP sends `^NH`). No HL7 delimiter may hide in the value, the authority must be an OID.
 */
const STRICT_CX = /^([^\^&~\\|]+)\^\^\^&([^&\^]+)&ISO(?:\^[A-Za-z0-9_-]*)?$/;

/** Returns undefined unless the value has exactly the shape above (XDS refuses the rest). */
export function parseCx(cx: string): PatientIdentifier | undefined {
  const m = STRICT_CX.exec(cx.trim());
  if (!m || !OID.test(m[2]!)) return undefined;
  return { value: m[1]!, system: m[2]! };
}

export function formatCx(id: PatientIdentifier): string {
  return writeCx(id);
}

/** A CX / CXi read leniently: sourcePatientId and referenceIdList may lack the authority. */
export interface CxParts {
  value: string;
  /** assigning authority universal id (OID) */
  system?: string;
  /** CX.5 identifier type code (e.g. NH) or, for CXi, the reference id type URN */
  type?: string;
}

export function readCx(s: string): CxParts {
  const c = s.split('^');
  const out: CxParts = { value: c[0] ?? '' };
  const system = c[3]?.split('&')[1];
  if (system) out.system = system;
  if (c[4]) out.type = c[4];
  return out;
}

export function writeCx(v: CxParts): string {
  let s = v.value;
  if (v.system || v.type) s += `^^^${v.system ? `&${v.system}&ISO` : ''}`;
  if (v.type) s += `^${v.type}`;
  return s;
}

/** HD `namespaceId&universalId&universalIdType`: the universal id, else the namespace id. */
function assigningAuthority(component: string | undefined): string | undefined {
  if (!component) return undefined;
  const sub = component.split('&');
  return sub[1] || sub[0] || undefined;
}

function trimTrailing(components: string[]): string {
  let end = components.length;
  while (end > 1 && components[end - 1] === '') end--;
  return components.slice(0, end).join('^');
}

/** XCN `id^family^given^middle^suffix^prefix^degree^source^&authority&ISO…`; keeps the original. */
export function parseXcn(xcn: string): AuthorPerson {
  const c = xcn.split('^');
  const person: AuthorPerson = { raw: xcn };
  if (c[0]) person.id = c[0];
  if (c[1]) person.family = c[1];
  if (c[2]) person.given = c[2];
  const authority = assigningAuthority(c[8]);
  if (authority) person.idSystem = authority;
  return person;
}

/** The original string when there is one (nothing of a sender's XCN is lost), else built. */
export function formatXcn(p: AuthorPerson): string {
  if (p.raw) return p.raw;
  return trimTrailing([p.id ?? '', p.family ?? '', p.given ?? '', '', '', '', '', '', p.idSystem ? `&${p.idSystem}&ISO` : '']);
}

/** XON `name^^^^^&authority&ISO^IDNST^^^identifier` (old senders put the id in component 3). */
export function parseXon(xon: string): AuthorInstitution {
  const c = xon.split('^');
  const inst: AuthorInstitution = { name: c[0] ?? '', raw: xon };
  const id = c[9] || c[2];
  if (id) inst.id = id;
  const authority = assigningAuthority(c[5]);
  if (authority) inst.idSystem = authority;
  return inst;
}

/** Built with the identifier type IDNST the CI-SIS asks for structure ids (XON.7). */
export function formatXon(i: AuthorInstitution): string {
  if (i.raw) return i.raw;
  if (!i.id) return i.name;
  return [i.name, '', '', '', '', i.idSystem ? `&${i.idSystem}&ISO` : '', 'IDNST', '', '', i.id].join('^');
}

export interface XtnValue {
  system: 'email' | 'phone';
  value: string;
}

/** XTN `^^Internet^a@b` for e-mail; `^PRN^PH^^^^^^^^^+33…` (or the number first) for phones. */
export function parseXtn(s: string): XtnValue {
  const c = s.split('^');
  if ((c[2] ?? '').toLowerCase() === 'internet' || (c[3] ?? '').includes('@')) {
    return { system: 'email', value: c[3] ?? '' };
  }
  return { system: 'phone', value: c[11] || c[0] || c.find((x) => x !== '') || '' };
}

export function formatXtn(v: XtnValue): string {
  if (v.system === 'email') return `^^Internet^${v.value}`;
  return `^PRN^PH^^^^^^^^^${v.value}`;
}
