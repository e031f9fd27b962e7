// Consent resources as the FHIR door reads and writes them (docs/FHIR-RECORD.md, "Consent"):
// authorisations and blocks of a professional or a care team, the two emergency modes, the
// médecin traitant. The page builds them and reads them back; the server decides.
import type { Consent } from '@medplum/fhirtypes';
import { CS } from './systems';

export type EmergencyMode = 'bris_de_glace' | 'centre_15';
export type Subject = { type: 'Practitioner' | 'Organization'; id: string };

export interface AccessGrant {
  consentId: string;
  effect: 'permit' | 'deny';
  subject: Subject;
  since?: string;
}

export interface ConsentSummary {
  grants: AccessGrant[];
  /** true: the patient opposes that emergency mode */
  opposed: Record<EmergencyMode, boolean>;
  emergencyIds: Partial<Record<EmergencyMode, string>>;
  medecinTraitant?: { consentId: string; practitionerId: string };
}

const categoryOf = (c: Consent) => c.category?.flatMap((x) => x.coding ?? []).find((x) => x.system === CS.consentCategory)?.code;

function subjectOf(ref: string | undefined): Subject | undefined {
  const m = /^(Practitioner|Organization)\/(.+)$/.exec(ref ?? '');
  return m ? { type: m[1] as Subject['type'], id: m[2] } : undefined;
}

export function summarise(consents: Consent[]): ConsentSummary {
  const out: ConsentSummary = { grants: [], opposed: { bris_de_glace: false, centre_15: false }, emergencyIds: {} };
  for (const c of consents) {
    if (c.status !== 'active') continue;
    const category = categoryOf(c);
    if (category === 'access') {
      const subject = subjectOf(c.provision?.actor?.[0]?.reference?.reference);
      if (subject && (c.provision?.type === 'permit' || c.provision?.type === 'deny')) {
        out.grants.push({ consentId: c.id ?? '', effect: c.provision.type, subject, since: c.provision.period?.start ?? c.dateTime });
      }
    } else if (category === 'emergency') {
      const mode = c.provision?.purpose?.find((p) => p.system === CS.accessMode)?.code as EmergencyMode | undefined;
      if (mode === 'bris_de_glace' || mode === 'centre_15') {
        out.opposed[mode] = c.provision?.type === 'deny';
        out.emergencyIds[mode] = c.id;
      }
    } else if (category === 'medecin-traitant') {
      const id = subjectOf(c.provision?.actor?.[0]?.reference?.reference)?.id;
      if (id) out.medecinTraitant = { consentId: c.id ?? '', practitionerId: id };
    }
  }
  return out;
}

const base = (patientId: string, category: string, permit: boolean): Consent => ({
  resourceType: 'Consent',
  status: 'active',
  scope: { coding: [{ system: CS.consentScope, code: 'patient-privacy' }] },
  category: [{ coding: [{ system: CS.consentCategory, code: category }] }],
  patient: { reference: `Patient/${patientId}` },
  policyRule: { coding: [{ system: CS.actCode, code: permit ? 'OPTIN' : 'OPTOUT' }] },
});

/** Authorise (permit) or block (deny) a professional, or authorise a care team (ACC-01/03/04). */
export function accessConsent(patientId: string, subject: Subject, effect: 'permit' | 'deny'): Consent {
  return {
    ...base(patientId, 'access', effect === 'permit'),
    provision: {
      type: effect,
      actor: [{ role: { coding: [{ system: CS.participationType, code: 'IRCP' }] }, reference: { reference: `${subject.type}/${subject.id}` } }],
    },
  };
}

/** Oppose (deny) or allow (permit) an emergency mode (ACC-05). */
export function emergencyConsent(patientId: string, mode: EmergencyMode, opposed: boolean): Consent {
  return { ...base(patientId, 'emergency', !opposed), provision: { type: opposed ? 'deny' : 'permit', purpose: [{ system: CS.accessMode, code: mode }] } };
}

/** Designate a doctor as médecin traitant DMP (ACC-06). */
export function medecinTraitantConsent(patientId: string, practitionerId: string): Consent {
  return {
    ...base(patientId, 'medecin-traitant', true),
    provision: { type: 'permit', actor: [{ role: { coding: [{ system: CS.roleCode, code: 'PCP' }] }, reference: { reference: `Practitioner/${practitionerId}` } }] },
  };
}
