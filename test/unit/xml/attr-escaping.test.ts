// needsAttrEscaping (the test of a long text, one character at a time) must say what
// ATTR_NEEDS_ESCAPING's class says, for every character and wherever it stands: what relies on it
// (an ObjectRef answer's ids, util/entry-uuid-list.ts) writes its text into attributes unescaped.
import { describe, expect, it } from '@jest/globals';
import { ATTR_NEEDS_ESCAPING, needsAttrEscaping } from '../../../src/xml/index.js';

describe('needsAttrEscaping', () => {
  it('agrees with ATTR_NEEDS_ESCAPING for every UTF-16 code unit, at the start, inside and at the end of a text', () => {
    const disagree: number[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      const c = String.fromCharCode(code);
      for (const s of [c, `abc${c}def`, `0123-${c}`]) {
        if (needsAttrEscaping(s) !== ATTR_NEEDS_ESCAPING.test(s)) disagree.push(code);
      }
    }
    expect(disagree).toEqual([]);
  });

  it('finds one such character in a long text of UUIDs, wherever it is', () => {
    const long = 'a'.repeat(36_999);
    expect(needsAttrEscaping(long)).toBe(false);
    for (const c of ['&', '<', '>', '"', '\r', '\n', '\t']) {
      for (const at of [0, 18_000, 36_998]) expect(needsAttrEscaping(long.slice(0, at) + c + long.slice(at + 1))).toBe(true);
    }
  });
});
