import { describe, expect, it } from '@jest/globals';
import { supportIdentityMismatch } from '../../../src/domain/support-identity.js';

const INS = { system: '1.2.250.1.213.1.4.8', value: '2790302123456' };
const record = { family: 'Dupré', given: 'Marie-Élise', birthDate: '1979-03-02', identifiers: [INS] };

describe('AUTH-04: the identity a support request gives against the record holder\'s', () => {
  it('AUTH-04: the same person, whatever the case, accents or hyphens, is served', () => {
    expect(supportIdentityMismatch({ family: 'DUPRE', given: 'marie elise', birthDate: '1979-03-02', identifier: INS }, record)).toBeNull();
    expect(supportIdentityMismatch({ family: 'dupré', given: 'Marie' }, record)).toBeNull();
    expect(supportIdentityMismatch({ family: 'Dupre' }, record)).toBeNull();
  });

  it('AUTH-04: another family name, birth date, given name or identifier is named', () => {
    expect(supportIdentityMismatch({ family: 'Martin', birthDate: '1979-03-02' }, record)).toBe('family');
    expect(supportIdentityMismatch({ family: 'Dupré', birthDate: '1979-03-03' }, record)).toBe('birth_date');
    expect(supportIdentityMismatch({ family: 'Dupré', given: 'Paul' }, record)).toBe('given');
    expect(supportIdentityMismatch({ family: 'Dupré', identifier: { ...INS, value: '1111111111111' } }, record)).toBe('identifier');
    // a prefix of the family name is not the family name
    expect(supportIdentityMismatch({ family: 'Dup' }, record)).toBe('family');
  });

  it('AUTH-04: only what both sides know is compared', () => {
    expect(supportIdentityMismatch({ family: 'Dupré' }, { family: 'Dupré', identifiers: [] })).toBeNull();
    expect(supportIdentityMismatch({ family: 'Dupré', birthDate: '2001-01-01' }, { family: 'Dupré', birthDate: null, identifiers: [] })).toBeNull();
    expect(supportIdentityMismatch({ family: 'Anyone' }, { family: null, identifiers: [] })).toBeNull();
  });
});
