// AUTH-04: the support request the page sends holds only what was typed, trimmed.
import { describe, expect, it } from 'vitest';
import { supportRequestOf } from '../src/pages/HelpRequestPage';

describe('the support request', () => {
  it('keeps the kind, the role and the family name, and leaves out the empty fields', () => {
    expect(supportRequestOf({ kind: 'credentials', role: 'legal_representative', family: ' Morel ', given: 'Léa', birthDate: '', email: ' claire@example.org', phone: '', loginHint: '  ', message: '' })).toEqual({
      kind: 'credentials',
      role: 'legal_representative',
      family: 'Morel',
      given: 'Léa',
      email: 'claire@example.org',
    });
  });
});
