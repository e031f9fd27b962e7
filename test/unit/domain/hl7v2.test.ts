import { describe, expect, it } from '@jest/globals';
import { formatCx, formatXcn, formatXon, formatXtn, parseCx, parseXcn, parseXon, parseXtn, readCx, writeCx } from '../../../src/domain/hl7v2.js';

describe('CX patient ids (strict, as the XDS door and VIHF read them)', () => {
  it('accepts value^^^&oid&ISO and the DMP ^NH suffix', () => {
    expect(parseCx('P1005125143.2^^^&1.3.6.1.4.1.21367.13.20.1000&ISO')).toEqual({ value: 'P1005125143.2', system: '1.3.6.1.4.1.21367.13.20.1000' });
    expect(parseCx('1234567890123^^^&1.2.250.1.213.1.4.10&ISO^NH')).toEqual({ value: '1234567890123', system: '1.2.250.1.213.1.4.10' });
  });
  it.each(['abc', 'abc^^^1.2.3', 'abc^^^&1.2.3&L', '^^^&1.2.3&ISO', 'abc^^^&notanoid&ISO', 'a^b^^&1.2&ISO', "x'; DROP TABLE--^^^&1.2&ISO^^^^^^"])(
    'rejects %s',
    (v) => expect(parseCx(v)).toBeUndefined(),
  );
  it('formats what it parses', () => {
    const id = { value: '1234567890123', system: '1.2.250.1.213.1.4.8' };
    expect(formatCx(id)).toBe('1234567890123^^^&1.2.250.1.213.1.4.8&ISO');
    expect(parseCx(formatCx(id))).toEqual(id);
  });
});

describe('CX / CXi read leniently (sourcePatientId, referenceIdList)', () => {
  it('keeps the type and tolerates a missing authority', () => {
    expect(readCx('E123^^^&1.2.3&ISO^urn:ihe:iti:xds:2015:encounterId')).toEqual({ value: 'E123', system: '1.2.3', type: 'urn:ihe:iti:xds:2015:encounterId' });
    expect(readCx('LOCAL-7')).toEqual({ value: 'LOCAL-7' });
    expect(writeCx({ value: 'LOCAL-7' })).toBe('LOCAL-7');
    expect(writeCx({ value: 'E1', type: 'urn:x' })).toBe('E1^^^^urn:x');
    expect(writeCx(readCx('E123^^^&1.2.3&ISO^urn:x'))).toBe('E123^^^&1.2.3&ISO^urn:x');
  });
});

describe('XCN persons', () => {
  it('reads id, names and the assigning authority, and keeps the original string', () => {
    const xcn = '810002345678^DUPONT^Paul^^^^^^&1.2.250.1.71.4.2.1&ISO';
    expect(parseXcn(xcn)).toEqual({ id: '810002345678', family: 'DUPONT', given: 'Paul', idSystem: '1.2.250.1.71.4.2.1', raw: xcn });
    expect(formatXcn(parseXcn(xcn))).toBe(xcn);
  });
  it('falls back to the namespace id when the authority has no universal id', () => {
    expect(parseXcn('42^Doe^^^^^^^LOCAL').idSystem).toBe('LOCAL');
  });
  it('builds a string without trailing empty components', () => {
    expect(formatXcn({ id: '810002345678', family: 'DUPONT', given: 'Paul', idSystem: '1.2.250.1.71.4.2.1' })).toBe('810002345678^DUPONT^Paul^^^^^^&1.2.250.1.71.4.2.1&ISO');
    expect(formatXcn({ family: 'DUPONT' })).toBe('^DUPONT');
  });
});

describe('XON institutions', () => {
  it('reads the id from component 10, or 3 for old senders', () => {
    expect(parseXon('CHU Exemple^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^1750000000')).toMatchObject({ name: 'CHU Exemple', id: '1750000000', idSystem: '1.2.250.1.71.4.2.2' });
    expect(parseXon('Old^^99')).toMatchObject({ name: 'Old', id: '99' });
  });
  it('builds the CI-SIS form with IDNST, or the bare name', () => {
    expect(formatXon({ name: 'CHU Exemple', id: '1750000000', idSystem: '1.2.250.1.71.4.2.2' })).toBe('CHU Exemple^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^1750000000');
    expect(formatXon({ name: 'Cabinet' })).toBe('Cabinet');
    expect(formatXon({ name: 'x', raw: 'Kept^^^^^&1.2&ISO^^^^7' })).toBe('Kept^^^^^&1.2&ISO^^^^7');
  });
});

describe('XTN telecoms', () => {
  it('tells e-mail from phone and writes them back', () => {
    expect(parseXtn('^^Internet^a@b.fr')).toEqual({ system: 'email', value: 'a@b.fr' });
    expect(parseXtn('^PRN^PH^^^^^^^^^+33612345678')).toEqual({ system: 'phone', value: '+33612345678' });
    expect(parseXtn('0612345678')).toEqual({ system: 'phone', value: '0612345678' });
    expect(formatXtn({ system: 'email', value: 'a@b.fr' })).toBe('^^Internet^a@b.fr');
    expect(formatXtn({ system: 'phone', value: '+33612345678' })).toBe('^PRN^PH^^^^^^^^^+33612345678');
  });
});
