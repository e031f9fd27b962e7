// What a caller names by id in a deposit exists for them only if they may read it, or replace it
// without a rule hiding it (known-documents.ts): any other document answers as an id never held.
import { describe, expect, it } from '@jest/globals';
import { knowsOfDocument } from '../../../src/domain/known-documents.js';
import { DOCTOR, HOSPITAL, NOW, OTHER_DOCTOR, ctx, doc, permitPro, policy, pro } from './fixtures.js';

const knows = (...a: [Parameters<typeof knowsOfDocument>[1], Parameters<typeof knowsOfDocument>[2], Parameters<typeof knowsOfDocument>[3]]) =>
  knowsOfDocument(policy, a[0], a[1], a[2], NOW);

describe('ACC-08: the documents a deposit may name', () => {
  it('ACC-08, DOC-02, DOC-05: known to a reader, to an unauthorised author or colleague of the author’s structure; unknown to an unauthorised stranger and to anyone a rule hides it from', () => {
    const theirs = doc({ authorIds: [OTHER_DOCTOR], authorStructures: [HOSPITAL] });
    // authorised: reads it
    expect(knows(pro(), ctx({ grants: [permitPro(DOCTOR)] }), theirs)).toBe(true);
    // not authorised (DOC-02: may still deposit), neither author nor of the author's structure
    expect(knows(pro(), ctx(), theirs)).toBe(false);
    // not authorised, but its author, or of the author's structure (DOC-05: may replace it)
    expect(knows(pro({ idNatPs: OTHER_DOCTOR }), ctx(), theirs)).toBe(true);
    expect(knows(pro({ structureId: HOSPITAL }), ctx(), theirs)).toBe(true);
    // authorised, but masked from professionals other than its authors (MASK-01): hidden
    const masked = doc({ authorIds: [OTHER_DOCTOR], authorStructures: [HOSPITAL], confidentiality: ['N', 'MASQUE_PS'] });
    expect(knows(pro(), ctx({ grants: [permitPro(DOCTOR)] }), masked)).toBe(false);
  });
});
