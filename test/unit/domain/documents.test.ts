import { describe, expect, it } from '@jest/globals';
import { contentMismatches, resubmissionOutcome, sha1Hex } from '../../../src/domain/content-check.js';
import { decide } from '../../../src/domain/decide.js';
import type { StoredDocumentEntry } from '../../../src/domain/model.js';
import { documentFacts } from '../../../src/domain/record.js';
import { DOCTOR, HOSPITAL, NOW, OTHER_DOCTOR, ctx, doc, patient, permitPro, policy, pro, rep, minorCtx } from './fixtures.js';

const act = (actor: Parameters<typeof decide>[1], c: Parameters<typeof decide>[2], d: Parameters<typeof decide>[3], a: Parameters<typeof decide>[4]) =>
  decide(policy, actor, c, d, a, NOW);

describe('DOC: documents', () => {
  it('DOC-01: a submission whose class does not match its type is refused', () => {
    expect(act(pro(), ctx(), doc({ typeCode: '34112-3', classCode: '11' }), 'document.submit')).toEqual({ permit: false, reason: 'class_mismatch' });
    expect(act(pro(), ctx(), doc({ typeCode: '34112-3', classCode: '10' }), 'document.submit').permit).toBe(true);
    expect(act(pro(), ctx(), doc({ typeCode: 'NOPE', classCode: '10' }), 'document.submit')).toEqual({ permit: false, reason: 'unknown_document_type' });
  });

  it('DOC-02: feeding needs an open record, not an access authorisation', () => {
    expect(act(pro(), ctx({ grants: [] }), doc(), 'document.submit')).toEqual({ permit: true, emergency: false });
    expect(act(pro(), ctx({ status: 'closed' }), doc(), 'document.submit')).toEqual({ permit: false, reason: 'record_closed' });
  });

  it('DOC-03: content hash and size given in the metadata must match the bytes', () => {
    const bytes = new TextEncoder().encode('hello');
    expect(sha1Hex(bytes)).toBe('aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d');
    expect(contentMismatches({ hash: 'AAF4C61DDCC5E8A2DABEDE0F3B482CD9AEA9434D', size: 5 }, bytes)).toEqual([]);
    expect(contentMismatches({ hash: '0'.repeat(40), size: 6 }, bytes)).toEqual(['hash', 'size']);
    expect(contentMismatches({}, bytes)).toEqual([]);
  });

  it('DOC-04: the same uniqueId with the same content is idempotent, with other content a conflict', () => {
    expect(resubmissionOutcome(null, 'ab')).toBe('new');
    expect(resubmissionOutcome('AB', 'ab')).toBe('identical');
    expect(resubmissionOutcome('ab', 'cd')).toBe('conflict');
  });

  it('DOC-05: only the author, or a professional of its structure, replaces a document', () => {
    const d = doc({ authorIds: [OTHER_DOCTOR], authorStructures: [HOSPITAL] });
    const c = ctx({ grants: [permitPro(DOCTOR)] });
    expect(act(pro({ idNatPs: OTHER_DOCTOR }), c, d, 'document.replace').permit).toBe(true);
    expect(act(pro({ structureId: HOSPITAL }), c, d, 'document.replace').permit).toBe(true);
    expect(act(pro(), c, d, 'document.replace')).toEqual({ permit: false, reason: 'not_author' });
    expect(act(pro({ idNatPs: OTHER_DOCTOR }), c, doc({ ...d, status: 'Deprecated' }), 'document.replace')).toEqual({
      permit: false,
      reason: 'invalid_status',
    });
    // the patient cannot rectify a professional's document
    expect(act(patient(), c, d, 'document.replace')).toEqual({ permit: false, reason: 'not_author' });
  });

  it('DOC-05: the insurer replaces only the reimbursement data it deposited, in an open record, on the current version', () => {
    const insurer = { kind: 'insurer' as const, insurerId: '3180000000001' };
    const own = doc({ typeCode: 'REMB', classCode: '60', depositorStructure: insurer.insurerId });
    expect(act(insurer, ctx(), own, 'document.replace')).toEqual({ permit: true, emergency: false });
    expect(act(insurer, ctx(), doc({ ...own, status: 'Deprecated' }), 'document.replace')).toEqual({ permit: false, reason: 'invalid_status' });
    expect(act(insurer, ctx({ status: 'closed' }), own, 'document.replace')).toEqual({ permit: false, reason: 'record_closed' });
    // another insurer's, or a professional's: refused with the read reason (it reads nothing), never "not_author"
    for (const other of [doc({ ...own, depositorStructure: '3180000000002' }), doc({ depositorStructure: HOSPITAL })]) {
      const refused = act(insurer, ctx(), other, 'document.replace');
      expect(refused.permit).toBe(false);
      expect(refused).not.toEqual({ permit: false, reason: 'not_author' });
    }
  });

  it('DOC-05: the author, or its structure, may withdraw a current document and take the withdrawal back (ITI-57 Deprecated -> Approved); nobody else', () => {
    const d = doc({ authorIds: [OTHER_DOCTOR], authorStructures: [HOSPITAL] });
    const c = ctx({ grants: [permitPro(DOCTOR)] });
    const withdrawn = doc({ ...d, status: 'Deprecated' });
    expect(act(pro({ idNatPs: OTHER_DOCTOR }), c, d, 'document.deprecate').permit).toBe(true);
    expect(act(pro({ idNatPs: OTHER_DOCTOR }), c, withdrawn, 'document.deprecate').permit).toBe(true);
    expect(act(pro({ structureId: HOSPITAL }), c, withdrawn, 'document.deprecate').permit).toBe(true);
    expect(act(pro(), c, withdrawn, 'document.deprecate')).toEqual({ permit: false, reason: 'not_author' });
    expect(act(patient(), c, withdrawn, 'document.deprecate')).toEqual({ permit: false, reason: 'not_author' });
    // a deleted or archived document is not brought back this way
    expect(act(pro({ idNatPs: OTHER_DOCTOR }), c, doc({ ...d, status: 'Deleted' }), 'document.deprecate')).toEqual({ permit: false, reason: 'invalid_status' });
    expect(act(pro({ idNatPs: OTHER_DOCTOR }), c, doc({ ...d, status: 'Archived' }), 'document.deprecate')).toEqual({ permit: false, reason: 'invalid_status' });
  });

  it('DOC-05: a non-author who cannot see the document gets the read refusal, not "not_author" (ACC-08)', () => {
    const c = ctx({ grants: [permitPro(DOCTOR)] });
    const hidden = doc({ confidentiality: ['MASQUE_PS'], authorIds: [OTHER_DOCTOR] });
    expect(act(pro(), c, hidden, 'document.replace')).toEqual({ permit: false, reason: 'masked' });
  });

  it('DOC-06: deletion only by the author; the patient deletes only what the patient deposited', () => {
    const d = doc({ authorIds: [OTHER_DOCTOR], authorStructures: [HOSPITAL] });
    const c = ctx({ grants: [permitPro(DOCTOR)] });
    expect(act(pro({ idNatPs: OTHER_DOCTOR }), c, d, 'document.delete').permit).toBe(true);
    // a colleague of the same structure may replace but not delete
    expect(act(pro({ structureId: HOSPITAL }), c, d, 'document.delete')).toEqual({ permit: false, reason: 'not_author' });
    expect(act(patient(), c, d, 'document.delete')).toEqual({ permit: false, reason: 'not_author' });
    const own = doc({ typeCode: 'EXPPAT_2', classCode: '90', authoredByPatient: true, authorIds: [] });
    expect(act(patient(), c, own, 'document.delete').permit).toBe(true);
    expect(act(patient(), c, { ...own, status: 'Deleted' }, 'document.delete')).toEqual({ permit: false, reason: 'invalid_status' });
  });

  it('DOC-06: a deleted document is no longer readable by anyone', () => {
    const d = doc({ status: 'Deleted' });
    expect(act(pro(), ctx({ grants: [permitPro(DOCTOR)] }), d, 'document.read')).toEqual({ permit: false, reason: 'document_unavailable' });
    expect(act(patient(), ctx(), d, 'document.read').permit).toBe(false);
  });

  it('DOC-07: the patient archives and unarchives; archived documents stay readable', () => {
    expect(act(patient(), ctx(), doc(), 'document.archive').permit).toBe(true);
    expect(act(patient(), ctx(), doc({ status: 'Archived' }), 'document.archive').permit).toBe(true);
    expect(act(patient(), ctx(), doc({ status: 'Deprecated' }), 'document.archive')).toEqual({ permit: false, reason: 'invalid_status' });
    expect(act(pro(), ctx({ grants: [permitPro(DOCTOR)] }), doc(), 'document.archive')).toEqual({ permit: false, reason: 'not_authorised' });
    expect(act(patient(), ctx(), doc({ status: 'Archived' }), 'document.read').permit).toBe(true);
    expect(act(pro(), ctx({ grants: [permitPro(DOCTOR)] }), doc({ status: 'Archived' }), 'document.read').permit).toBe(true);
  });

  it('DOC-08: the patient and the representative deposit patient documents (class 90), not professional types', () => {
    const own = doc({ typeCode: 'EXPPAT_1', classCode: '90', authoredByPatient: true, authorIds: [] });
    expect(act(patient(), ctx(), own, 'document.submit').permit).toBe(true);
    expect(act(rep(), minorCtx(), own, 'document.submit').permit).toBe(true);
    expect(act(patient(), ctx(), doc({ typeCode: 'DOCPAT03', classCode: '10' }), 'document.submit').permit).toBe(true);
    expect(act(patient(), ctx(), doc({ typeCode: '34112-3', classCode: '10' }), 'document.submit')).toEqual({
      permit: false,
      reason: 'not_patient_document_type',
    });
    expect(act({ kind: 'support', agentId: 's1' }, ctx(), own, 'document.submit').permit).toBe(false);
  });

  it('DOC-05: authors are the author persons plus the depositing professional, structures likewise', () => {
    const entry = {
      typeCode: { code: '11488-4', system: '2.16.840.1.113883.6.1' },
      classCode: { code: '10', system: '1.2.250.1.213.1.1.4.1' },
      confidentialityCodes: [{ code: 'N', system: '2.16.840.1.113883.5.25' }],
      availabilityStatus: 'Approved',
      authors: [
        { person: { id: OTHER_DOCTOR }, institutions: [{ name: 'CH', id: HOSPITAL }], roles: [], specialties: [], telecoms: [] },
        { institutions: [{ name: 'no id' }], roles: [], specialties: [], telecoms: [] },
      ],
      submittedBy: DOCTOR,
      submittedByStructure: HOSPITAL,
      authoredByPatient: false,
    } as unknown as StoredDocumentEntry;
    expect(documentFacts(entry)).toEqual({
      typeCode: '11488-4',
      classCode: '10',
      confidentiality: ['N'],
      status: 'Approved',
      authorIds: [OTHER_DOCTOR, DOCTOR],
      authorStructures: [HOSPITAL],
      authoredByPatient: false,
      // who deposited it, apart from the authors the metadata names
      depositorStructure: HOSPITAL,
      // ACC-09: an entry that was not loaded with its lineage is read by nobody
      lineage: null,
    });
  });
});
