// The pieces every ebRIM object is read from (Slots, Classifications as codes and authors,
// ExternalIdentifiers, status, version), shared by the readers of document entries, packages and
// associations. Each piece adds its problems to the caller's list, located by object id, so that
// one request reports every structural fault at once.
import { CarnetError } from '../../domain/errors.js';
import type { Author, AvailabilityStatus, Coded, ExtraSlot, PatientIdentifier } from '../../domain/model.js';
import { NS, attr, childElements, firstChild, textOf } from '../../xml/index.js';
import type { Element } from '../../xml/index.js';
import { parseCx, parseXcn, parseXon } from '../../domain/hl7v2.js';
import { statusFromUrn } from './constants.js';

export type Problems = CarnetError[];

export function problem(problems: Problems, location: string, message: string): void {
  problems.push(new CarnetError('invalid_metadata', message, { location }));
}

export interface Slot {
  name: string;
  values: string[];
}

export function readSlots(el: Element, problems: Problems, location: string): Map<string, Slot> {
  const slots = new Map<string, Slot>();
  for (const s of childElements(el, NS.rim, 'Slot')) {
    const name = attr(s, 'name');
    if (!name) {
      problem(problems, location, `a Slot of ${location} has no name`);
      continue;
    }
    if (slots.has(name)) {
      problem(problems, location, `slot ${name} appears twice on ${location}`);
      continue;
    }
    const list = firstChild(s, NS.rim, 'ValueList');
    const values = list ? childElements(list, NS.rim, 'Value').map((v) => textOf(v).trim()) : [];
    slots.set(name, { name, values });
  }
  return slots;
}

export function single(slots: Map<string, Slot>, name: string, problems: Problems, location: string): string | undefined {
  const s = slots.get(name);
  if (!s) return undefined;
  if (s.values.length !== 1) {
    problem(problems, location, `slot ${name} of ${location} must have exactly one value (has ${s.values.length})`);
    return s.values[0];
  }
  return s.values[0];
}

export function localized(el: Element, local: 'Name' | 'Description'): string | undefined {
  const holder = firstChild(el, NS.rim, local);
  if (!holder) return undefined;
  const ls = firstChild(holder, NS.rim, 'LocalizedString');
  const v = ls ? attr(ls, 'value') : undefined;
  return v === undefined || v === '' ? undefined : v;
}

export function readCoded(cl: Element, problems: Problems, location: string, what: string): Coded | undefined {
  const code = attr(cl, 'nodeRepresentation');
  const slots = readSlots(cl, problems, location);
  const scheme = slots.get('codingScheme')?.values;
  if (!code) {
    problem(problems, location, `${what} of ${location} has no nodeRepresentation (code)`);
    return undefined;
  }
  if (!scheme || scheme.length !== 1 || !scheme[0]) {
    problem(problems, location, `${what} ${code} of ${location} needs exactly one codingScheme slot value`);
    return undefined;
  }
  const coded: Coded = { code, system: scheme[0] };
  const display = localized(cl, 'Name');
  if (display !== undefined) coded.display = display;
  return coded;
}

export function readAuthor(cl: Element, problems: Problems, location: string): Author {
  const slots = readSlots(cl, problems, location);
  const person = single(slots, 'authorPerson', problems, location);
  const author: Author = {
    institutions: (slots.get('authorInstitution')?.values ?? []).map(parseXon),
    roles: slots.get('authorRole')?.values ?? [],
    specialties: slots.get('authorSpecialty')?.values ?? [],
    telecoms: slots.get('authorTelecommunication')?.values ?? [],
  };
  if (person) author.person = parseXcn(person);
  if (!person && author.institutions.length === 0 && author.roles.length === 0 && author.specialties.length === 0 && author.telecoms.length === 0) {
    problem(problems, location, `an author of ${location} has no authorPerson, authorInstitution, authorRole, authorSpecialty or authorTelecommunication`);
  }
  return author;
}

export function readStatus(el: Element, problems: Problems, location: string): AvailabilityStatus | undefined {
  const s = attr(el, 'status');
  if (s === undefined) return undefined;
  const status = statusFromUrn(s);
  if (!status) problem(problems, location, `unknown status ${s} on ${location}`);
  return status;
}

export function readVersion(el: Element, problems: Problems, location: string): number | undefined {
  const vi = firstChild(el, NS.rim, 'VersionInfo');
  const name = vi ? attr(vi, 'versionName') : undefined;
  if (name === undefined) return undefined;
  if (!/^[0-9]+$/.test(name)) {
    problem(problems, location, `VersionInfo versionName of ${location} must be an integer`);
    return undefined;
  }
  return Number(name);
}

export interface ExternalIds {
  byScheme: Map<string, string>;
}

export function readExternalIds(el: Element, extra: Element[], problems: Problems, location: string): ExternalIds {
  const byScheme = new Map<string, string>();
  for (const ei of [...childElements(el, NS.rim, 'ExternalIdentifier'), ...extra]) {
    const scheme = attr(ei, 'identificationScheme');
    const value = attr(ei, 'value');
    if (!scheme || value === undefined) {
      problem(problems, location, `an ExternalIdentifier of ${location} lacks identificationScheme or value`);
      continue;
    }
    if (byScheme.has(scheme)) {
      problem(problems, location, `ExternalIdentifier ${localized(ei, 'Name') ?? scheme} appears twice on ${location}`);
      continue;
    }
    byScheme.set(scheme, value);
  }
  return { byScheme };
}

export function readPatientId(value: string | undefined, problems: Problems, location: string, what: string): PatientIdentifier {
  if (value === undefined) {
    problem(problems, location, `${what} is missing on ${location}`);
    return { value: '', system: '' };
  }
  const pid = parseCx(value);
  if (!pid) {
    problem(problems, location, `${what} of ${location} is not a CX value^^^&oid&ISO: ${value}`);
    return { value: '', system: '' };
  }
  return pid;
}

export function extraSlots(slots: Map<string, Slot>, known: Set<string>): ExtraSlot[] | undefined {
  const extra: ExtraSlot[] = [];
  for (const s of slots.values()) if (!known.has(s.name)) extra.push({ name: s.name, values: s.values });
  return extra.length ? extra : undefined;
}

export function takeSingleCode(
  codes: Coded[],
  problems: Problems,
  location: string,
  what: string,
): Coded | undefined {
  if (codes.length > 1) problem(problems, location, `${location} has ${codes.length} ${what} classifications; one is allowed`);
  return codes[0];
}
