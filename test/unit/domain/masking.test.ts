import { describe, expect, it } from '@jest/globals';
import { applyVisibilityChange } from '../../../src/domain/confidentiality.js';
import { decide } from '../../../src/domain/decide.js';
import { documentFacts } from '../../../src/domain/record.js';
import type { StoredDocumentEntry } from '../../../src/domain/model.js';
import { DOCTOR, NOW, OTHER_DOCTOR, ctx, doc, minorCtx, patient, permitPro, policy, pro, rep } from './fixtures.js';

const read = (actor: Parameters<typeof decide>[1], c: Parameters<typeof decide>[2], d: Parameters<typeof decide>[3]) =>
  decide(policy, actor, c, d, 'document.read', NOW);

describe('MASK: confidentiality and visibility', () => {
  const authorised = ctx({ grants: [permitPro(DOCTOR), permitPro(OTHER_DOCTOR)] });
  const masked = doc({ confidentiality: ['N', 'MASQUE_PS'], authorIds: [OTHER_DOCTOR] });

  it('MASK-01: a masked document is hidden from a professional who is neither author nor médecin traitant', () => {
    expect(read(pro(), authorised, masked)).toEqual({ permit: false, reason: 'masked' });
  });

  it('MASK-01: a masked document stays visible to its author and to the médecin traitant, in every mode', () => {
    expect(read(pro({ idNatPs: OTHER_DOCTOR }), authorised, masked).permit).toBe(true);
    expect(read(pro({ idNatPs: OTHER_DOCTOR, mode: 'bris_de_glace' }), ctx(), masked).permit).toBe(true);
    const mt = ctx({ grants: [permitPro(DOCTOR)], medecinTraitant: DOCTOR });
    expect(read(pro(), mt, masked).permit).toBe(true);
    // whatever mode the médecin traitant declares, they read as the authorised doctor they are
    expect(read(pro({ mode: 'centre_15', regulationCentre: true }), mt, masked)).toEqual({ permit: true, emergency: false });
  });

  it('MASK-01 / ACC-06: a doctor the record still names médecin traitant but no longer authorises reads masked documents no more, even in emergency', () => {
    // the authorisation withdrawn: the emergency mode opens the record, masking applies as to anyone (ACC-05)
    expect(read(pro({ mode: 'centre_15', regulationCentre: true }), ctx({ medecinTraitant: DOCTOR }), masked)).toEqual({ permit: false, reason: 'masked' });
    expect(read(pro({ mode: 'centre_15', regulationCentre: true }), ctx({ medecinTraitant: DOCTOR }), doc()).permit).toBe(true);
  });

  it('MASK-01: the patient and the legal representative mask; a professional may not', () => {
    expect(decide(policy, patient(), ctx(), doc(), 'document.mask', NOW).permit).toBe(true);
    expect(decide(policy, rep(), minorCtx(), doc(), 'document.mask', NOW).permit).toBe(true);
    expect(decide(policy, pro(), authorised, doc(), 'document.mask', NOW)).toEqual({ permit: false, reason: 'not_authorised' });
    // the patient still sees a document masked to professionals
    expect(read(patient(), ctx(), masked).permit).toBe(true);
  });

  it('MASK-02: INVISIBLE_PATIENT hides the document from the patient and the representatives, not from professionals', () => {
    const d = doc({ confidentiality: ['N', 'INVISIBLE_PATIENT'] });
    expect(read(patient(), ctx(), d)).toEqual({ permit: false, reason: 'invisible_to_patient' });
    expect(read(rep(), minorCtx(), d)).toEqual({ permit: false, reason: 'invisible_to_patient' });
    expect(read(pro(), authorised, d).permit).toBe(true);
    // and the patient cannot act on what is hidden
    expect(decide(policy, patient(), ctx(), d, 'document.mask', NOW)).toEqual({ permit: false, reason: 'invisible_to_patient' });
  });

  it('MASK-02: a professional reading the document normally sets or lifts INVISIBLE_PATIENT; not in emergency', () => {
    expect(decide(policy, pro(), authorised, doc(), 'document.patient_visibility', NOW).permit).toBe(true);
    expect(decide(policy, pro({ mode: 'bris_de_glace' }), ctx(), doc(), 'document.patient_visibility', NOW)).toEqual({
      permit: false,
      reason: 'emergency_read_only',
    });
    expect(decide(policy, patient(), ctx(), doc(), 'document.patient_visibility', NOW)).toEqual({ permit: false, reason: 'not_authorised' });
  });

  it('MASK-03: INVISIBLE_REPRESENTANTS_LEGAUX (or INVISIBLE_REP_LEGAUX) hides from representatives; professionals still see it', () => {
    const d = doc({ confidentiality: ['N', 'INVISIBLE_REPRESENTANTS_LEGAUX'] });
    const c = minorCtx({ grants: [permitPro(DOCTOR)] });
    expect(read(rep(), c, d)).toEqual({ permit: false, reason: 'invisible_to_representatives' });
    expect(read(patient(), c, d).permit).toBe(true);
    expect(read(pro(), c, d).permit).toBe(true);
    const entry = {
      typeCode: { code: '11488-4', system: '2.16.840.1.113883.6.1' },
      classCode: { code: '10', system: '1.2.250.1.213.1.1.4.1' },
      confidentialityCodes: [{ code: 'INVISIBLE_REP_LEGAUX', system: '1.2.250.1.213.1.1.4.13' }],
      availabilityStatus: 'Approved',
      authors: [],
      submittedBy: OTHER_DOCTOR,
      submittedByStructure: null,
      authoredByPatient: false,
    } as unknown as StoredDocumentEntry;
    expect(read(rep(), c, documentFacts(entry))).toEqual({ permit: false, reason: 'invisible_to_representatives' });
  });

  it('MASK-03: a professional hides from the representatives only for a minor', () => {
    const c = minorCtx({ grants: [permitPro(DOCTOR)] });
    expect(decide(policy, pro(), c, doc(), 'document.representative_visibility', NOW).permit).toBe(true);
    expect(decide(policy, pro(), ctx({ grants: [permitPro(DOCTOR)] }), doc(), 'document.representative_visibility', NOW)).toEqual({
      permit: false,
      reason: 'not_a_minor',
    });
    expect(decide(policy, rep(), c, doc(), 'document.representative_visibility', NOW).permit).toBe(false);
  });

  it('MASK-04: a representative bound to a doctor\'s presence sees no medical document online', () => {
    const c = minorCtx({ legalRepresentatives: [{ representativeId: 'rep-1', doctorPresenceRequired: true }] });
    expect(read(rep(), c, doc())).toEqual({ permit: false, reason: 'doctor_presence_required' });
    expect(read(rep(), c, doc({ typeCode: 'EXPPAT_2', classCode: '90', authoredByPatient: true, authorIds: [] })).permit).toBe(true);
    expect(read(patient(), c, doc()).permit).toBe(true);
    // the minor may set that requirement; the representative it binds may not lift it
    expect(decide(policy, patient(), c, null, 'representative.doctor_presence', NOW).permit).toBe(true);
    expect(decide(policy, rep(), c, null, 'representative.doctor_presence', NOW)).toEqual({ permit: false, reason: 'not_authorised' });
  });

  it('MASK-05: unmasking sets the document back to N and a no-op change makes no new version', () => {
    expect(applyVisibilityChange(['MASQUE_PS'], { flag: 'MASQUE_PS', on: false })).toEqual({ codes: ['N'], changed: true });
    expect(applyVisibilityChange(['N'], { flag: 'MASQUE_PS', on: true })).toEqual({ codes: ['N', 'MASQUE_PS'], changed: true });
    expect(applyVisibilityChange(['N', 'MASQUE_PS'], { flag: 'MASQUE_PS', on: true }).changed).toBe(false);
    expect(applyVisibilityChange(['INVISIBLE_REP_LEGAUX'], { flag: 'INVISIBLE_REPRESENTANTS_LEGAUX', on: false })).toEqual({
      codes: ['N'],
      changed: true,
    });
    // an author's level R stays: only the flag goes
    expect(applyVisibilityChange(['R', 'INVISIBLE_PATIENT'], { flag: 'INVISIBLE_PATIENT', on: false }).codes).toEqual(['R']);
  });
});
