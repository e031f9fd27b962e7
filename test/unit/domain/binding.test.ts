import { describe, expect, it } from '@jest/globals';
import { ACTIONS } from '../../../src/domain/actions.js';
import { bindingAllows } from '../../../src/domain/binding.js';
import { decide } from '../../../src/domain/decide.js';
import { visibilityFilter } from '../../../src/domain/visibility.js';
import { DOCTOR, NOW, RECORD_INS, ctx, doc, patient, permitPro, policy, pro } from './fixtures.js';

const OTHER_INS = { system: RECORD_INS.system, value: '299999999999999' };
const NIA = { system: '1.2.250.1.213.1.4.9', value: '180000000000001' };

describe('ACC-10: an identity assertion binds the request to one patient', () => {
  // The médecin traitant, authorised, on an open record: everything would be permitted to him.
  const record = ctx({ grants: [permitPro(DOCTOR)], medecinTraitant: DOCTOR });

  it('ACC-10: bound to another patient, a professional is refused every action on this record, before any other rule', () => {
    const bound = pro({ boundPatient: OTHER_INS, onPatientRequest: true });
    for (const action of ACTIONS) {
      expect({ action, decision: decide(policy, bound, record, doc(), action, NOW) }).toEqual({ action, decision: { permit: false, reason: 'other_patient' } });
    }
    // even where another refusal would come first (unknown mode, blocked): nothing else is said
    expect(decide(policy, pro({ boundPatient: OTHER_INS, mode: 'curiosite' }), record, doc(), 'document.read', NOW)).toEqual({ permit: false, reason: 'other_patient' });
  });

  it('ACC-10: the search filter of a professional bound to another patient selects nothing', () => {
    expect(visibilityFilter(policy, pro({ boundPatient: OTHER_INS }), record, NOW)).toEqual({ kind: 'none', reason: 'other_patient' });
  });

  it('ACC-10: bound to this patient (by any of its identifiers), or not bound at all, the other rules decide as before', () => {
    const withNia = ctx({ ...record, identifiers: [RECORD_INS, NIA] });
    for (const actor of [pro({ boundPatient: RECORD_INS }), pro({ boundPatient: NIA }), pro()]) {
      expect(decide(policy, actor, withNia, doc(), 'document.read', NOW)).toEqual({ permit: true, emergency: false });
      expect(visibilityFilter(policy, actor, withNia, NOW).kind).toBe('some');
    }
    // the binding opens nothing: an unauthorised professional bound to this patient is still refused
    expect(decide(policy, pro({ boundPatient: RECORD_INS }), ctx(), doc(), 'document.read', NOW)).toEqual({ permit: false, reason: 'not_authorised' });
  });

  it('ACC-10: an identifier matches only with the same assigning authority; a record without identifiers admits no bound caller', () => {
    expect(bindingAllows(pro({ boundPatient: { system: '1.2.250.1.213.1.4.10', value: RECORD_INS.value } }), [RECORD_INS])).toBe(false);
    expect(bindingAllows(pro({ boundPatient: RECORD_INS }), [])).toBe(false);
    expect(bindingAllows(pro(), [])).toBe(true);
    // patients and legal representatives are bound to their record by its key (wrong_record), not by this rule
    expect(bindingAllows(patient(), [])).toBe(true);
  });
});
