// The patient's own pages as FHIR Parameters (pure): PAT-01 home figures, PAT-02 display
// settings, PAT-05 emergency contacts and representatives' details, PAT-07 copy requests. Each
// reader of a Parameters body takes only the names it documents and refuses any other.
import type { Coding, DocumentReference, Parameters, ParametersParameter, PatientContact } from '@medplum/fhirtypes';
import { CarnetError } from '../../domain/errors.js';
import type { ClassCount } from '../../services/home.js';
import type { ContactsUpdate, ContactsView, EmergencyContact } from '../../services/contacts.js';
import type { CopyRequestInput } from '../../services/copy-requests.js';
import type { DisplaySettings } from '../../services/home.js';
import { xdsSystemToFhir } from '../codes.js';
import { assertShapes } from '../validation/shapes.js';

const invalid = (message: string, location: string) => new CarnetError('invalid_metadata', message, { location });

/** The request body as Parameters (an empty body is an empty Parameters). */
export function asParameters(body: unknown, operation: string): Parameters {
  if (body === undefined || body === null || body === '') return { resourceType: 'Parameters' };
  const p = body as Parameters;
  if (p.resourceType !== 'Parameters') throw invalid(`${operation} takes a Parameters resource`, 'resourceType');
  assertShapes(p);
  return p;
}

function only(p: Parameters, names: string[], operation: string): ParametersParameter[] {
  const list = p.parameter ?? [];
  for (const x of list) if (!names.includes(x.name ?? '')) throw invalid(`${operation}: unknown parameter ${x.name} (${names.join(', ')})`, x.name ?? 'parameter');
  return list;
}

function partsOf(x: ParametersParameter, names: string[], at: string): Map<string, ParametersParameter> {
  const out = new Map<string, ParametersParameter>();
  for (const part of x.part ?? []) {
    if (!names.includes(part.name ?? '')) throw invalid(`${at}: unknown part ${part.name} (${names.join(', ')})`, `${at}.${part.name}`);
    if (out.has(part.name!)) throw invalid(`${at}: ${part.name} is given twice`, `${at}.${part.name}`);
    out.set(part.name!, part);
  }
  return out;
}

const str = (x: ParametersParameter | undefined): string | undefined => x?.valueString ?? x?.valueCode ?? undefined;

function classCoding(c: ClassCount): Coding {
  return { ...(c.system ? { system: xdsSystemToFhir(c.system) } : {}), code: c.classCode, ...(c.display ? { display: c.display } : {}) };
}

export interface HomeFigures {
  latest: DocumentReference[];
  categories: ClassCount[];
  currentCount: number;
  archivedCount: number;
  display: DisplaySettings;
}

/** PAT-01: `latest` (≤5 DocumentReference), `category` (code, current, archived), `currentCount`, `archivedCount`, and PAT-02 `pageSize` / `sortOrder`. */
export function homeToParameters(h: HomeFigures): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'currentCount', valueInteger: h.currentCount },
      { name: 'archivedCount', valueInteger: h.archivedCount },
      ...h.categories.map((c) => ({
        name: 'category',
        part: [
          { name: 'code', valueCoding: classCoding(c) },
          { name: 'current', valueInteger: c.current },
          { name: 'archived', valueInteger: c.archived },
        ],
      })),
      ...h.latest.map((resource) => ({ name: 'latest', resource })),
      ...displayToParameters(h.display).parameter!,
    ],
  };
}

export function displayToParameters(d: DisplaySettings): Parameters {
  return { resourceType: 'Parameters', parameter: [{ name: 'pageSize', valueInteger: d.pageSize }, { name: 'sortOrder', valueCode: d.sortOrder }] };
}

/** PAT-02: `pageSize` (valueInteger 1..100) and / or `sortOrder` (valueCode date | author). */
export function parametersToDisplay(p: Parameters): Partial<DisplaySettings> {
  const out: Partial<DisplaySettings> = {};
  for (const x of only(p, ['pageSize', 'sortOrder'], '$preferences')) {
    if (x.name === 'pageSize') {
      const n = x.valueInteger ?? x.valuePositiveInt;
      if (n === undefined) throw invalid('pageSize is a valueInteger', 'pageSize');
      out.pageSize = n;
    } else {
      const v = str(x);
      if (v !== 'date' && v !== 'author') throw invalid('sortOrder is date or author (valueCode)', 'sortOrder');
      out.sortOrder = v;
    }
  }
  if (!Object.keys(out).length) throw invalid('$preferences: give pageSize and/or sortOrder', 'parameter');
  return out;
}

/** v2-0131 C: emergency contact. */
const EMERGENCY_CONTACT = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0131', code: 'C', display: 'Emergency Contact' }] };

