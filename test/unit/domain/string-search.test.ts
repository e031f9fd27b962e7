import { describe, expect, it, jest } from '@jest/globals';
import { startsWithFoldedMatcher } from '../../../src/domain/string-search.js';

describe('R4 string search in JavaScript (ITI-66 source.family / source.given)', () => {
  it('a name starts with the value, case and accents ignored, either Unicode form', () => {
    const demo = startsWithFoldedMatcher('DE\u0301M');
    expect(['Démont', 'demo', 'DÉMO', 'De\u0301mo', 'Ledemo', 'De', undefined].map((name) => demo(name))).toEqual([true, true, true, true, false, false, false]);
  });

  it('the value is folded once for every name it is tested against', () => {
    const normalize = jest.spyOn(String.prototype, 'normalize');
    try {
      const matches = startsWithFoldedMatcher('Élodie');
      const names = Array.from({ length: 50 }, (_, i) => `Name${i}`);
      names.forEach((name) => matches(name));
      // one for the value, one for each name
      expect(normalize).toHaveBeenCalledTimes(names.length + 1);
    } finally {
      normalize.mockRestore();
    }
  });
});
