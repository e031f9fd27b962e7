// RFC 9110 byte ranges of one document (ITI-68): which bytes a Range header asks for, when it is
// ignored (the whole document), when nothing of it can be served (416), and If-Range.
import { describe, expect, it } from '@jest/globals';
import { contentRange, decideRange, ifRangeAllows } from '../../../src/http/byte-ranges.js';

describe('decideRange', () => {
  const size = 1000;

  it('reads a first-last range, an open-ended one and a suffix', () => {
    expect(decideRange('bytes=0-9', size)).toEqual({ kind: 'partial', range: { start: 0, end: 9 } });
    expect(decideRange('bytes=990-', size)).toEqual({ kind: 'partial', range: { start: 990, end: 999 } });
    expect(decideRange('bytes=-10', size)).toEqual({ kind: 'partial', range: { start: 990, end: 999 } });
    expect(decideRange('Bytes = 5-5 ', size)).toEqual({ kind: 'partial', range: { start: 5, end: 5 } });
  });

  it('clamps a range or suffix that reaches past the document to it', () => {
    expect(decideRange('bytes=900-5000', size)).toEqual({ kind: 'partial', range: { start: 900, end: 999 } });
    expect(decideRange(`bytes=0-${'9'.repeat(400)}`, size)).toEqual({ kind: 'partial', range: { start: 0, end: 999 } });
    expect(decideRange('bytes=-5000', size)).toEqual({ kind: 'partial', range: { start: 0, end: 999 } });
  });

  it('finds unsatisfiable a range that starts past the document, a zero-byte suffix, any range of an empty one', () => {
    expect(decideRange('bytes=1000-', size)).toEqual({ kind: 'unsatisfiable' });
    expect(decideRange('bytes=1000-2000', size)).toEqual({ kind: 'unsatisfiable' });
    expect(decideRange(`bytes=${'9'.repeat(30)}-`, size)).toEqual({ kind: 'unsatisfiable' });
    expect(decideRange('bytes=-0', size)).toEqual({ kind: 'unsatisfiable' });
    expect(decideRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(decideRange('bytes=-1', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('ignores (the whole document) no header, a malformed one, another unit, last before first, several ranges', () => {
    for (const header of [undefined, '', 'bytes', 'bytes=', 'bytes=-', 'bytes=a-b', 'bytes=1-2-3', 'items=0-9', 'bytes=9-0', 'bytes=0-9,20-29', 'bytes=0-9, -5', 'bytes=+1-2']) {
      expect({ header, decision: decideRange(header, size) }).toEqual({ header, decision: { kind: 'whole' } });
    }
  });
});

describe('ifRangeAllows', () => {
  it('lets the range apply without If-Range', () => {
    expect(ifRangeAllows(undefined)).toBe(true);
  });

  it('never matches when the answer has no validator', () => {
    expect(ifRangeAllows('"abc"')).toBe(false);
    expect(ifRangeAllows('Thu, 03 Dec 2026 08:00:00 GMT')).toBe(false);
  });

  it('matches the same strong ETag or the same Last-Modified, never a weak tag', () => {
    expect(ifRangeAllows('"abc"', { etag: '"abc"' })).toBe(true);
    expect(ifRangeAllows('"abd"', { etag: '"abc"' })).toBe(false);
    expect(ifRangeAllows('W/"abc"', { etag: 'W/"abc"' })).toBe(false);
    expect(ifRangeAllows('"abc"', { etag: 'W/"abc"' })).toBe(false);
    const lastModified = 'Thu, 03 Dec 2026 08:00:00 GMT';
    expect(ifRangeAllows(lastModified, { lastModified })).toBe(true);
    expect(ifRangeAllows('Thu, 03 Dec 2026 08:00:01 GMT', { lastModified })).toBe(false);
  });
});

it('writes Content-Range for a part and for a 416', () => {
  expect(contentRange(1000, { start: 0, end: 9 })).toBe('bytes 0-9/1000');
  expect(contentRange(1000)).toBe('bytes */1000');
});