/** The record's stored list (jsonb), read defensively: anything else is no contact. */
export function storedEmergencyContacts(v: unknown): EmergencyContact[] {
  const list = typeof v === 'string' ? (JSON.parse(v) as unknown) : v;
  return Array.isArray(list) ? list.filter((c): c is EmergencyContact => !!c && typeof (c as EmergencyContact).name === 'string') : [];
}

/** PAT-05 on Patient.contact (the patient side, and professionals who may read the record): one contact per emergency contact. */
export function emergencyContactsToPatientContacts(list: EmergencyContact[]): PatientContact[] {
  return list.map((c) => ({
    relationship: [EMERGENCY_CONTACT, ...(c.relationship ? [{ text: c.relationship }] : [])],
    name: { text: c.name },
    telecom: [
      ...(c.phone ? [{ system: 'phone' as const, value: c.phone }] : []),
      ...(c.email ? [{ system: 'email' as const, value: c.email }] : []),
    ],
  }));
}

export function contactsToParameters(v: ContactsView): Parameters {
  const s = (name: string, value: string | null | undefined) => (value ? [{ name, valueString: value }] : []);
  return {
    resourceType: 'Parameters',
    parameter: [
      ...v.emergencyContacts.map((c) => ({
        name: 'emergencyContact',
        part: [...s('name', c.name), ...s('relationship', c.relationship), ...s('phone', c.phone), ...s('email', c.email)],
      })),
      ...v.representatives.map((r) => ({
        name: 'representative',
        part: [
          { name: 'id', valueId: r.representativeId },
          { name: 'relationship', valueCode: r.relationship },
          ...s('family', r.family),
          ...s('given', r.given),
          ...s('email', r.email),
          ...s('phone', r.phone),
          { name: 'doctorPresenceRequired', valueBoolean: r.doctorPresenceRequired },
          { name: 'active', valueBoolean: r.active },
        ],
      })),
    ],
  };
}

/**
 * PAT-05 update: `emergencyContact` (parts name, relationship?, phone?, email?) repeated replaces
 * the whole list; `clearEmergencyContacts` valueBoolean true empties it; `representative`
 * (parts id, email?, phone?) changes what the record holds for that representative.
 */
export function parametersToContactsUpdate(p: Parameters): ContactsUpdate {
  const list = only(p, ['emergencyContact', 'clearEmergencyContacts', 'representative'], '$contacts');
  const out: ContactsUpdate = {};
  const contacts = list.filter((x) => x.name === 'emergencyContact');
  const clear = list.find((x) => x.name === 'clearEmergencyContacts')?.valueBoolean === true;
  if (clear && contacts.length) throw invalid('clearEmergencyContacts and emergencyContact exclude each other', 'clearEmergencyContacts');
  if (clear) out.emergencyContacts = [];
  if (contacts.length) {
    out.emergencyContacts = contacts.map((x, i) => {
      const parts = partsOf(x, ['name', 'relationship', 'phone', 'email'], `emergencyContact[${i}]`);
      return Object.fromEntries([...parts].map(([k, v]) => [k, str(v)])) as unknown as EmergencyContact;
    });
  }
  const reps = list.filter((x) => x.name === 'representative');
  if (reps.length) {
    out.representatives = reps.map((x, i) => {
      const parts = partsOf(x, ['id', 'email', 'phone'], `representative[${i}]`);
      const id = parts.get('id')?.valueId ?? str(parts.get('id'));
      if (!id) throw invalid(`representative[${i}].id is required`, `representative[${i}].id`);
      return { representativeId: id, ...(parts.has('email') ? { email: str(parts.get('email')) } : {}), ...(parts.has('phone') ? { phone: str(parts.get('phone')) } : {}) };
    });
  }
  if (!list.length) throw invalid('$contacts: nothing to change', 'parameter');
  return out;
}

/** PAT-07: `reason` (valueString), `delivery` (valueCode postal | email), `address` (valueString), `part` (valueCode, repeated). */
export function parametersToCopyRequest(p: Parameters): CopyRequestInput {
  const list = only(p, ['reason', 'delivery', 'address', 'part'], '$copy-request');
  const one = (name: string) => {
    const all = list.filter((x) => x.name === name);
    if (all.length > 1) throw invalid(`${name} is given once`, name);
    return str(all[0]);
  };
  const reason = one('reason');
  const delivery = one('delivery');
  if (!reason) throw invalid('reason is required', 'reason');
  if (!delivery) throw invalid('delivery is required (postal or email)', 'delivery');
  const parts = list.filter((x) => x.name === 'part').map((x) => str(x) ?? '');
  const address = one('address');
  return {
    reason,
    delivery: delivery as CopyRequestInput['delivery'],
    ...(address !== undefined ? { address } : {}),
    ...(parts.length ? { parts: parts as CopyRequestInput['parts'] } : {}),
  };
}
