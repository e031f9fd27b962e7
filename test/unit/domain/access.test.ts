import { describe, expect, it } from '@jest/globals';
import { decide } from '../../../src/domain/decide.js';
import { hidesExistence } from '../../../src/domain/reasons.js';
import { visibilityFilter } from '../../../src/domain/visibility.js';
import { DOCTOR, HOSPITAL, NOW, OTHER_DOCTOR, ctx, denyPro, denyStructure, doc, permitPro, permitStructure, policy, pro } from './fixtures.js';

const read = (actor = pro(), c = ctx(), d = doc()) => decide(policy, actor, c, d, 'document.read', NOW);

describe('ACC: who reads what', () => {
  it('ACC-01: a professional without authorisation is refused in normal mode', () => {
    expect(read(pro(), ctx())).toEqual({ permit: false, reason: 'not_authorised' });
    expect(decide(policy, pro(), ctx(), null, 'record.read', NOW)).toEqual({ permit: false, reason: 'not_authorised' });
  });

  it('ACC-01: an authorised professional reads, not flagged as emergency', () => {
    expect(read(pro(), ctx({ grants: [permitPro(DOCTOR)] }))).toEqual({ permit: true, emergency: false });
  });

  it('ACC-02: the matrix applies to an authorised professional (podologue and a CR hospitalier)', () => {
    const c = ctx({ grants: [permitPro(DOCTOR)] });
    const podologue = pro({ profession: '80' });
    expect(read(podologue, c, doc({ typeCode: '34112-3' }))).toEqual({ permit: false, reason: 'matrix_denied' });
    expect(read(podologue, c, doc({ typeCode: 'PRESC-PEDI', classCode: '42' })).permit).toBe(true);
  });

  it('ACC-03: a blocked professional is refused even if also authorised', () => {
    const c = ctx({ grants: [permitPro(DOCTOR), denyPro(DOCTOR)] });
    expect(read(pro(), c)).toEqual({ permit: false, reason: 'blocked' });
    expect(decide(policy, pro(), c, null, 'record.exists', NOW)).toEqual({ permit: false, reason: 'blocked' });
    expect(decide(policy, pro(), c, doc(), 'document.submit', NOW)).toEqual({ permit: false, reason: 'blocked' });
  });

  it('ACC-03: a blocked professional is refused even in emergency', () => {
    const c = ctx({ grants: [denyPro(DOCTOR)] });
    expect(read(pro({ mode: 'bris_de_glace' }), c).permit).toBe(false);
    expect(read(pro({ mode: 'centre_15', regulationCentre: true }), c)).toEqual({ permit: false, reason: 'blocked' });
  });

  it('ACC-03: a block of a professional does not block the rest of the care team', () => {
    const c = ctx({ grants: [permitStructure(HOSPITAL), denyPro(OTHER_DOCTOR)] });
    expect(read(pro({ structureId: HOSPITAL }), c).permit).toBe(true);
    expect(read(pro({ idNatPs: OTHER_DOCTOR, structureId: HOSPITAL }), c)).toEqual({ permit: false, reason: 'blocked' });
  });

  it('ACC-03: a blocked structure refuses whoever acts for it, in every mode, even authorised in person; the same professional acting for another structure reads', () => {
    const c = ctx({ grants: [permitPro(DOCTOR), permitStructure(HOSPITAL), denyStructure(HOSPITAL)] });
    for (const mode of ['normal', 'bris_de_glace', 'centre_15'] as const) {
      expect(read(pro({ mode, structureId: HOSPITAL }), c)).toEqual({ permit: false, reason: 'blocked' });
      expect(read(pro({ mode, idNatPs: '810000000099', profession: '60', structureId: HOSPITAL }), c)).toEqual({ permit: false, reason: 'blocked' });
    }
    expect(decide(policy, pro({ structureId: HOSPITAL }), c, doc(), 'document.submit', NOW)).toEqual({ permit: false, reason: 'blocked' });
    expect(visibilityFilter(policy, pro({ structureId: HOSPITAL }), c, NOW)).toEqual({ kind: 'none', reason: 'blocked' });
    expect(read(pro({ structureId: 'another' }), c)).toEqual({ permit: true, emergency: false });
    // the block is about who acts: a document the structure deposited is read by everyone else
    expect(read(pro({ structureId: 'another' }), c, doc({ authorStructures: [HOSPITAL] })).permit).toBe(true);
  });

  it('ACC-03: while a structure is blocked, a professional whose identity names no structure is refused (it cannot show it does not act for it)', () => {
    const c = ctx({ grants: [permitPro(DOCTOR), denyStructure(HOSPITAL)] });
    expect(read(pro({ structureId: undefined }), c)).toEqual({ permit: false, reason: 'blocked' });
    expect(read(pro({ structureId: undefined }), ctx({ grants: [permitPro(DOCTOR), denyPro(OTHER_DOCTOR)] })).permit).toBe(true);
  });

  it('ACC-04: authorising a structure authorises its care team', () => {
    const c = ctx({ grants: [permitStructure(HOSPITAL)] });
    expect(read(pro({ idNatPs: '810000000099', profession: '60', structureId: HOSPITAL }), c).permit).toBe(true);
    expect(read(pro({ idNatPs: '810000000099', profession: '60', structureId: 'another' }), c).permit).toBe(false);
  });

  it('ACC-04: administrative staff never read a DMP, even authorised or in emergency', () => {
    const c = ctx({ grants: [permitStructure(HOSPITAL), permitPro('sec-1')] });
    for (const profession of ['ADM_ACCUEIL', 'ADM_SECRETARIAT', 'ADM_AGENT', 'ADM_SERVICE']) {
      for (const mode of ['normal', 'bris_de_glace']) {
        const actor = pro({ idNatPs: 'sec-1', profession, structureId: HOSPITAL, mode });
        expect(read(actor, c)).toEqual({ permit: false, reason: 'administrative_staff' });
        expect(decide(policy, actor, c, null, 'record.read', NOW)).toEqual({ permit: false, reason: 'administrative_staff' });
        expect(decide(policy, actor, c, doc(), 'document.submit', NOW).permit).toBe(false);
      }
    }
  });

  it('ACC-05: bris de glace opens the record without authorisation, flagged as emergency', () => {
    expect(read(pro({ profession: '60', mode: 'bris_de_glace' }), ctx())).toEqual({ permit: true, emergency: true });
  });

  it('ACC-05: a Centre 15 regulator doctor reads without authorisation; a non-doctor cannot use centre_15', () => {
    expect(read(pro({ mode: 'centre_15', regulationCentre: true }), ctx())).toEqual({ permit: true, emergency: true });
    expect(read(pro({ profession: '60', mode: 'centre_15', regulationCentre: true }), ctx())).toEqual({ permit: false, reason: 'emergency_not_applicable' });
  });

  it('ACC-05: an emergency mode the patient opposed is refused, the other still works', () => {
    const c = ctx({ emergencyOppositions: { bris_de_glace: true, centre_15: false } });
    expect(read(pro({ mode: 'bris_de_glace' }), c)).toEqual({ permit: false, reason: 'emergency_opposed' });
    expect(read(pro({ mode: 'centre_15', regulationCentre: true }), c).permit).toBe(true);
    const c2 = ctx({ emergencyOppositions: { bris_de_glace: false, centre_15: true } });
    expect(read(pro({ mode: 'centre_15', regulationCentre: true }), c2)).toEqual({ permit: false, reason: 'emergency_opposed' });
  });

  it('ACC-05: in emergency the matrix and masking still apply', () => {
    const emergency = pro({ profession: '80', mode: 'bris_de_glace' });
    expect(read(emergency, ctx(), doc({ typeCode: '11490-0' }))).toEqual({ permit: false, reason: 'matrix_denied' });
    expect(read(pro({ mode: 'bris_de_glace' }), ctx(), doc({ confidentiality: ['MASQUE_PS'] }))).toEqual({
      permit: false,
      reason: 'masked',
    });
  });

  it('ACC-06: the médecin traitant reads masked documents and the access history; others do not', () => {
    const c = ctx({ grants: [permitPro(DOCTOR), permitPro(OTHER_DOCTOR)], medecinTraitant: DOCTOR });
    const masked = doc({ confidentiality: ['MASQUE_PS'], authorIds: ['810000000077'] });
    expect(read(pro(), c, masked).permit).toBe(true);
    expect(read(pro({ idNatPs: OTHER_DOCTOR }), c, masked)).toEqual({ permit: false, reason: 'masked' });
    expect(decide(policy, pro(), c, null, 'trace.read', NOW).permit).toBe(true);
    expect(decide(policy, pro({ idNatPs: OTHER_DOCTOR }), c, null, 'trace.read', NOW)).toEqual({
      permit: false,
      reason: 'not_medecin_traitant',
    });
  });

  it('ACC-06: only the médecin traitant blocks another professional, and at the patient\'s request', () => {
    const c = ctx({ grants: [permitPro(DOCTOR), permitPro(OTHER_DOCTOR)], medecinTraitant: DOCTOR });
    expect(decide(policy, pro({ onPatientRequest: true }), c, null, 'consent.block', NOW).permit).toBe(true);
    expect(decide(policy, pro(), c, null, 'consent.block', NOW)).toEqual({ permit: false, reason: 'not_on_patient_request' });
    expect(decide(policy, pro({ idNatPs: OTHER_DOCTOR, onPatientRequest: true }), c, null, 'consent.block', NOW)).toEqual({
      permit: false,
      reason: 'not_medecin_traitant',
    });
  });

  it('ACC-06: the médecin traitant hands the status over with the patient\'s consent', () => {
    const c = ctx({ grants: [permitPro(DOCTOR)], medecinTraitant: DOCTOR });
    expect(decide(policy, pro({ onPatientRequest: true }), c, null, 'medecin_traitant.designate', NOW).permit).toBe(true);
    expect(decide(policy, pro(), c, null, 'medecin_traitant.designate', NOW).permit).toBe(false);
    const other = ctx({ grants: [permitPro(OTHER_DOCTOR)], medecinTraitant: DOCTOR });
    expect(decide(policy, pro({ idNatPs: OTHER_DOCTOR, onPatientRequest: true }), other, null, 'medecin_traitant.designate', NOW)).toEqual({
      permit: false,
      reason: 'not_medecin_traitant',
    });
  });

  it('ACC-07: a professional closes or changes authorisations only at the patient\'s request', () => {
    const c = ctx({ grants: [permitPro(DOCTOR)] });
    for (const action of ['record.close', 'consent.manage'] as const) {
      expect(decide(policy, pro({ onPatientRequest: true }), c, null, action, NOW).permit).toBe(true);
      expect(decide(policy, pro(), c, null, action, NOW)).toEqual({ permit: false, reason: 'not_on_patient_request' });
      // not authorised: even at the patient's request
      expect(decide(policy, pro({ onPatientRequest: true }), ctx(), null, action, NOW)).toEqual({ permit: false, reason: 'not_authorised' });
    }
  });

  it('ACC-08: an unknown profession or access mode is refused (fail closed)', () => {
    const c = ctx({ grants: [permitPro(DOCTOR)] });
    expect(read(pro({ profession: '99' }), c)).toEqual({ permit: false, reason: 'unknown_profession' });
    expect(read(pro({ mode: 'urgence' }), c)).toEqual({ permit: false, reason: 'unknown_access_mode' });
    expect(decide(policy, pro({ mode: '' }), c, null, 'record.exists', NOW)).toEqual({ permit: false, reason: 'unknown_access_mode' });
  });

  it('ACC-08: an unknown document type is refused, even to the patient', () => {
    const c = ctx({ grants: [permitPro(DOCTOR)] });
    expect(read(pro(), c, doc({ typeCode: 'XX-1' }))).toEqual({ permit: false, reason: 'unknown_document_type' });
    expect(decide(policy, { kind: 'patient', patientKey: c.patientKey }, c, doc({ typeCode: 'XX-1' }), 'document.read', NOW).permit).toBe(false);
  });

  it('ACC-08: reasons about hidden documents are marked as concealing, others are not', () => {
    for (const r of ['masked', 'matrix_denied', 'invisible_to_patient', 'unknown_document_type'] as const) expect(hidesExistence(r)).toBe(true);
    for (const r of ['blocked', 'not_authorised', 'record_closed'] as const) expect(hidesExistence(r)).toBe(false);
  });

  it('ACC-08: the search filter of a refused professional admits nothing', () => {
    expect(visibilityFilter(policy, pro(), ctx(), NOW)).toEqual({ kind: 'none', reason: 'not_authorised' });
  });
});
