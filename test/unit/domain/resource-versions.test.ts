// If-Match as RFC 9110 §13.1.1 writes it and FHIR R4 (http.html#concurrency) uses it, and the
// version a change in place leaves (domain/resource-versions.ts).
import { describe, expect, it } from '@jest/globals';
import { checkIfMatch, documentVersion, grantVersion, parseIfMatch, versionOf } from '../../../src/domain/resource-versions.js';

describe('resource versions', () => {
  it('RFC 9110 §13.1.1 If-Match: * or a list of entity-tags, weak or strong; anything else is the request\'s fault (invalid_metadata, 400)', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(parseIfMatch('*')).toEqual({ any: true });
    expect(parseIfMatch('W/"3"')).toEqual({ any: false, versionIds: ['3'] });
    expect(parseIfMatch(' "3" , W/"1.2",')).toEqual({ any: false, versionIds: ['3', '1.2'] });
    expect(parseIfMatch(['W/"1"', 'W/"2"'])).toEqual({ any: false, versionIds: ['1', '2'] });
    for (const bad of ['', '3', 'W/3', 'w/"3"', '"3', '"a b"', '"a"b', '*, "1"', ' , ']) {
      expect(() => parseIfMatch(bad)).toThrow(expect.objectContaining({ code: 'invalid_metadata', location: 'If-Match' }));
    }
  });

  it('R4 http.html#concurrency: a version If-Match does not name is precondition_failed (412); W/"n" and "n" both name version n', () => {
    const current = { versionId: '2', lastUpdated: '2026-01-01T00:00:00.000Z' };
    expect(() => checkIfMatch(undefined, current)).not.toThrow();
    expect(() => checkIfMatch(parseIfMatch('*'), current)).not.toThrow();
    expect(() => checkIfMatch(parseIfMatch('"2"'), current)).not.toThrow();
    expect(() => checkIfMatch(parseIfMatch('W/"1", W/"2"'), current)).not.toThrow();
    expect(() => checkIfMatch(parseIfMatch('W/"1"'), current)).toThrow(expect.objectContaining({ code: 'precondition_failed' }));
    expect(() => checkIfMatch(parseIfMatch('W/"2.0"'), current)).toThrow(expect.objectContaining({ code: 'precondition_failed' }));
    // a resource that keeps no version has no tag to match: only * does (RFC 9110 §13.1.1)
    expect(() => checkIfMatch(parseIfMatch('*'), null)).not.toThrow();
    expect(() => checkIfMatch(parseIfMatch('W/"1"'), null)).toThrow(expect.objectContaining({ code: 'precondition_failed' }));
  });

  it('R4 resource.html#Meta: version 1 at creation until a change is counted; an authorisation is 2 once revoked; a document adds its status changes', () => {
    const created = new Date('2026-01-01T10:00:00Z');
    expect(versionOf(undefined, created)).toEqual({ versionId: '1', lastUpdated: '2026-01-01T10:00:00.000Z' });
    expect(versionOf({ version: 4, updatedAt: new Date('2026-02-01T10:00:00Z') }, created)).toEqual({ versionId: '4', lastUpdated: '2026-02-01T10:00:00.000Z' });
    expect(grantVersion({ created_at: created, revoked_at: null }).versionId).toBe('1');
    expect(grantVersion({ created_at: created, revoked_at: new Date('2026-03-01T00:00:00Z') })).toEqual({ versionId: '2', lastUpdated: '2026-03-01T00:00:00.000Z' });
    expect(documentVersion({ version: 2, storedAt: '2026-01-01T10:00:00Z' })).toEqual({ versionId: '2', lastUpdated: '2026-01-01T10:00:00.000Z' });
    expect(documentVersion({ version: 2, statusChanges: 3, statusChangedAt: '2026-04-01T10:00:00Z', storedAt: '2026-01-01T10:00:00Z' })).toEqual({ versionId: '2.3', lastUpdated: '2026-04-01T10:00:00.000Z' });
  });
});
