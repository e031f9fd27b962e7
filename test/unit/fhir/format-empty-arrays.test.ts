// R4 json.html (no empty arrays) written without a JSON.stringify replacer: the answer must be
// byte for byte what the replacer that drops empty arrays writes, and the resource it was given
// must stay as it was.
import { describe, expect, it } from '@jest/globals';
import { serialize, withoutEmptyArrays } from '../../../src/fhir/format.js';

/** What the door wrote before: a replacer that drops every empty array. */
const withReplacer = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (Array.isArray(x) && x.length === 0 ? undefined : x));

describe('FHIR JSON without empty arrays', () => {
  const cases: Array<[string, unknown]> = [
    ['an empty searchset', { resourceType: 'Bundle', type: 'searchset', total: 0, link: [{ relation: 'self', url: 'x' }], entry: [] }],
    ['nested empty arrays in objects and arrays', { a: [], b: { c: [], d: [{ e: [], f: 1 }, []], g: [[]] }, h: 'x', i: null, j: [0, false, ''] }],
    ['dates and undefined values', { when: new Date('2026-01-02T03:04:05.000Z'), gone: undefined, list: [undefined, new Date(0)] }],
    ['an object with its own toJSON', { v: { toJSON: () => ({ inner: [], kept: [1] }) } }],
    ['nothing to remove', { resourceType: 'Patient', name: [{ given: ['A'] }], active: true }],
  ];
  it.each(cases)('%s: the same text as the replacer writes', (_name, value) => {
    expect(JSON.stringify(withoutEmptyArrays(value))).toBe(withReplacer(value));
    expect(serialize(value as never, 'json').body).toBe(withReplacer(value));
  });

  it('leaves the resource it is given unchanged, and shares what has no empty array', () => {
    const kept = { system: 's', code: 'c' };
    const resource = { resourceType: 'Bundle', entry: [], meta: { tag: [kept] } };
    const cleaned = withoutEmptyArrays(resource) as typeof resource;
    expect(resource.entry).toEqual([]);
    expect('entry' in cleaned && cleaned.entry !== undefined).toBe(false);
    expect(cleaned.meta).toBe(resource.meta);
    expect(withoutEmptyArrays(resource.meta)).toBe(resource.meta);
  });
});
