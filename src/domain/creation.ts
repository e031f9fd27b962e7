// DMP-01: a record is created only with consent (the patient's, or the legal representative's
// for a minor, the tutor's for a protected adult), and the record keeps who created it, through
// which channel and whose consent it was. decide('record.create') says who may create; this
// file says what must be recorded and whether the consent given is the right one.
import type { Actor } from './actor.js';
import { isRepresented, representativeStatus } from './minors.js';
import type { Decision } from './decide.js';
import type { RecordContext } from './record.js';

export type CreationChannel = 'patient_online' | 'insurance_office' | 'pharmacy' | 'professional';

export interface CreationConsent {
  givenBy: 'patient' | 'legal_representative';
  /** required when givenBy is legal_representative */
  representativeId?: string;
  /** ISO timestamp */
  at: string;
}

const PHARMACIEN = '21';

/** The channel of a creation, from who performs it; null for actors who cannot create. */
export function creationChannel(actor: Actor): CreationChannel | null {
  switch (actor.kind) {
    case 'patient':
    case 'legal_representative':
      return 'patient_online';
    case 'support':
      return 'insurance_office';
    case 'professional':
      return actor.profession === PHARMACIEN ? 'pharmacy' : 'professional';
    case 'insurer':
    case 'system':
      return null;
  }
}

/** Whose consent creates this record: the representatives' while it is represented (MIN-01, MIN-04). */
export function requiredConsentGiver(ctx: RecordContext, now: Date): CreationConsent['givenBy'] {
  return isRepresented(ctx, now) ? 'legal_representative' : 'patient';
}

export function checkCreationConsent(ctx: RecordContext, consent: CreationConsent | null, now: Date): Decision {
  if (consent === null || Number.isNaN(Date.parse(consent.at))) return { permit: false, reason: 'consent_required' };
  const required = requiredConsentGiver(ctx, now);
  if (consent.givenBy !== required) {
    return { permit: false, reason: required === 'legal_representative' ? 'legal_representative_required' : 'consent_required' };
  }
  if (required === 'legal_representative') {
    const id = consent.representativeId;
    if (id === undefined || representativeStatus(ctx, id, now) !== 'active') return { permit: false, reason: 'legal_representative_required' };
  }
  return { permit: true, emergency: false };
}
