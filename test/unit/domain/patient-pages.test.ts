import { describe, expect, it } from '@jest/globals';
import { decide } from '../../../src/domain/decide.js';
import { markPage, SIDE_ACTOR_KINDS, type HistoryEntry } from '../../../src/domain/trace-view.js';
import { DOCTOR, NOW, OTHER_DOCTOR, ctx, minorCtx, patient, permitPro, policy, pro, rep } from './fixtures.js';

const entry = (id: string, at: string, actorKind: HistoryEntry['actorKind'], actorId: string, emergency = false): HistoryEntry => ({ id, at, actorKind, actorId, emergency });

describe('the patient\'s pages: rules and marks', () => {
  it('TRACE-03: a page is marked from record-wide facts: the first access comes from the store, "new" from the previous login', () => {
    const page = [
      entry('t4', '2025-06-15T09:00:00Z', 'professional', DOCTOR),
      entry('t3', '2025-06-14T09:00:00Z', 'professional', OTHER_DOCTOR, true),
      entry('t2', '2025-06-13T09:00:00Z', 'patient', 'acc-1'),
    ];
    // DOCTOR's first access (t1) is on an earlier page: t4 is not a first access
    const marked = markPage(page, { lastLoginAt: '2025-06-13T12:00:00Z', firstAccessOf: new Map([[DOCTOR, 't1'], [OTHER_DOCTOR, 't3']]) });
    expect(marked.map((m) => [m.id, m.side, m.newSinceLastLogin, m.firstAccessByProfessional, m.emergency])).toEqual([
      ['t4', 'professional', true, false, false],
      ['t3', 'professional', true, true, true],
      ['t2', 'own', false, false, false],
    ]);
    expect(markPage(page, { lastLoginAt: null, firstAccessOf: new Map() }).every((m) => m.newSinceLastLogin)).toBe(true);
    expect(SIDE_ACTOR_KINDS.own).toEqual(['patient', 'legal_representative']);
  });

  it('PAT-02 / PAT-05 / PAT-06: settings and downloads belong to the patient side of an open record', () => {
    for (const action of ['record.settings', 'record.export'] as const) {
      expect(decide(policy, patient(), ctx(), null, action, NOW).permit).toBe(true);
      expect(decide(policy, rep(), minorCtx(), null, action, NOW).permit).toBe(true);
      expect(decide(policy, pro(), ctx({ grants: [permitPro(DOCTOR)] }), null, action, NOW)).toEqual({ permit: false, reason: 'not_authorised' });
      expect(decide(policy, patient(), ctx({ status: 'closed' }), null, action, NOW)).toEqual({ permit: false, reason: 'record_closed' });
    }
  });

  it('PAT-07: a copy request is the patient side\'s, also on a closed record (its data are kept)', () => {
    expect(decide(policy, patient(), ctx({ status: 'closed' }), null, 'record.copy_request', NOW).permit).toBe(true);
    expect(decide(policy, rep('stranger'), minorCtx(), null, 'record.copy_request', NOW).permit).toBe(false);
    expect(decide(policy, pro(), ctx({ grants: [permitPro(DOCTOR)] }), null, 'record.copy_request', NOW).permit).toBe(false);
  });
});
