// Consent <-> the patient's choices about professionals (PAT-04, ACC-01/03/04/05/06/07).
// Three kinds, told apart by category (system CS.CONSENT_CATEGORY):
//  - `access`: an authorisation (provision.type permit) or a block (deny) of one Practitioner or
//    of one Organization's care team (provision.actor, role v3-ParticipationType IRCP). Its id
//    pairs the record and the grant; status inactive = revoked (an update to inactive revokes).
//  - `emergency`: one per mode, always present, provision.purpose = CS.ACCESS_MODE
//    bris_de_glace | centre_15; provision.type deny = the patient opposes that mode (ACC-05).
//  - `medecin-traitant`: the designated doctor (provision.actor role v3-RoleCode PCP), present
//    only while someone holds the status (ACC-06); an update to another actor hands it over,
//    to inactive withdraws it.
import type { Consent, ConsentProvisionActor, Organization, Patient, Practitioner, Reference, RelatedPerson, Resource } from '@medplum/fhirtypes';

type PartyRef = Reference<Organization | Patient | Practitioner | RelatedPerson>;
import type { AccessMode } from '../../domain/actor.js';
import { CarnetError } from '../../domain/errors.js';
import type { ResourceVersion } from '../../domain/resource-versions.js';
import type { GrantRow, VersionedGrant } from '../../services/consent.js';
import { CS, EXT, HL7, SYSTEM } from './carnet-fhir.js';
import { namedId, pairId } from './composite-id.js';

export type ConsentCategory = 'access' | 'emergency' | 'medecin-traitant';
export type EmergencyMode = Exclude<AccessMode, 'normal'>;
export const EMERGENCY_MODES: readonly EmergencyMode[] = ['bris_de_glace', 'centre_15'];

/** The id suffixes of the named Consents of a record. */
export const NAMED = { bris_de_glace: 'bris-de-glace', centre_15: 'centre-15', medecinTraitant: 'medecin-traitant' } as const;

/** `version`: meta.versionId and lastUpdated (an authorisation's comes with its grant). */
export type ConsentItem = (
  | { kind: 'access'; patientKey: string; grant: GrantRow | VersionedGrant }
  | { kind: 'emergency'; patientKey: string; mode: EmergencyMode; opposed: boolean }
  | { kind: 'medecin-traitant'; patientKey: string; idNatPs: string; active?: boolean }
) & { version?: ResourceVersion };

function versionOfItem(item: ConsentItem): ResourceVersion | undefined {
  return item.version ?? (item.kind === 'access' && 'version' in item.grant ? item.grant.version : undefined);
}

const SCOPE = { coding: [{ system: HL7.CONSENT_SCOPE, code: 'patient-privacy' }] };
const IRCP = { coding: [{ system: HL7.PARTICIPATION_TYPE, code: 'IRCP', display: 'information recipient' }] };
const PCP = { coding: [{ system: HL7.ROLE_CODE, code: 'PCP', display: 'primary care provider' }] };

const category = (code: ConsentCategory) => [{ coding: [{ system: CS.CONSENT_CATEGORY, code }] }];
const policyRule = (permit: boolean) => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: permit ? 'OPTIN' : 'OPTOUT' }] });

export function practitionerRef(idNatPs: string): Reference<Practitioner> {
  return { reference: `Practitioner/${idNatPs}`, identifier: { system: SYSTEM.IDNAT_PS, value: idNatPs } };
}

export function organizationRef(structureId: string): Reference<Organization> {
  return { reference: `Organization/${structureId}`, identifier: { system: SYSTEM.IDNAT_STRUCT, value: structureId } };
}

/** `created_by` labels of the consent store: patient, professional:<id>, legal_representative:<id>. */
function performerOf(label: string, patientKey: string): PartyRef | undefined {
  if (label === 'patient') return { reference: `Patient/${patientKey}` };
  const [kind, id] = label.split(/:(.*)/s);
  if (kind === 'professional' && id) return practitionerRef(id);
  if (kind === 'legal_representative' && id) return { identifier: { system: SYSTEM.LEGAL_REPRESENTATIVE, value: id }, display: 'legal representative' };
  return undefined;
}

