// PAT-05: the people to contact in an emergency, and the legal representatives' details, as the
// patient side keeps them ("Mes informations"). Contacts are checked and normalised like the
// account's own contact details (contact.ts).
import { CarnetError } from '../domain/errors.js';
import type { IfMatch } from '../domain/resource-versions.js';
import { updateDmp } from '../store/record-repo.js';
import { listRepresentatives, updateRepresentative, type RepresentativeRow } from '../store/representative-repo.js';
import { isUuid } from './auth-trace.js';
import { normaliseEmail, normalisePhone } from './contact.js';
import type { Caller, ServiceDeps } from './deps.js';
import { guarded } from './guard.js';
import { changePatientVersion, checkPatientIfMatch } from './patient-version.js';

export interface EmergencyContact {
  name: string;
  relationship?: string;
  phone?: string;
  email?: string;
}

export interface RepresentativeDetails {
  representativeId: string;
  relationship: 'parent' | 'tutor';
  given: string | null;
  family: string;
  email: string | null;
  phone: string | null;
  /** MASK-04: this representative reads medical documents only with a doctor */
  doctorPresenceRequired: boolean;
  active: boolean;
}

export interface ContactsView {
  emergencyContacts: EmergencyContact[];
  representatives: RepresentativeDetails[];
}

export interface ContactsUpdate {
  /** replaces the whole list */
  emergencyContacts?: EmergencyContact[];
  /** changes the e-mail / phone the record holds for a representative (null removes it) */
  representatives?: Array<{ representativeId: string; email?: string | null; phone?: string | null }>;
}

export const MAX_EMERGENCY_CONTACTS = 5;

function text(v: unknown, field: string, max: number): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !v.trim() || v.length > max) throw new CarnetError('invalid_metadata', `${field}: a text of at most ${max} characters`, { location: field });
  return v.trim();
}

export function checkEmergencyContacts(list: unknown): EmergencyContact[] {
  if (!Array.isArray(list)) throw new CarnetError('invalid_metadata', 'emergencyContacts is a list', { location: 'emergencyContacts' });
  if (list.length > MAX_EMERGENCY_CONTACTS) {
    throw new CarnetError('business_rule', `at most ${MAX_EMERGENCY_CONTACTS} emergency contacts`, { location: 'emergencyContacts' });
  }
  return list.map((raw, i) => {
    const at = `emergencyContacts[${i}]`;
    const c = (raw ?? {}) as Record<string, unknown>;
    const name = text(c.name, `${at}.name`, 200);
    if (!name) throw new CarnetError('invalid_metadata', `${at}.name is required`, { location: `${at}.name` });
    const relationship = text(c.relationship, `${at}.relationship`, 100);
    const phone = c.phone === undefined || c.phone === null ? undefined : normalisePhone(c.phone, `${at}.phone`);
    const email = c.email === undefined || c.email === null ? undefined : normaliseEmail(c.email, `${at}.email`);
    if (!phone && !email) throw new CarnetError('invalid_metadata', `${at}: a phone number or an e-mail address is needed`, { location: at });
    return { name, ...(relationship ? { relationship } : {}), ...(phone ? { phone } : {}), ...(email ? { email } : {}) };
  });
}

function detailsOf(r: RepresentativeRow, now: Date): RepresentativeDetails {
  const ended = r.ended_at !== null || (r.access_ends_at !== null && new Date(r.access_ends_at).getTime() <= now.getTime());
  return {
    representativeId: r.representative_id,
    relationship: r.relationship,
    given: r.given,
    family: r.family,
    email: r.email,
    phone: r.phone,
    doctorPresenceRequired: r.doctor_presence_required,
    active: !ended,
  };
}

function storedContacts(v: unknown): EmergencyContact[] {
  const list = typeof v === 'string' ? (JSON.parse(v) as unknown) : v;
  return Array.isArray(list) ? (list as EmergencyContact[]) : [];
}

export function contactsService(deps: ServiceDeps) {
  async function read(tx: Parameters<typeof listRepresentatives>[0], patientKey: string, contacts: unknown): Promise<ContactsView> {
    const now = deps.clock.now();
    return { emergencyContacts: storedContacts(contacts), representatives: (await listRepresentatives(tx, patientKey)).map((r) => detailsOf(r, now)) };
  }

  return {
    get(caller: Caller, patientKey: string): Promise<ContactsView> {
      return guarded(deps, caller, {
        patientKey,
        action: 'record.settings',
        act: ({ tx, record }) => read(tx, patientKey, record.row.emergency_contacts),
      });
    },

    /**
     * PAT-05: a professional sees the emergency contacts where the record shows them, under the
     * rules that let them read the record (ACC-01, blocks ACC-03, emergency modes ACC-05; no
     * professional reads a closed record): traced, a refusal too.
     */
    emergencyContactsFor(caller: Caller, patientKey: string): Promise<EmergencyContact[]> {
      return guarded(deps, caller, {
        patientKey,
        action: 'record.read',
        trace: { action: 'record.emergency_contacts' },
        act: async ({ record }) => storedContacts(record.row.emergency_contacts),
      });
    },

    /** `ifMatch`: the Patient's version the change was made against (its contacts are the Patient's). */
    update(caller: Caller, patientKey: string, input: ContactsUpdate, ifMatch?: IfMatch): Promise<ContactsView> {
      const contacts = input.emergencyContacts === undefined ? undefined : checkEmergencyContacts(input.emergencyContacts);
      const reps = (input.representatives ?? []).map((r, i) => {
        const at = `representatives[${i}]`;
        if (!isUuid(r?.representativeId)) throw new CarnetError('invalid_metadata', `${at}.representativeId is required`, { location: at });
        const changes: { email?: string | null; phone?: string | null } = {};
        if (r.email !== undefined) changes.email = r.email === null ? null : normaliseEmail(r.email, `${at}.email`);
        if (r.phone !== undefined) changes.phone = r.phone === null ? null : normalisePhone(r.phone, `${at}.phone`);
        return { representativeId: r.representativeId, changes };
      });
      return guarded(deps, caller, {
        patientKey,
        action: 'record.settings',
        lock: true,
        // what changed, never the values (the trace is read by the médecin traitant too)
        trace: { details: { emergencyContacts: contacts?.length ?? null, representatives: reps.map((r) => r.representativeId) } },
        act: async ({ tx, record }) => {
          await checkPatientIfMatch(tx, record, ifMatch);
          if (contacts) {
            const at = deps.clock.now();
            await updateDmp(tx, patientKey, { emergency_contacts: contacts }, at);
            // Patient.contact shows them: a new version of the Patient
            await changePatientVersion(tx, patientKey, at);
          }
          for (const r of reps) {
            if (!Object.keys(r.changes).length) continue;
            if (!(await updateRepresentative(tx, patientKey, r.representativeId, r.changes))) {
              throw new CarnetError('not_found', 'no such legal representative', { location: 'representatives' });
            }
          }
          return read(tx, patientKey, contacts ?? record.row.emergency_contacts);
        },
      });
    },
  };
}

export type ContactsService = ReturnType<typeof contactsService>;
