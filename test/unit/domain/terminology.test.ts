import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { normaliseConfidentiality } from '../../../src/domain/confidentiality.js';
import { PolicyError } from '../../../src/domain/json-check.js';
import { parseTerminology, type TerminologySources } from '../../../src/domain/terminology.js';
import { policy } from './fixtures.js';

const dir = new URL('../../../profiles/terminology/', import.meta.url);
const read = (f: string): unknown => JSON.parse(readFileSync(new URL(f, dir), 'utf8'));
function sources(): TerminologySources {
  return {
    professions: read('professions.json'),
    rolesNonPs: read('roles-non-ps.json'),
    documentTypes: read('document-types.json'),
    documentClasses: read('document-classes.json'),
    confidentiality: read('confidentiality.json'),
    accessModes: read('access-modes.json'),
    facilityTypes: read('facility-types.json'),
    formatCodes: read('format-codes.json'),
  };
}

describe('terminologies', () => {
  it('loads every table of the shared DMP data', () => {
    const t = policy.terminology;
    expect([...t.professions.values()].filter((p) => p.category === 'health_professional')).toHaveLength(30);
    expect(t.documentTypes.size).toBe(102);
    expect(t.documentClasses.size).toBe(11);
    expect([...t.accessModes.keys()].sort()).toEqual(['bris_de_glace', 'centre_15', 'normal']);
    expect(t.facilityTypes.has('SA33')).toBe(true);
    expect(t.formatCodesComplete).toBe(false);
    expect(t.formatCodes.has('urn:ihe:iti:xds-sd:pdf:2008')).toBe(true);
  });

  it('DOC-01: every document type carries its mandatory class from ASS_X16', () => {
    const t = policy.terminology;
    expect(t.documentTypes.get('34112-3')?.classCode).toBe('10');
    expect(t.documentTypes.get('18748-4')?.classCode).toBe('31');
    expect(t.documentTypes.get('REMB')?.classCode).toBe('60');
    expect(t.documentTypes.get('ATTEST-RESID')?.classCode).toBe('95');
  });

  it('DOC-01: a type naming an unknown class is refused, naming the entry', () => {
    const s = sources();
    (s.documentTypes as { concepts: Array<{ classCode: string }> }).concepts[0].classCode = '77';
    expect(() => parseTerminology(s)).toThrow(/document-types concept "11369-6": unknown classCode "77"/);
  });

  it('MASK-03: INVISIBLE_REP_LEGAUX is accepted and normalised to INVISIBLE_REPRESENTANTS_LEGAUX', () => {
    expect(policy.terminology.confidentialityAliases.get('INVISIBLE_REP_LEGAUX')).toBe('INVISIBLE_REPRESENTANTS_LEGAUX');
    expect(normaliseConfidentiality(['N', 'INVISIBLE_REP_LEGAUX', 'INVISIBLE_REPRESENTANTS_LEGAUX'])).toEqual([
      'N',
      'INVISIBLE_REPRESENTANTS_LEGAUX',
    ]);
  });

  it('refuses a confidentiality table without the visibility flags the rules rely on', () => {
    const s = sources();
    const c = s.confidentiality as { concepts: Array<{ code: string }> };
    c.concepts = c.concepts.filter((x) => x.code !== 'MASQUE_PS');
    expect(() => parseTerminology(s)).toThrow(/required code "MASQUE_PS"/);
  });

  it('ACC-08: refuses an access mode no rule knows', () => {
    const s = sources();
    (s.accessModes as { concepts: unknown[] }).concepts.push({ code: 'super_user', display: 'x' });
    expect(() => parseTerminology(s)).toThrow(PolicyError);
    expect(() => parseTerminology(s)).toThrow(/"super_user"/);
  });

  it('ACC-04: administrative roles are their own category and cannot collide with TRE_G15', () => {
    expect(policy.terminology.professions.get('ADM_ACCUEIL')?.category).toBe('administrative');
    expect(policy.terminology.professions.get('COORD_PARCOURS')?.category).toBe('role_based');
    const s = sources();
    (s.rolesNonPs as { concepts: unknown[] }).concepts.push({ code: '10', display: 'x', category: 'administrative' });
    expect(() => parseTerminology(s)).toThrow(/"10": collides/);
  });

  it('refuses a duplicate code', () => {
    const s = sources();
    const p = s.professions as { concepts: unknown[] };
    p.concepts.push({ code: '60', display: 'again' });
    expect(() => parseTerminology(s)).toThrow(/professions concept "60": duplicate code/);
  });
});
