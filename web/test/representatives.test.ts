// PAT-05: the change the page sends for one representative's details names only what was typed.
import { describe, expect, it } from 'vitest';
import { representativeChange } from '../src/pages/settings/RepresentativesSection';

describe('a representative\'s details', () => {
  it('sends the id and the fields given, trimmed; an empty field is left out (it keeps its value)', () => {
    expect(representativeChange('r1', ' claire@example.org ', '   ')).toEqual({
      resourceType: 'Parameters',
      parameter: [{ name: 'representative', part: [{ name: 'id', valueId: 'r1' }, { name: 'email', valueString: 'claire@example.org' }] }],
    });
    expect(representativeChange('r1', '', '06 12 34 56 78').parameter?.[0].part?.map((p) => p.name)).toEqual(['id', 'phone']);
  });
});
