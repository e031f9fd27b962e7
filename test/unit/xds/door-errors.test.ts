// The door's error codes for metadata problems that depend on the transaction, and the
// register-only requirements they come from.
import { describe, expect, it } from '@jest/globals';
import { documentEntryProblems, registeredElsewhereProblems } from '../../../src/domain/entry-requirements.js';
import type { RequestFacts } from '../../../src/http/request-facts.js';
import { errorsFor } from '../../../src/xds/door/errors.js';
import { entryMetadata } from '../../support/world.js';

const ins = { system: '1.2.250.1.213.1.4.8', value: '1234567890123' };

describe('XDS door error codes', () => {
  it('DOC-03: a malformed hash is the repository\'s error in ITI-41 and the registry\'s in ITI-42', () => {
    const problems = documentEntryProblems('Document01', { ...entryMetadata(ins), hash: '123e2' });
    expect(problems).toHaveLength(1);
    expect(errorsFor(problems[0], 'ITI-41', undefined).map((e) => e.errorCode)).toEqual(['XDSRepositoryMetadataError']);
    expect(errorsFor(problems[0], 'ITI-42', undefined).map((e) => e.errorCode)).toEqual(['XDSRegistryMetadataError']);
  });

  it('a stable document registered from elsewhere (ITI-42, ITI-57) needs repositoryUniqueId, hash and size; on-demand does not', () => {
    const m = { ...entryMetadata(ins), repositoryUniqueId: undefined, hash: undefined, size: undefined };
    expect(registeredElsewhereProblems('D', m).map((p) => p.message)).toEqual([
      expect.stringContaining('repositoryUniqueId'),
      expect.stringContaining('hash'),
      expect.stringContaining('size'),
    ]);
    expect(registeredElsewhereProblems('D', { ...m, objectType: 'on-demand' })).toEqual([]);
    expect(registeredElsewhereProblems('D', { ...m, repositoryUniqueId: '1.2.3', hash: 'da39a3ee5e6b4b0d3255bfef95601890afd80709', size: 0 })).toEqual([]);
  });

  it("the error is noted on the request's own record for its log line, the first one only; an unexpected one too", () => {
    const problems = documentEntryProblems('Document01', { ...entryMetadata(ins), hash: '123e2' });
    const facts: RequestFacts = {};
    errorsFor(problems[0], 'ITI-42', facts);
    expect(facts.error).toEqual({ error: problems[0]!.code, ...(problems[0]!.reason ? { reason: problems[0]!.reason } : {}) });
    const unexpected = new Error('boom');
    errorsFor(unexpected, 'ITI-42', facts);
    expect(facts.error).toEqual({ error: problems[0]!.code, ...(problems[0]!.reason ? { reason: problems[0]!.reason } : {}) });
    expect(facts.unexpected).toBe(unexpected);
    // another request's record is not touched
    const other: RequestFacts = {};
    errorsFor(unexpected, 'ITI-18', other);
    expect(other).toEqual({ error: { error: 'internal' }, unexpected });
  });
});
