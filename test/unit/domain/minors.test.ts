import { describe, expect, it } from '@jest/globals';
import { decide } from '../../../src/domain/decide.js';
import {
  canAddRepresentative,
  inMajorityNoticeWindow,
  isMinor,
  majorityDate,
  majorityNoticeDate,
  representativeStatus,
} from '../../../src/domain/minors.js';
import { DOCTOR, NOW, ctx, doc, minorCtx, patient, policy, pro, rep } from './fixtures.js';

describe('MIN: minors, legal representatives, protected adults', () => {
  it('MIN-01: the legal representative authorises professionals, masks, closes and reads online', () => {
    const c = minorCtx();
    for (const action of ['consent.manage', 'consent.block', 'document.mask', 'record.close', 'record.read', 'trace.read', 'medecin_traitant.designate'] as const) {
      const d = action === 'document.mask' ? doc() : null;
      expect([action, decide(policy, rep(), c, d, action, NOW).permit]).toEqual([action, true]);
    }
  });

  it('MIN-01: the minor is associated but does not decide alone; the minor still reads the record', () => {
    const c = minorCtx();
    expect(decide(policy, patient(), c, null, 'consent.manage', NOW)).toEqual({ permit: false, reason: 'legal_representative_required' });
    expect(decide(policy, patient(), c, null, 'record.close', NOW)).toEqual({ permit: false, reason: 'legal_representative_required' });
    expect(decide(policy, patient(), c, doc(), 'document.read', NOW).permit).toBe(true);
    // an emancipated minor decides alone
    expect(decide(policy, patient(), { ...c, emancipated: true }, null, 'consent.manage', NOW).permit).toBe(true);
  });

  it('MIN-01: someone who is not a representative of this record is refused', () => {
    expect(decide(policy, rep('stranger'), minorCtx(), doc(), 'document.read', NOW)).toEqual({ permit: false, reason: 'not_authorised' });
    expect(decide(policy, rep('rep-1', { patientKey: 'other' }), minorCtx(), doc(), 'document.read', NOW)).toEqual({
      permit: false,
      reason: 'wrong_record',
    });
  });

  it('MIN-02: two legal representatives, each with an own access; not a third', () => {
    const c = minorCtx({
      legalRepresentatives: [
        { representativeId: 'mother', doctorPresenceRequired: false },
        { representativeId: 'father', doctorPresenceRequired: false },
      ],
    });
    expect(decide(policy, rep('mother'), c, doc(), 'document.read', NOW).permit).toBe(true);
    expect(decide(policy, rep('father'), c, doc(), 'document.read', NOW).permit).toBe(true);
    expect(canAddRepresentative(c, NOW)).toBe(false);
    expect(canAddRepresentative(minorCtx(), NOW)).toBe(true);
    // an adult's record takes no representative
    expect(canAddRepresentative(ctx(), NOW)).toBe(false);
  });

  it('MIN-03: majority is the 18th birthday (29 February -> 1 March), notice one month before', () => {
    expect(majorityDate('2007-06-15')).toBe('2025-06-15');
    expect(majorityDate('2008-02-29')).toBe('2026-03-01');
    expect(majorityNoticeDate('2007-06-15')).toBe('2025-05-15');
    expect(majorityNoticeDate('2007-03-31')).toBe('2025-02-28');
    expect(() => majorityDate('15/06/2007')).toThrow(RangeError);
    expect(isMinor({ birthDate: '2007-06-16' }, NOW)).toBe(true);
    expect(isMinor({ birthDate: '2007-06-15' }, NOW)).toBe(false);
    expect(isMinor({ birthDate: undefined }, NOW)).toBe(false);
  });

  it('MIN-03: majority is reached at midnight in Paris, not in UTC', () => {
    // 2025-06-14T22:30Z is already 15 June in Paris (UTC+2)
    expect(isMinor({ birthDate: '2007-06-15' }, new Date('2025-06-14T22:30:00Z'))).toBe(false);
    expect(isMinor({ birthDate: '2007-06-15' }, new Date('2025-06-14T21:30:00Z'))).toBe(true);
  });

  it('MIN-03: representatives are notified in the month before majority, and lose access at it', () => {
    const nearly = minorCtx({ birthDate: '2007-07-01' });
    expect(inMajorityNoticeWindow(nearly, NOW)).toBe(true);
    expect(inMajorityNoticeWindow(minorCtx({ birthDate: '2007-07-16' }), NOW)).toBe(false);
    expect(inMajorityNoticeWindow({ ...nearly, protectedAdult: true }, NOW)).toBe(false);
    expect(decide(policy, rep(), nearly, doc(), 'document.read', NOW).permit).toBe(true);
    const adult = minorCtx({ birthDate: '2007-06-15' });
    expect(inMajorityNoticeWindow(adult, NOW)).toBe(false);
    expect(representativeStatus(adult, 'rep-1', NOW)).toBe('ended');
    expect(decide(policy, rep(), adult, doc(), 'document.read', NOW)).toEqual({ permit: false, reason: 'representative_access_ended' });
    expect(decide(policy, rep(), adult, null, 'record.read', NOW)).toEqual({ permit: false, reason: 'representative_access_ended' });
    // the now-adult patient decides alone
    expect(decide(policy, patient(), adult, null, 'consent.manage', NOW).permit).toBe(true);
  });

  it('MIN-03: an access ended early (endedAt, accessEndsAt) is ended', () => {
    const ended = minorCtx({ legalRepresentatives: [{ representativeId: 'rep-1', doctorPresenceRequired: false, endedAt: '2025-01-01' }] });
    expect(decide(policy, rep(), ended, doc(), 'document.read', NOW)).toEqual({ permit: false, reason: 'representative_access_ended' });
    const planned = minorCtx({ legalRepresentatives: [{ representativeId: 'rep-1', doctorPresenceRequired: false, accessEndsAt: '2030-01-01' }] });
    expect(decide(policy, rep(), planned, doc(), 'document.read', NOW).permit).toBe(true);
    const garbled = minorCtx({ legalRepresentatives: [{ representativeId: 'rep-1', doctorPresenceRequired: false, endedAt: 'soon' }] });
    expect(representativeStatus(garbled, 'rep-1', NOW)).toBe('ended');
  });

  it('MIN-04: the tutor of a protected adult has the representative\'s prerogatives; the protected adult does not decide alone', () => {
    const c = ctx({ protectedAdult: true, legalRepresentatives: [{ representativeId: 'tutor', doctorPresenceRequired: false }] });
    expect(decide(policy, rep('tutor'), c, doc(), 'document.read', NOW).permit).toBe(true);
    expect(decide(policy, rep('tutor'), c, null, 'consent.manage', NOW).permit).toBe(true);
    expect(decide(policy, rep('tutor'), c, null, 'record.create', NOW).permit).toBe(true);
    expect(decide(policy, patient(), c, null, 'consent.manage', NOW)).toEqual({ permit: false, reason: 'legal_representative_required' });
    // professionals are unaffected by the tutelle
    expect(decide(policy, pro({ mode: 'bris_de_glace', idNatPs: DOCTOR }), c, doc(), 'document.read', NOW).permit).toBe(true);
  });
});
