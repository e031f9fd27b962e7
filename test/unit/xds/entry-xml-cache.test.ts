// The cache of ExtrinsicObjects by row version: a hit is the XML the entry would give, a new row
// version is written anew, and the cache stays within its bound, least recently used out first.
import { describe, expect, it } from '@jest/globals';
import type { StoredDocumentEntry } from '../../../src/domain/model.js';
import type { StreamedEntry } from '../../../src/services/documents.js';
import { EntryXmlCache } from '../../../src/xds/door/entry-xml-cache.js';
import { writeDocumentEntry } from '../../../src/xds/ebrim/write.js';
import { entryMetadata, newIns } from '../../support/world.js';
import { knownVersionsParam } from '../../../src/store/known-versions.js';

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

/** An entry of a streamed search at row version `xmin`, counting how often it is converted; unread when `read` is false. */
function streamed(entry: StoredDocumentEntry, xmin: number, made: { n: number }, read = true): StreamedEntry {
  return {
    entryUuid: entry.entryUuid.slice(9),
    rowVersion: String(xmin),
    entry: read
      ? () => {
          made.n++;
          return entry;
        }
      : null,
  };
}

describe('EntryXmlCache', () => {
  it('answers the XML the entry gives, converting a row version once, and tells the search which versions it holds', () => {
    const cache = new EntryXmlCache();
    const made = { n: 0 };
    const e = stored(1);
    expect(cache.reader('p').known).toEqual([]);
    expect(cache.reader('p').xmlOf(streamed(e, 10, made)).toString('utf8')).toBe(writeDocumentEntry(e));
    const again = cache.reader('p');
    expect(again.known).toEqual([`${e.entryUuid.slice(9)}:10`]);
    // the search sends a known version unread
    expect(again.xmlOf(streamed(e, 10, made, false)).toString('utf8')).toBe(writeDocumentEntry(e));
    expect(made.n).toBe(1);
    // held per record: another record's reader knows nothing of it
    expect(cache.reader('q').known).toEqual([]);
  });

  it('a new version of the row (another xmin) is written anew and replaces the old one', () => {
    const cache = new EntryXmlCache();
    const made = { n: 0 };
    cache.reader('p').xmlOf(streamed(stored(1), 10, made));
    const changed = stored(1, 'Deprecated');
    expect(cache.reader('p').xmlOf(streamed(changed, 11, made)).toString('utf8')).toBe(writeDocumentEntry(changed));
    expect(made.n).toBe(2);
    expect(cache.reader('p').known).toEqual([`${changed.entryUuid.slice(9)}:11`]);
    // an entry sent unread at a version not held is an error, never another version's XML
    expect(() => cache.reader('p').xmlOf(streamed(changed, 12, made, false))).toThrow();
  });

  it('stays within its bound in bytes, dropping the least recently read record first; a reader keeps what it was told of', () => {
    const one = Buffer.byteLength(writeDocumentEntry(stored(1)));
    const cache = new EntryXmlCache(Math.floor(one * 2.5));
    const made = { n: 0 };
    const p = cache.reader('p');
    p.xmlOf(streamed(stored(1), 1, made));
    cache.reader('q').xmlOf(streamed(stored(2), 1, made));
    const pinned = cache.reader('p'); // p is now the most recently read
    cache.reader('r').xmlOf(streamed(stored(3), 1, made)); // q goes
    expect(cache.size).toBe(2);
    expect(cache.reader('q').known).toEqual([]);
    expect(cache.reader('p').known).toHaveLength(1);
    cache.reader('s').xmlOf(streamed(stored(4), 1, made));
    cache.reader('t').xmlOf(streamed(stored(5), 1, made)); // p goes too
    expect(cache.reader('p').known).toEqual([]);
    made.n = 0;
    expect(pinned.xmlOf(streamed(stored(1), 1, made, false)).length).toBeGreaterThan(0);
  });

  it('readers of an unchanged record share one known list; a change gives the next reader a new one and leaves the earlier reader its own', () => {
    const cache = new EntryXmlCache();
    const made = { n: 0 };
    const v1 = stored(1);
    cache.reader('p').xmlOf(streamed(v1, 1, made));
    const first = cache.reader('p');
    expect(cache.reader('p').known).toBe(first.known);
    expect(Object.isFrozen(first.known)).toBe(true);
    cache.reader('p').xmlOf(streamed(stored(1, 'Deprecated'), 2, made));
    const next = cache.reader('p');
    expect(next.known).not.toBe(first.known);
    expect(next.known).toEqual([`${stored(1).entryUuid.slice(9)}:2`]);
    // the earlier reader was told of version 1: it still has that version's XML, not version 2's
    expect(first.known).toEqual([`${stored(1).entryUuid.slice(9)}:1`]);
    made.n = 0;
    expect(first.xmlOf(streamed(v1, 1, made, false)).toString('utf8')).toBe(writeDocumentEntry(v1));
    expect(made.n).toBe(0);
  });
});

describe('EntryXmlCache pages', () => {
  it('a page read again in the order it was first read comes as one buffer, of the same bytes; any other order too, piece by piece', () => {
    const cache = new EntryXmlCache();
    const made = { n: 0 };
    const entries = [1, 2, 3, 4].map((n) => stored(n));
    const first = cache.reader('p');
    const whole = Buffer.concat(entries.map((e) => first.xmlOf(streamed(e, 1, made))));
    const again = cache.reader('p');
    const page = again.pageOf(entries.map((e) => streamed(e, 1, made, false)));
    expect(page).toHaveLength(1);
    expect(page[0]!.equals(whole)).toBe(true);
    // another order (or a filtered answer): the same XML, in its order
    const other = [entries[2]!, entries[0]!, entries[1]!];
    const pieces = again.pageOf(other.map((e) => streamed(e, 1, made, false)));
    expect(Buffer.concat(pieces).toString('utf8')).toBe(other.map((e) => writeDocumentEntry(e)).join(''));
    expect(made.n).toBe(4);
  });
});

describe('knownVersionsParam', () => {
  it('sends a frozen list of plain versions as one array literal, made once; anything else as the list itself', () => {
    const known = Object.freeze(['00000000-0000-4000-8000-000000000001:10', '00000000-0000-4000-8000-000000000002:11']);
    const literal = knownVersionsParam(known);
    expect(literal).toBe('{00000000-0000-4000-8000-000000000001:10,00000000-0000-4000-8000-000000000002:11}');
    expect(knownVersionsParam(known)).toBe(literal);
    expect(knownVersionsParam(Object.freeze([]))).toBe('{}');
    // an element an array literal would have to quote travels as the list, escaped by the driver
    const odd = ['a,b:1', 'x"y:2'];
    expect(knownVersionsParam(odd)).toBe(odd);
  });
});
