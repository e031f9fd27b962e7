// Authors (and other people/organisations) between the neutral model and contained FHIR
// resources. MHD puts authors, the legal authenticator, intended recipients and the source
// patient in DocumentReference.contained / List.contained and refers to them by `#id`.
import type {
  CodeableConcept,
  ContactPoint,
  Extension,
  Identifier,
  Organization,
  Patient,
  Practitioner,
  PractitionerRole,
  Reference,
  Resource,
} from '@medplum/fhirtypes';
import type { Author, AuthorInstitution, AuthorPerson } from '../../domain/model.js';
import { CarnetError } from '../../domain/errors.js';
import { fhirSystemToXds, identifierSystemToOid, oidToIdentifierSystem, xdsSystemToFhir } from '../codes.js';
import { EXT } from '../mappings/carnet-fhir.js';
import { formatXcn, formatXtn, parseXcn, parseXtn } from '../../domain/hl7v2.js';

/** Carries the second and further authorInstitution values of one author on its PractitionerRole. */
export const EXT_AUTHOR_INSTITUTION = EXT.AUTHOR_INSTITUTION;

// ------------------------------------------------------------------------ neutral -> FHIR

export function personToPractitioner(person: AuthorPerson, id: string): Practitioner {
  const p: Practitioner = { resourceType: 'Practitioner', id };
  if (person.id) {
    const identifier: Identifier = { value: person.id };
    if (person.idSystem) identifier.system = oidToIdentifierSystem(person.idSystem);
    p.identifier = [identifier];
  }
  if (person.family || person.given) {
    p.name = [{ ...(person.family ? { family: person.family } : {}), ...(person.given ? { given: [person.given] } : {}) }];
  }
  return p;
}

export function institutionToOrganization(inst: AuthorInstitution, id: string): Organization {
  const o: Organization = { resourceType: 'Organization', id };
  if (inst.id) {
    const identifier: Identifier = { value: inst.id };
    if (inst.idSystem) identifier.system = oidToIdentifierSystem(inst.idSystem);
    o.identifier = [identifier];
  }
  if (inst.name) o.name = inst.name;
  return o;
}

/** CE-like XDS string `code^display^system` -> CodeableConcept (a bare code stays a bare code). */
/**
 * An XDS CE string (code^display^system) as a CodeableConcept. A value without its coding scheme
 * (a bare "SM26" from a sender) has no system to name: R4 wants a Coding's system, so such a
 * value is kept as the concept's text, unchanged (conceptToCe gives it back as it came).
 */
export function ceToConcept(value: string): CodeableConcept {
  const [code = '', display, system] = value.split('^');
  if (!system) return { text: value };
  const coding: NonNullable<CodeableConcept['coding']>[number] = { code };
  if (system) coding.system = xdsSystemToFhir(system.includes('&') ? (system.split('&')[1] ?? system) : system);
  if (display) coding.display = display;
  return { coding: [coding] };
}

export function conceptToCe(concept: CodeableConcept): string | undefined {
  const coding = concept.coding?.[0];
  if (!coding?.code) return concept.text;
  if (!coding.system && !coding.display) return coding.code;
  return `${coding.code}^${coding.display ?? ''}${coding.system ? `^${fhirSystemToXds(coding.system)}` : ''}`;
}

export function telecomToContactPoint(xtn: string): ContactPoint {
  const v = parseXtn(xtn);
  return { system: v.system, value: v.value };
}

export function contactPointToTelecom(cp: ContactPoint): string | undefined {
  if (!cp.value) return undefined;
  return formatXtn({ system: cp.system === 'email' ? 'email' : 'phone', value: cp.value });
}

/**
 * One author as contained resources and the reference to use in `author` / `source`.
 * `idPrefix` makes the contained ids unique within the resource.
 */
export function authorToContained(author: Author, idPrefix: string): { reference: Reference; contained: Resource[] } {
  const contained: Resource[] = [];
  const simplePerson = author.person && author.institutions.length === 0 && author.roles.length === 0 && author.specialties.length === 0;
  if (simplePerson && author.person) {
    const p = personToPractitioner(author.person, idPrefix);
    if (author.telecoms.length > 0) p.telecom = author.telecoms.map(telecomToContactPoint);
    return { reference: { reference: `#${idPrefix}` }, contained: [p] };
  }
  const simpleOrg =
    !author.person && author.institutions.length === 1 && author.roles.length === 0 && author.specialties.length === 0 && author.telecoms.length === 0;
  if (simpleOrg && author.institutions[0]) {
    return { reference: { reference: `#${idPrefix}` }, contained: [institutionToOrganization(author.institutions[0], idPrefix)] };
  }
  const role: PractitionerRole = { resourceType: 'PractitionerRole', id: idPrefix };
  if (author.person) {
    contained.push(personToPractitioner(author.person, `${idPrefix}-person`));
    role.practitioner = { reference: `#${idPrefix}-person` };
  }
  const extensions: Extension[] = [];
  author.institutions.forEach((inst, i) => {
    const id = `${idPrefix}-org${i + 1}`;
    contained.push(institutionToOrganization(inst, id));
    if (i === 0) role.organization = { reference: `#${id}` };
    else extensions.push({ url: EXT_AUTHOR_INSTITUTION, valueReference: { reference: `#${id}` } });
  });
  if (extensions.length > 0) role.extension = extensions;
  if (author.roles.length > 0) role.code = author.roles.map(ceToConcept);
  if (author.specialties.length > 0) role.specialty = author.specialties.map(ceToConcept);
  if (author.telecoms.length > 0) role.telecom = author.telecoms.map(telecomToContactPoint);
  return { reference: { reference: `#${idPrefix}` }, contained: [role, ...contained] };
}

