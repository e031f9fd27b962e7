import { describe, expect, it } from '@jest/globals';
import { checkCreationConsent, creationChannel, requiredConsentGiver } from '../../../src/domain/creation.js';
import { canBeMedecinTraitant, decide } from '../../../src/domain/decide.js';
import { retentionEndsAt, retentionExpired } from '../../../src/domain/lifecycle.js';
import { activeWindow, announcedWindows, isFunctionSuspended, maintenanceWindowProblem } from '../../../src/domain/maintenance.js';
import { DOCTOR, NOW, ctx, denyPro, doc, minorCtx, patient, permitPro, policy, pro, rep } from './fixtures.js';

const support = { kind: 'support' as const, agentId: 'cpam-1' };

describe('DMP: the record', () => {
  it('DMP-01: creation needs the patient\'s consent, or a representative\'s for a minor or a protected adult', () => {
    const at = NOW.toISOString();
    expect(checkCreationConsent(ctx(), { givenBy: 'patient', at }, NOW).permit).toBe(true);
    expect(checkCreationConsent(ctx(), null, NOW)).toEqual({ permit: false, reason: 'consent_required' });
    expect(requiredConsentGiver(minorCtx(), NOW)).toBe('legal_representative');
    expect(checkCreationConsent(minorCtx(), { givenBy: 'patient', at }, NOW)).toEqual({ permit: false, reason: 'legal_representative_required' });
    expect(checkCreationConsent(minorCtx(), { givenBy: 'legal_representative', representativeId: 'rep-1', at }, NOW).permit).toBe(true);
    expect(checkCreationConsent(minorCtx(), { givenBy: 'legal_representative', representativeId: 'stranger', at }, NOW).permit).toBe(false);
    const tutelle = ctx({ protectedAdult: true, legalRepresentatives: [{ representativeId: 'tutor', doctorPresenceRequired: false }] });
    expect(checkCreationConsent(tutelle, { givenBy: 'legal_representative', representativeId: 'tutor', at }, NOW).permit).toBe(true);
  });

  it('DMP-01: the creation channel is recorded from who creates', () => {
    expect(creationChannel(patient())).toBe('patient_online');
    expect(creationChannel(support)).toBe('insurance_office');
    expect(creationChannel(pro({ profession: '21' }))).toBe('pharmacy');
    expect(creationChannel(pro())).toBe('professional');
    expect(creationChannel({ kind: 'system', component: 'job' })).toBeNull();
    expect(decide(policy, { kind: 'system', component: 'job' }, ctx(), null, 'record.create', NOW).permit).toBe(false);
  });

  it('DMP-02: online self-creation is for adults only; an emancipated minor acts as an adult', () => {
    expect(decide(policy, patient(), ctx(), null, 'record.create', NOW).permit).toBe(true);
    const minor = ctx({ birthDate: '2010-01-01' });
    expect(decide(policy, patient(), minor, null, 'record.create', NOW)).toEqual({ permit: false, reason: 'adults_only' });
    expect(decide(policy, patient(), { ...minor, emancipated: true }, null, 'record.create', NOW).permit).toBe(true);
    expect(decide(policy, patient(), ctx({ birthDate: undefined }), null, 'record.create', NOW)).toEqual({ permit: false, reason: 'birth_date_unknown' });
    expect(decide(policy, patient(), ctx({ protectedAdult: true }), null, 'record.create', NOW)).toEqual({
      permit: false,
      reason: 'legal_representative_required',
    });
    // a minor's record is created by the representative, or at a professional's or the insurance office
    expect(decide(policy, rep(), minorCtx(), null, 'record.create', NOW).permit).toBe(true);
    expect(decide(policy, pro(), minor, null, 'record.create', NOW).permit).toBe(true);
    expect(decide(policy, support, minor, null, 'record.create', NOW).permit).toBe(true);
  });

  it('DMP-03: a record may exist with no internet account: a professional creates it, and the patient without account is still its holder', () => {
    expect(decide(policy, pro(), ctx(), null, 'record.create', NOW).permit).toBe(true);
    const withoutAccount = patient({ accountId: undefined });
    expect(decide(policy, withoutAccount, ctx(), doc(), 'document.read', NOW).permit).toBe(true);
    expect(decide(policy, patient({ patientKey: 'another' }), ctx(), doc(), 'document.read', NOW)).toEqual({ permit: false, reason: 'wrong_record' });
  });

  it('DMP-04: any identified professional may ask whether a DMP exists, without authorisation and even if closed', () => {
    expect(decide(policy, pro(), ctx(), null, 'record.exists', NOW).permit).toBe(true);
    expect(decide(policy, pro({ profession: '80' }), ctx({ status: 'closed' }), null, 'record.exists', NOW).permit).toBe(true);
    expect(decide(policy, pro({ profession: 'ADM_ACCUEIL' }), ctx(), null, 'record.exists', NOW).permit).toBe(false);
  });

  it('DMP-05: a closed record accepts no document and no professional access', () => {
    const closed = ctx({ status: 'closed', closedAt: '2025-01-01T00:00:00Z', grants: [permitPro(DOCTOR)], medecinTraitant: DOCTOR });
    expect(decide(policy, pro(), closed, doc(), 'document.submit', NOW)).toEqual({ permit: false, reason: 'record_closed' });
    expect(decide(policy, pro(), closed, doc(), 'document.read', NOW)).toEqual({ permit: false, reason: 'record_closed' });
    expect(decide(policy, pro({ mode: 'bris_de_glace' }), closed, null, 'record.read', NOW)).toEqual({ permit: false, reason: 'record_closed' });
    expect(decide(policy, pro(), closed, null, 'trace.read', NOW)).toEqual({ permit: false, reason: 'record_closed' });
    expect(decide(policy, patient(), closed, doc({ typeCode: 'EXPPAT_2', classCode: '90' }), 'document.submit', NOW).permit).toBe(false);
  });

  it('DMP-05, ACC-07: the patient closes, or a professional at the patient\'s request, or support; they reactivate within 10 years', () => {
    expect(decide(policy, patient(), ctx(), null, 'record.close', NOW).permit).toBe(true);
    expect(decide(policy, pro({ onPatientRequest: true }), ctx({ grants: [permitPro(DOCTOR)] }), null, 'record.close', NOW).permit).toBe(true);
    const closed = ctx({ status: 'closed', closedAt: '2020-06-01T00:00:00Z' });
    const old = ctx({ status: 'closed', closedAt: '2015-06-14T00:00:00Z' });
    expect(decide(policy, patient(), closed, null, 'record.close', NOW)).toEqual({ permit: false, reason: 'record_closed' });
    expect(decide(policy, patient(), closed, null, 'record.reactivate', NOW).permit).toBe(true);
    expect(decide(policy, patient(), ctx(), null, 'record.reactivate', NOW)).toEqual({ permit: false, reason: 'record_not_closed' });
    // ACC-07: a professional reactivates at the patient's request only, and never a blocked one; support too
    expect(decide(policy, pro(), closed, null, 'record.reactivate', NOW)).toEqual({ permit: false, reason: 'not_on_patient_request' });
    expect(decide(policy, pro({ onPatientRequest: true }), closed, null, 'record.reactivate', NOW).permit).toBe(true);
    expect(decide(policy, pro({ onPatientRequest: true }), { ...closed, grants: [denyPro(DOCTOR)] }, null, 'record.reactivate', NOW)).toEqual({ permit: false, reason: 'blocked' });
    expect(decide(policy, support, closed, null, 'record.reactivate', NOW).permit).toBe(true);
    expect(decide(policy, support, ctx(), null, 'record.close', NOW).permit).toBe(true);
    expect(decide(policy, support, old, null, 'record.reactivate', NOW)).toEqual({ permit: false, reason: 'retention_expired' });
    expect(decide(policy, patient(), old, null, 'record.reactivate', NOW)).toEqual({ permit: false, reason: 'retention_expired' });
    expect(retentionEndsAt('2015-06-14T00:00:00Z').toISOString()).toBe('2025-06-14T00:00:00.000Z');
    expect(retentionExpired(old, NOW)).toBe(true);
    expect(retentionExpired(closed, NOW)).toBe(false);
  });

  it('DMP-06: a maintenance window suspends one function while the others go on, and is announced', () => {
    const windows = [
      { functionName: 'record.create', startsAt: '2025-06-15T09:00:00Z', endsAt: '2025-06-15T11:00:00Z', message: 'creation paused' },
      { functionName: 'document.submit', startsAt: '2025-06-20T09:00:00Z', endsAt: '2025-06-20T10:00:00Z' },
      { functionName: 'record.read', startsAt: '2025-06-01T09:00:00Z', endsAt: '2025-06-01T10:00:00Z' },
    ];
    expect(isFunctionSuspended(windows, 'record.create', NOW)).toBe(true);
    expect(activeWindow(windows, 'record.create', NOW)?.message).toBe('creation paused');
    expect(isFunctionSuspended(windows, 'document.submit', NOW)).toBe(false);
    expect(isFunctionSuspended(windows, 'record.create', new Date('2025-06-15T11:00:00Z'))).toBe(false);
    expect(announcedWindows(windows, NOW).map((w) => w.functionName)).toEqual(['record.create', 'document.submit']);
    expect(maintenanceWindowProblem({ functionName: 'x', startsAt: '2025-01-02T00:00:00Z', endsAt: '2025-01-01T00:00:00Z' })).toMatch(/after/);
  });

  it('ACC-06: only an authorised, unblocked doctor can become médecin traitant', () => {
    const c = ctx({ grants: [permitPro(DOCTOR), permitPro('nurse'), denyPro('blocked-doc')] });
    expect(canBeMedecinTraitant(policy, c, { idNatPs: DOCTOR, profession: '10' }).permit).toBe(true);
    expect(canBeMedecinTraitant(policy, c, { idNatPs: 'nurse', profession: '60' })).toEqual({ permit: false, reason: 'not_a_doctor' });
    expect(canBeMedecinTraitant(policy, c, { idNatPs: 'unknown-doc', profession: '10' })).toEqual({ permit: false, reason: 'not_authorised' });
    expect(canBeMedecinTraitant(policy, c, { idNatPs: 'blocked-doc', profession: '10' })).toEqual({ permit: false, reason: 'blocked' });
    expect(decide(policy, patient(), c, null, 'medecin_traitant.designate', NOW).permit).toBe(true);
  });
});
