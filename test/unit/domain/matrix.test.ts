import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parseMatrix } from '../../../src/domain/matrix.js';
import { readableTypeCodes } from '../../../src/domain/policy.js';
import { loadPolicy } from '../../../src/profiles/load.js';
import { policy } from './fixtures.js';

const matrixJson = (): Record<string, any> =>
  JSON.parse(readFileSync(new URL('../../../profiles/matrix.json', import.meta.url), 'utf8'));
const allTypes = [...policy.terminology.documentTypes.keys()];
const HOSPITALISATION_REPORTS = ['34112-3', '11490-0', '18761-7', '34133-9', '67851-6'];

describe('the matrix (ACC-02)', () => {
  it('ACC-02: a médecin reads every type except the attestation de résidence (confirmed fragment)', () => {
    const r = readableTypeCodes(policy, '10');
    expect(r.has('ATTEST-RESID')).toBe(false);
    expect(allTypes.filter((t) => !r.has(t))).toEqual(['ATTEST-RESID']);
  });

  it('ACC-02: a chirurgien-dentiste is denied the five confirmed types', () => {
    const r = readableTypeCodes(policy, '40');
    for (const t of ['80788-3', '75496-0', '83981-1', '83901-9', '68599-0']) expect(r.has(t)).toBe(false);
    expect(r.has('83836-7')).toBe(true); // schéma dentaire
    expect(r.has('18748-4')).toBe(true);
  });

  it('ACC-02: pharmacien and infirmier are slightly more restricted than médecin', () => {
    const doctor = readableTypeCodes(policy, '10');
    for (const profession of ['21', '60']) {
      const r = readableTypeCodes(policy, profession);
      expect([...r].every((t) => doctor.has(t))).toBe(true);
      expect(r.size).toBeLessThan(doctor.size);
      expect(r.size).toBeGreaterThan(doctor.size * 0.85);
      expect(r.has('57833-6')).toBe(true);
      expect(r.has('60593-1')).toBe(true);
    }
  });

  it('ACC-02: a pédicure-podologue cannot read hospitalisation reports (FAQ) but keeps a broad access', () => {
    const r = readableTypeCodes(policy, '80');
    for (const t of HOSPITALISATION_REPORTS) expect(r.has(t)).toBe(false);
    expect(r.has('PRESC-PEDI')).toBe(true);
    expect(r.has('60591-5')).toBe(true);
    expect(r.size).toBeGreaterThan(allTypes.length / 2);
  });

  it('ACC-02: a coordinateur de parcours is denied the confirmed types', () => {
    const r = readableTypeCodes(policy, 'COORD_PARCOURS');
    for (const t of ['15507-7', 'BIL_AUTO', '34794-8', '34112-3', '11506-3', '89601-9', '57833-6', 'PRESC-INF']) {
      expect(r.has(t)).toBe(false);
    }
    expect(r.has('18776-5')).toBe(true);
  });

  it('ACC-02: every TRE_G15 profession has a reasoned line', () => {
    for (const p of policy.terminology.professions.values()) {
      if (p.category === 'health_professional') expect(policy.matrix.entries.has(p.code)).toBe(true);
    }
  });

  it('ACC-02: a specialty refines its profession (pharmacien biologiste reads molecular genetics)', () => {
    expect(readableTypeCodes(policy, '21').has('51969-4')).toBe(false);
    expect(readableTypeCodes(policy, '21', 'G').has('51969-4')).toBe(true);
    // an unknown specialty falls back to the profession's line
    expect(readableTypeCodes(policy, '21', 'Z9')).toEqual(readableTypeCodes(policy, '21'));
  });

  it('ACC-08: an unknown profession and administrative staff read nothing', () => {
    expect(readableTypeCodes(policy, '99').size).toBe(0);
    expect(readableTypeCodes(policy, 'ADM_SECRETARIAT').size).toBe(0);
  });

  it('ACC-02: the matrix is data — a replaced matrix changes access without code', () => {
    const m = matrixJson();
    m.entries['80'] = { allow: ['34112-3'] };
    const replaced = { ...policy, matrix: parseMatrix(m, policy.terminology) };
    expect([...readableTypeCodes(replaced, '80')]).toEqual(['34112-3']);
  });

  it('ACC-02: a matrix naming an unknown type, class, group or profession is refused with the entry', () => {
    const withEntry = (entry: unknown, code = '80') => {
      const m = matrixJson();
      m.entries[code] = entry;
      return () => parseMatrix(m, policy.terminology);
    };
    expect(withEntry({ allow: ['12345-6'] })).toThrow(/matrix entry "80".allow: unknown document type "12345-6"/);
    expect(withEntry({ allow: ['class:77'] })).toThrow(/unknown class "77"/);
    expect(withEntry({ allow: ['group:NOPE'] })).toThrow(/unknown group "NOPE"/);
    expect(withEntry({ allow: ['*'] }, '99')).toThrow(/matrix entry "99": unknown profession code/);
    expect(withEntry({ allow: ['*'] }, 'ADM_ACCUEIL')).toThrow(/administrative staff/);
    const m = matrixJson();
    m.groups.LOOP = { members: ['group:LOOP'] };
    expect(() => parseMatrix(m, policy.terminology)).toThrow(/contains itself/);
  });

  it('ACC-02: the matrix is loaded at start from profiles/, and a missing policy directory stops the start', () => {
    expect(loadPolicy('profiles').matrix.version).toBe(policy.matrix.version);
    expect(() => loadPolicy('/nonexistent-policy-dir')).toThrow(/professions.json cannot be read/);
  });
});