const iso = (d: Date | string) => (d instanceof Date ? d.toISOString() : new Date(d).toISOString());

export function consentId(item: ConsentItem): string {
  switch (item.kind) {
    case 'access':
      return pairId(item.patientKey, item.grant.grant_id);
    case 'emergency':
      return namedId(item.patientKey, NAMED[item.mode]);
    case 'medecin-traitant':
      return namedId(item.patientKey, NAMED.medecinTraitant);
  }
}

export function itemToConsent(item: ConsentItem): Consent {
  const version = versionOfItem(item);
  const base = {
    resourceType: 'Consent' as const,
    id: consentId(item),
    ...(version ? { meta: { versionId: version.versionId, lastUpdated: version.lastUpdated } } : {}),
    scope: SCOPE,
    patient: { reference: `Patient/${item.patientKey}` },
  };
  switch (item.kind) {
    case 'access': {
      const g = item.grant;
      const actor: ConsentProvisionActor = {
        role: IRCP,
        reference: g.subject_kind === 'professional' ? practitionerRef(g.subject_id) : organizationRef(g.subject_id),
      };
      const performer = performerOf(g.created_by, item.patientKey);
      return {
        ...base,
        ...(g.on_patient_request ? { extension: [{ url: EXT.ON_PATIENT_REQUEST, valueBoolean: true }] } : {}),
        status: g.revoked_at ? 'inactive' : 'active',
        category: category('access'),
        dateTime: iso(g.created_at),
        ...(performer ? { performer: [performer] } : {}),
        policyRule: policyRule(g.effect === 'permit'),
        provision: {
          type: g.effect,
          period: { start: iso(g.created_at), ...(g.revoked_at ? { end: iso(g.revoked_at) } : {}) },
          actor: [actor],
        },
      };
    }
    case 'emergency':
      return {
        ...base,
        status: 'active',
        category: category('emergency'),
        policyRule: policyRule(!item.opposed),
        provision: { type: item.opposed ? 'deny' : 'permit', purpose: [{ system: CS.ACCESS_MODE, code: item.mode }] },
      };
    case 'medecin-traitant':
      return {
        ...base,
        status: item.active === false ? 'inactive' : 'active',
        category: category('medecin-traitant'),
        policyRule: policyRule(true),
        provision: { type: 'permit', actor: [{ role: PCP, reference: practitionerRef(item.idNatPs) }] },
      };
  }
}

// ---- reading a Consent sent by a client --------------------------------------------------------

export type ConsentIntent =
  | { kind: 'access'; patientKey: string; status: Consent['status']; subjectKind: 'professional' | 'structure'; subjectId: string; effect: 'permit' | 'deny' }
  | { kind: 'emergency'; patientKey: string; status: Consent['status']; mode: EmergencyMode; opposed: boolean }
  | { kind: 'medecin-traitant'; patientKey: string; status: Consent['status']; idNatPs: string | null };

function bad(message: string, location: string): CarnetError {
  return new CarnetError('invalid_metadata', message, { location });
}

/**
 * The longest id a Consent may name. IdNat_PS and IdNat_Struct hold a dozen characters or so; the
 * id becomes the trace row's target, a refused Consent's included, in a trace kept for good.
 */
const SUBJECT_ID_MAX_LENGTH = 64;

/** The professional or structure a reference names: `Practitioner/<IdNat_PS>`, `Organization/<IdNat_Struct>` or their identifiers. */
export function subjectOf(ref: Reference | undefined, at: string): { subjectKind: 'professional' | 'structure'; subjectId: string } {
  const subject = subjectNamed(ref, at);
  if (subject.subjectId.length > SUBJECT_ID_MAX_LENGTH) throw bad(`an id of ${subject.subjectId.length} characters names no professional or structure (at most ${SUBJECT_ID_MAX_LENGTH})`, at);
  return subject;
}