/** An XCN string (legal authenticator, intended recipient person) as a contained Practitioner. */
export function xcnToPractitioner(xcn: string, id: string): Practitioner {
  return personToPractitioner(parseXcn(xcn), id);
}

// ------------------------------------------------------------------------ FHIR -> neutral

export function findContained(contained: Resource[] | undefined, reference: string | undefined): Resource | undefined {
  if (!reference?.startsWith('#')) return undefined;
  const id = reference.slice(1);
  return contained?.find((r) => r.id === id);
}

function clean<T extends object>(o: T): T {
  for (const key of Object.keys(o) as (keyof T)[]) {
    if (o[key] === undefined) delete o[key];
  }
  return o;
}

export function practitionerToPerson(p: Practitioner | Patient): AuthorPerson {
  const identifier = p.identifier?.[0];
  const name = p.name?.[0];
  return clean({
    id: identifier?.value,
    idSystem: identifier?.system ? identifierSystemToOid(identifier.system) : undefined,
    family: name?.family,
    given: name?.given?.[0],
  });
}

export function organizationToInstitution(o: Organization): AuthorInstitution {
  const identifier = o.identifier?.[0];
  return clean({
    name: o.name ?? '',
    id: identifier?.value,
    idSystem: identifier?.system ? identifierSystemToOid(identifier.system) : undefined,
  });
}

export function practitionerToXcn(p: Practitioner | Patient): string {
  return formatXcn(practitionerToPerson(p));
}

/**
 * The author a reference designates among the contained resources. Problems (unresolvable or
 * non-contained reference, unsupported type) are reported with `path`.
 */
export function authorFromReference(
  ref: Reference,
  contained: Resource[] | undefined,
  path: string,
): { author?: Author; problem?: CarnetError } {
  const target = findContained(contained, ref.reference);
  if (!target) {
    return {
      problem: new CarnetError('invalid_metadata', `Author reference ${ref.reference ?? '(none)'} does not designate a contained resource`, {
        location: `${path}.reference`,
      }),
    };
  }
  const author: Author = { institutions: [], roles: [], specialties: [], telecoms: [] };
  const telecoms = (list: ContactPoint[] | undefined): string[] =>
    (list ?? []).map(contactPointToTelecom).filter((t): t is string => t !== undefined);
  switch (target.resourceType) {
    case 'Practitioner':
    case 'Patient':
    case 'RelatedPerson':
      author.person = practitionerToPerson(target as Practitioner);
      author.telecoms = telecoms(target.telecom);
      return { author };
    case 'Device':
      author.person = clean({ id: target.identifier?.[0]?.value, family: target.deviceName?.[0]?.name });
      return { author };
    case 'Organization':
      author.institutions = [organizationToInstitution(target)];
      author.telecoms = telecoms(target.telecom);
      return { author };
    case 'PractitionerRole': {
      const person = findContained(contained, target.practitioner?.reference);
      if (target.practitioner && person?.resourceType !== 'Practitioner') {
        return { problem: new CarnetError('invalid_metadata', 'PractitionerRole.practitioner must designate a contained Practitioner', { location: `${path}.reference` }) };
      }
      if (person?.resourceType === 'Practitioner') author.person = practitionerToPerson(person);
      const orgRefs = [target.organization?.reference, ...(target.extension ?? []).filter((e) => e.url === EXT_AUTHOR_INSTITUTION).map((e) => e.valueReference?.reference)];
      for (const r of orgRefs) {
        if (!r) continue;
        const org = findContained(contained, r);
        if (org?.resourceType !== 'Organization') {
          return { problem: new CarnetError('invalid_metadata', 'PractitionerRole.organization must designate a contained Organization', { location: `${path}.reference` }) };
        }
        author.institutions.push(organizationToInstitution(org));
      }
      author.roles = (target.code ?? []).map(conceptToCe).filter((s): s is string => s !== undefined);
      author.specialties = (target.specialty ?? []).map(conceptToCe).filter((s): s is string => s !== undefined);
      author.telecoms = telecoms(target.telecom);
      return { author };
    }
    default:
      return { problem: new CarnetError('invalid_metadata', `An author cannot be a ${target.resourceType}`, { location: `${path}.reference` }) };
  }
}
