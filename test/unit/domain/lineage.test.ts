// ACC-09: which member of a lineage is current, and what reading a member asks of the others.
import { describe, expect, it } from '@jest/globals';
import { decide } from '../../../src/domain/decide.js';
import { currentMember, type MemberFacts } from '../../../src/domain/lineage.js';
import type { DocumentFacts } from '../../../src/domain/record.js';
import { ctx, doc, DOCTOR, minorCtx, NOW, OTHER_DOCTOR, patient, permitPro, policy, pro, rep } from './fixtures.js';

const version = (logicalId: string, generation: number, latest: boolean, status: MemberFacts['status'] = 'Approved') => ({ logicalId, generation, latest, status });

/** A version following `latest` (its document's latest version) and `current` (its lineage's current member). */
function following(own: Partial<DocumentFacts>, latest: Partial<DocumentFacts>, current: Partial<DocumentFacts> | null): DocumentFacts {
  const member = (over: Partial<DocumentFacts>): MemberFacts => {
    const { typeCode, confidentiality, status, authorIds, authoredByPatient } = doc(over);
    return { typeCode, confidentiality, status, authorIds, authoredByPatient };
  };
  return doc({ ...own, lineage: { latest: member(latest), current: current ? member(current) : null } });
}

const MASKED = { confidentiality: ['N', 'MASQUE_PS'] };
const HIDDEN_FROM_PATIENT = { confidentiality: ['N', 'INVISIBLE_PATIENT'] };
const HIDDEN_FROM_REPRESENTATIVES = { confidentiality: ['N', 'INVISIBLE_REPRESENTANTS_LEGAUX'] };

describe('ACC-09: lineages', () => {
  it('ACC-09: the current member is the latest version of the newest document that is not deleted', () => {
    const a1 = version('a', 1, false, 'Deprecated');
    const a2 = version('a', 1, true, 'Deprecated');
    const b = version('b', 2, true);
    const c = version('c', 3, true, 'Deleted');
    expect(currentMember([a1, a2, b])).toBe(b);
    // the newest replacement deleted: the one before it is current again
    expect(currentMember([a1, a2, b, c])).toBe(b);
    // an old version is never current, nor is a deleted lineage
    expect(currentMember([a1])).toBeNull();
    expect(currentMember([version('a', 1, true, 'Deleted')])).toBeNull();
    // two roots merged by a replacement that was then deleted: the highest logical id
    expect(currentMember([version('x', 1, true), version('y', 1, true), version('z', 2, true, 'Deleted')])).toMatchObject({ logicalId: 'y' });
  });

  it('ACC-09: the old version of a masked document is hidden from a nurse, and stays readable by its author and the médecin traitant', () => {
    const old = following({ authorIds: [DOCTOR] }, { ...MASKED, authorIds: [DOCTOR] }, { ...MASKED, authorIds: [DOCTOR] });
    const record = ctx({ grants: [permitPro(DOCTOR), permitPro(OTHER_DOCTOR), permitPro('nurse')], medecinTraitant: OTHER_DOCTOR });
    const nurse = pro({ idNatPs: 'nurse', profession: '60' });
    expect(decide(policy, nurse, record, old, 'document.read', NOW)).toEqual({ permit: false, reason: 'lineage_hidden' });
    expect(decide(policy, pro(), record, old, 'document.read', NOW).permit).toBe(true);
    expect(decide(policy, pro({ idNatPs: OTHER_DOCTOR }), record, old, 'document.read', NOW).permit).toBe(true);
    // in emergency the mask holds on every version (MASK-01)
    expect(decide(policy, pro({ idNatPs: 'someone', mode: 'bris_de_glace' }), ctx(), old, 'document.read', NOW).permit).toBe(false);
  });

  it('ACC-09: a replaced document follows its replacement: hidden from the patient while the replacement is', () => {
    const replaced = following({ status: 'Deprecated' }, { status: 'Deprecated' }, HIDDEN_FROM_PATIENT);
    expect(decide(policy, patient(), ctx(), replaced, 'document.read', NOW)).toEqual({ permit: false, reason: 'lineage_hidden' });
    // the announcement consultation lifts the flag on the replacement: the predecessor is readable again
    expect(decide(policy, patient(), ctx(), following({ status: 'Deprecated' }, { status: 'Deprecated' }, {}), 'document.read', NOW).permit).toBe(true);
    // a professional is not concerned by the patient's flag
    expect(decide(policy, pro(), ctx({ grants: [permitPro(DOCTOR)] }), replaced, 'document.read', NOW).permit).toBe(true);
  });

  it('ACC-09: a representative reads no member of a lineage whose current member is hidden from representatives', () => {
    const older = following({}, HIDDEN_FROM_REPRESENTATIVES, HIDDEN_FROM_REPRESENTATIVES);
    expect(decide(policy, rep(), minorCtx(), older, 'document.read', NOW)).toEqual({ permit: false, reason: 'lineage_hidden' });
    expect(decide(policy, patient({ patientKey: minorCtx().patientKey }), minorCtx(), older, 'document.read', NOW).permit).toBe(true);
  });

  it('ACC-09: a version of a document masked after it was replaced is hidden, though the replacement is not', () => {
    const replacedThenMasked = following({ status: 'Deprecated' }, { ...MASKED, status: 'Deprecated' }, {});
    expect(decide(policy, pro({ idNatPs: 'other' }), ctx({ grants: [permitPro('other')] }), replacedThenMasked, 'document.read', NOW).permit).toBe(false);
  });

  it('ACC-09: an old version of a deleted document is gone for every reader (DOC-06); one loaded without its lineage is read by nobody', () => {
    const ofDeleted = following({ status: 'Deprecated' }, { status: 'Deleted' }, null);
    expect(decide(policy, patient(), ctx(), ofDeleted, 'document.read', NOW)).toEqual({ permit: false, reason: 'document_unavailable' });
    expect(decide(policy, patient(), ctx(), doc({ lineage: null }), 'document.read', NOW)).toEqual({ permit: false, reason: 'lineage_hidden' });
    // and refusing a write on it says nothing more than refusing the read (not_author would confirm it)
    expect(decide(policy, pro({ idNatPs: 'other' }), ctx({ grants: [permitPro('other')] }), following({}, MASKED, MASKED), 'document.delete', NOW)).toEqual({
      permit: false,
      reason: 'lineage_hidden',
    });
  });
});