function subjectNamed(ref: Reference | undefined, at: string): { subjectKind: 'professional' | 'structure'; subjectId: string } {
  const m = ref?.reference ? /^(Practitioner|PractitionerRole|Organization)\/([^/]+)$/.exec(ref.reference) : null;
  if (m) return { subjectKind: m[1] === 'Organization' ? 'structure' : 'professional', subjectId: m[2] };
  const id = ref?.identifier;
  if (id?.value && id.system === SYSTEM.IDNAT_PS) return { subjectKind: 'professional', subjectId: id.value };
  if (id?.value && id.system === SYSTEM.IDNAT_STRUCT) return { subjectKind: 'structure', subjectId: id.value };
  throw bad(`name a Practitioner or an Organization (by reference, or by identifier ${SYSTEM.IDNAT_PS} / ${SYSTEM.IDNAT_STRUCT})`, at);
}

function categoryOf(c: Consent): ConsentCategory | undefined {
  for (const coding of (c.category ?? []).flatMap((cc) => cc.coding ?? [])) {
    if (coding.system === CS.CONSENT_CATEGORY && ['access', 'emergency', 'medecin-traitant'].includes(coding.code ?? '')) {
      return coding.code as ConsentCategory;
    }
  }
  // Without our category: a purpose names an emergency mode, a PCP actor the médecin traitant.
  if (c.provision?.purpose?.length) return 'emergency';
  if (c.provision?.actor?.some((a) => a.role?.coding?.some((r) => r.code === 'PCP'))) return 'medecin-traitant';
  return undefined;
}

export function patientKeyOf(ref: Reference | undefined, at: string): string {
  const m = ref?.reference ? /(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(ref.reference) : null;
  if (!m) throw bad('Consent.patient must refer to the record as Patient/<id>', at);
  return m[1];
}

export function consentToIntent(body: Resource): ConsentIntent {
  if (body.resourceType !== 'Consent') throw bad(`expected a Consent, got ${body.resourceType}`, 'resourceType');
  const c = body as Consent;
  if (!c.status) throw bad('Consent.status is required', 'Consent.status');
  const patientKey = patientKeyOf(c.patient, 'Consent.patient');
  const active = c.status === 'active';
  const kind = categoryOf(c) ?? 'access';
  const actors = c.provision?.actor ?? [];
  switch (kind) {
    case 'emergency': {
      const purposes = (c.provision?.purpose ?? []).filter((p) => (EMERGENCY_MODES as readonly string[]).includes(p.code ?? ''));
      if (purposes.length !== 1) throw bad(`an emergency Consent names one mode in provision.purpose (${CS.ACCESS_MODE}: bris_de_glace or centre_15)`, 'Consent.provision.purpose');
      const type = c.provision?.type;
      if (!type) throw bad('provision.type: deny opposes the mode, permit allows it', 'Consent.provision.type');
      return { kind, patientKey, status: c.status, mode: purposes[0].code as EmergencyMode, opposed: active && type === 'deny' };
    }
    case 'medecin-traitant': {
      if (!active) return { kind, patientKey, status: c.status, idNatPs: null };
      if (actors.length !== 1) throw bad('the médecin traitant Consent names one Practitioner in provision.actor', 'Consent.provision.actor');
      const s = subjectOf(actors[0].reference, 'Consent.provision.actor[0].reference');
      if (s.subjectKind !== 'professional') throw bad('the médecin traitant is a Practitioner', 'Consent.provision.actor[0].reference');
      return { kind, patientKey, status: c.status, idNatPs: s.subjectId };
    }
    case 'access': {
      if (actors.length !== 1) throw bad('an authorisation or a block names one Practitioner or Organization in provision.actor', 'Consent.provision.actor');
      const type = c.provision?.type;
      if (type !== 'permit' && type !== 'deny') throw bad('provision.type is permit (authorise) or deny (block)', 'Consent.provision.type');
      return { kind, patientKey, status: c.status, ...subjectOf(actors[0].reference, 'Consent.provision.actor[0].reference'), effect: type };
    }
  }
}
