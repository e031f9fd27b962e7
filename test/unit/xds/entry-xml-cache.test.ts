// The cache of ExtrinsicObjects by row version: a hit is the XML the entry would give, a new row
// version is written anew, and the cache stays within its bound, least recently used out first.
import { describe, expect, it } from '@jest/globals';
import type { StoredDocumentEntry } from '../../../src/domain/model.js';
import type { StreamedEntry } from '../../../src/services/documents.js';
import { EntryXmlCache } from '../../../src/xds/door/entry-xml-cache.js';
import { writeDocumentEntry } from '../../../src/xds/ebrim/write.js';
import { entryMetadata, newIns } from '../../support/world.js';

function stored(n: number, status: 'Approved' | 'Deprecated' = 'Approved'): StoredDocumentEntry {
  const id = `urn:uuid:00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  return {
    ...entryMetadata(newIns()),
    entryUuid: id,
    logicalId: id,
    version: 1,
    availabilityStatus: status,
    latest: true,
    patientKey: 'p',
    submittedBy: null,
    submittedByStructure: null,
    authoredByPatient: false,
    submissionSetUuid: id,
    storedAt: '2026-01-01T00:00:00.000Z',
    contentKey: null,
  } as StoredDocumentEntry;
}

/** An entry of a streamed search, counting how often it is converted. */
function streamed(entry: StoredDocumentEntry, xmin: number, made: { n: number }): StreamedEntry {
  return {
    rowVersion: `${entry.entryUuid.slice(9)}:${xmin}`,
    entry: () => {
      made.n++;
      return entry;
    },
  };
}

describe('EntryXmlCache', () => {
  it('answers the XML the entry gives, converting a row version once', () => {
    const cache = new EntryXmlCache();
    const made = { n: 0 };
    const e = stored(1);
    expect(cache.xmlOf(streamed(e, 10, made))).toBe(writeDocumentEntry(e));
    expect(cache.xmlOf(streamed(e, 10, made))).toBe(writeDocumentEntry(e));
    expect(made.n).toBe(1);
  });

  it('a new version of the row (another xmin) is written anew, never answered from the old one', () => {
    const cache = new EntryXmlCache();
    const made = { n: 0 };
    cache.xmlOf(streamed(stored(1), 10, made));
    const changed = stored(1, 'Deprecated');
    expect(cache.xmlOf(streamed(changed, 11, made))).toBe(writeDocumentEntry(changed));
    expect(made.n).toBe(2);
  });

  it('stays within its bound in characters, dropping the least recently used first', () => {
    const one = writeDocumentEntry(stored(1)).length + `${stored(1).entryUuid.slice(9)}:1`.length;
    const cache = new EntryXmlCache(Math.floor(one * 2.5));
    const made = { n: 0 };
    cache.xmlOf(streamed(stored(1), 1, made));
    cache.xmlOf(streamed(stored(2), 1, made));
    cache.xmlOf(streamed(stored(1), 1, made)); // 1 is now the most recently used
    cache.xmlOf(streamed(stored(3), 1, made)); // 2 goes
    expect(cache.size).toBe(2);
    made.n = 0;
    cache.xmlOf(streamed(stored(1), 1, made));
    cache.xmlOf(streamed(stored(3), 1, made));
    expect(made.n).toBe(0);
    cache.xmlOf(streamed(stored(2), 1, made));
    expect(made.n).toBe(1);
  });
});
