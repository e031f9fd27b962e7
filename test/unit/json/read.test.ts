// JSON bodies are read under limits met in one pass before JSON.parse: depth, array length,
// Bundle entries, values, keys per object; keys that reach an object's prototype are refused.
import { describe, expect, it } from '@jest/globals';
import { CarnetError } from '../../../src/domain/errors.js';
import { InputLimitError } from '../../../src/domain/input-limits.js';
import { checkBundleEntries, DEFAULT_JSON_LIMITS, parseJson, type JsonLimits } from '../../../src/json/read.js';

const small: JsonLimits = { maxDepth: 4, maxArrayLength: 5, maxKeys: 6, maxBundleEntries: 3, maxValues: 40 };

function limitOf(text: string, limits = small): string | undefined {
  try {
    parseJson(text, limits);
    return undefined;
  } catch (e) {
    if (e instanceof InputLimitError) return e.limit;
    throw e;
  }
}

describe('parseJson', () => {
  it('names each limit it meets', () => {
    expect(limitOf('[[[[[1]]]]]')).toBe('CARNET_JSON_MAX_DEPTH');
    expect(limitOf('{"a":[1,2,3,4,5,6]}')).toBe('CARNET_JSON_MAX_ARRAY_LENGTH');
    expect(limitOf('{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7}')).toBe('CARNET_JSON_MAX_KEYS');
    expect(limitOf('{"a":1,"b":2,"c":3,"d":4,"e":5,"f":{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6}}')).toBeUndefined();
    expect(limitOf('{"resourceType":"Bundle","entry":[{},{},{},{}]}')).toBe('CARNET_BUNDLE_MAX_ENTRIES');
    expect(limitOf(JSON.stringify({ a: [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5]], b: [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5]], c: [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5]], d: [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5]] }))).toBe('CARNET_JSON_MAX_VALUES');
  });

  it('counts only the top-level entry array as Bundle entries', () => {
    expect(limitOf('{"contained":[{"entry":[1,2,3,4]}]}')).toBeUndefined();
  });

  it('is not fooled by brackets, quotes and escapes inside strings', () => {
    const text = JSON.stringify({ a: '[[[[[[[[', b: 'quote \\" and \\\\', c: ['x,y,z,w,v,u'] });
    expect(parseJson(text, small)).toEqual(JSON.parse(text));
  });

  it('refuses prototype keys, also when written with escapes', () => {
    for (const body of ['{"__proto__":{"x":1}}', '{"a":{"constructor":{"prototype":{}}}}', '{"\\u005f_proto__":1}']) {
      expect(() => parseJson(body, DEFAULT_JSON_LIMITS)).toThrow(/never accepted/);
    }
    // as a value it is only text
    expect(parseJson('{"a":"__proto__"}', DEFAULT_JSON_LIMITS)).toEqual({ a: '__proto__' });
  });

  it('refuses an object holding one key twice (JSON.parse keeps the last, another reader the first), escaped or not, however many keys', () => {
    const many = Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`).join(',');
    for (const body of ['{"resourceType":"Patient","resourceType":"Bundle"}', '{"a":[{"b":1,"c":2,"b":3}]}', '{"a":1,"\\u0061":2}', `{${many},"k39":0}`]) {
      expect(() => parseJson(body, DEFAULT_JSON_LIMITS)).toThrow(/twice in one object/);
    }
    // the same key in sibling or nested objects is no repetition
    expect(parseJson(`{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}],${many}}`, DEFAULT_JSON_LIMITS)).toMatchObject({ a: { a: { a: 1 } }, b: [{ a: 1 }, { a: 2 }] });
  });

  it('accepts a byte order mark and reads an empty body as nothing', () => {
    expect(parseJson('\ufeff{"a":1}')).toEqual({ a: 1 });
    expect(parseJson('  ')).toBeUndefined();
  });

  it('refuses text that is not JSON with a 400 error, not a crash', () => {
    expect(() => parseJson('{"a":')).toThrow(CarnetError);
    expect(() => parseJson('{"a":"unterminated}')).toThrow(/not valid JSON/);
  });

  it('meets 100,000 levels of nesting in milliseconds, without a stack overflow', () => {
    expect(limitOf('['.repeat(100_000) + ']'.repeat(100_000), DEFAULT_JSON_LIMITS)).toBe('CARNET_JSON_MAX_DEPTH');
  });

  it('holds Bundles read from XML to the same entry limit', () => {
    expect(() => checkBundleEntries({ resourceType: 'Bundle', entry: [{}, {}, {}, {}] }, small)).toThrow(/CARNET_BUNDLE_MAX_ENTRIES/);
    expect(() => checkBundleEntries({ resourceType: 'Bundle', entry: [{}] }, small)).not.toThrow();
  });
});
