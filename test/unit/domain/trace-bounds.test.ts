// TRACE-01: the bounds of one trace row (src/domain/trace-bounds.ts), on their own.
import { describe, expect, it } from '@jest/globals';
import { boundTraceDetails, boundTraceText, TRACE_CUT_KEY, TRACE_MAX_DETAILS_CHARS, TRACE_MAX_TEXT_LENGTH } from '../../../src/domain/trace-bounds.js';

describe('the bounds of a trace row (TRACE-01)', () => {
  it('TRACE-01: a text within its limit is kept as it is; a longer one keeps its start and says its length', () => {
    expect(boundTraceText('abc', 3)).toBe('abc');
    expect(boundTraceText('abcd', 3)).toBe('abc… [cut: 4 characters]');
  });

  it('TRACE-01: a text is never cut inside a surrogate pair (PostgreSQL jsonb refuses half of one)', () => {
    const cut = boundTraceText('ab😀cd', 3);
    expect(cut).toBe('ab… [cut: 6 characters]');
    expect(() => encodeURIComponent(cut)).not.toThrow();
  });

  it('TRACE-01: details within the limits are answered unchanged, texts nested anywhere cut, keys included', () => {
    const small = { a: 1, b: [true, null, 'x'], c: { d: 'y' } };
    expect(boundTraceDetails(small)).toEqual(small);
    const long = 'z'.repeat(TRACE_MAX_TEXT_LENGTH + 1);
    const out = boundTraceDetails({ deep: { list: [long] }, [long]: 1 }) as { deep: { list: string[] } };
    expect(out.deep.list[0]).toBe(`${'z'.repeat(TRACE_MAX_TEXT_LENGTH)}… [cut: ${TRACE_MAX_TEXT_LENGTH + 1} characters]`);
    expect(Object.keys(out).every((k) => k.length < TRACE_MAX_TEXT_LENGTH + 40)).toBe(true);
  });

  it('TRACE-01: details past the limit of all keep their entries in order while they fit, and say how many were kept', () => {
    const wide: Record<string, unknown> = {};
    for (let i = 0; i < 50_000; i++) wide[`k${i}`] = `value ${i} "quoted" \u0001`;
    const out = boundTraceDetails(wide);
    expect(JSON.stringify(out).length).toBeLessThanOrEqual(TRACE_MAX_DETAILS_CHARS);
    expect(out.k0).toBe(wide.k0);
    expect(out[TRACE_CUT_KEY]).toMatch(/^\[cut: \d+ of 50000 entries\]$/);
    const escaped = boundTraceDetails({ s: '\u0001'.repeat(TRACE_MAX_TEXT_LENGTH), t: '\u0002'.repeat(TRACE_MAX_TEXT_LENGTH), u: '\u0003'.repeat(TRACE_MAX_TEXT_LENGTH), v: '\u0004'.repeat(TRACE_MAX_TEXT_LENGTH) });
    expect(JSON.stringify(escaped).length).toBeLessThanOrEqual(TRACE_MAX_DETAILS_CHARS);
    expect(escaped.s).toBe('\u0001'.repeat(TRACE_MAX_TEXT_LENGTH));
  });
});
