// HL7 v2 data types carried in XDS string values: CX (patient ids), XCN (authorPerson,
// legalAuthenticator) and XON (authorInstitution).
import type { AuthorInstitution, AuthorPerson, PatientIdentifier } from '../../domain/model.js';

const OID = /^[0-2](\.(0|[1-9][0-9]*))+$/;

/**
 * Parses `value^^^&oid&ISO` (optionally followed by `^typeCode`, e.g. `^NH` as the DMP sends).
 * Returns undefined when the value does not have exactly that form.
 */
export function parseCx(cx: string): PatientIdentifier | undefined {
  const m = /^([^\^&~\\|]+)\^\^\^&([^&\^]+)&ISO(?:\^[A-Za-z0-9_-]*)?$/.exec(cx.trim());
  if (!m) return undefined;
  const system = m[2]!;
  if (!OID.test(system)) return undefined;
  return { value: m[1]!, system };
}

export function formatCx(id: PatientIdentifier): string {
  return `${id.value}^^^&${id.system}&ISO`;
}

function assigningAuthority(component: string | undefined): string | undefined {
  if (!component) return undefined;
  const sub = component.split('&');
  // HD: namespaceId&universalId&universalIdType
  return sub[1] || sub[0] || undefined;
}

/** XCN: id^family^given^middle^suffix^prefix^degree^source^&authority&ISO... */
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

export function formatXcn(p: AuthorPerson): string {
  if (p.raw) return p.raw;
  const c = [p.id ?? '', p.family ?? '', p.given ?? '', '', '', '', '', '', p.idSystem ? `&${p.idSystem}&ISO` : ''];
  return c.join('^').replace(/\^+$/, '');
}

/** XON: name^^^^^&authority&ISO^type^^^identifier (old senders put the id in component 3). */
export function parseXon(xon: string): AuthorInstitution {
  const c = xon.split('^');
  const inst: AuthorInstitution = { name: c[0] ?? '', raw: xon };
  const id = c[9] || c[2];
  if (id) inst.id = id;
  const authority = assigningAuthority(c[5]);
  if (authority) inst.idSystem = authority;
  return inst;
}

export function formatXon(i: AuthorInstitution): string {
  if (i.raw) return i.raw;
  if (!i.id) return i.name;
  return `${i.name}^^^^^${i.idSystem ? `&${i.idSystem}&ISO` : ''}^^^^${i.id}`;
}
