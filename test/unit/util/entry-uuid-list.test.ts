// The entryUUIDs of an ObjectRef answer kept as the store's joined text: the same ids, in the same
// order, as the array they replace; written as the same ObjectRefs; and nothing but UUIDs let in,
// since what writes them does not escape them.
import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { EntryUuidList } from '../../../src/util/entry-uuid-list.js';
import { writeObjectRef, writeObjectRefs } from '../../../src/xds/ebrim/write.js';

describe('EntryUuidList', () => {
  const bare = Array.from({ length: 25 }, () => randomUUID());

  it('gives the ids as urn:uuid:…, in order, and writes the ObjectRefs the array of them writes', () => {
    const list = EntryUuidList.fromJoined(bare.join(','), bare.length);
    const urns = bare.map((u) => `urn:uuid:${u}`);
    expect(list.length).toBe(25);
    expect(list.toArray()).toEqual(urns);
    expect(writeObjectRefs(list)).toBe(writeObjectRefs(urns));
    expect(writeObjectRefs(list)).toBe(urns.map((id) => writeObjectRef(id)).join(''));
    const one = EntryUuidList.fromJoined(bare[0]!, 1);
    expect(one.toArray()).toEqual([urns[0]]);
    expect(writeObjectRefs(one)).toBe(writeObjectRef(urns[0]!));
  });

  it('none: an empty list, however the store wrote it', () => {
    for (const none of [EntryUuidList.empty, EntryUuidList.fromJoined('', 0), EntryUuidList.fromJoined(null, 0)]) {
      expect(none.length).toBe(0);
      expect(none.toArray()).toEqual([]);
      expect(writeObjectRefs(none)).toBe('');
    }
  });

  it('refuses a text that is not that many pieces of a UUID\'s length joined by commas, or that holds what an attribute must escape', () => {
    const two = `${bare[0]},${bare[1]}`;
    expect(() => EntryUuidList.fromJoined(two, 1)).toThrow();
    expect(() => EntryUuidList.fromJoined(two, 3)).toThrow();
    expect(() => EntryUuidList.fromJoined(bare[0]!, 0)).toThrow();
    expect(() => EntryUuidList.fromJoined(null, 1)).toThrow();
    // the right length, with a character an attribute would need escaped
    expect(() => EntryUuidList.fromJoined(`${bare[0]!.slice(0, 35)}"`, 1)).toThrow();
    expect(() => EntryUuidList.fromJoined(`${bare[0]!.slice(0, 35)}<`, 1)).toThrow();
    expect(() => EntryUuidList.fromJoined(`${bare[0]!.slice(0, 35)}&`, 1)).toThrow();
    for (const c of ['>', '\r', '\n', '\t']) expect(() => EntryUuidList.fromJoined(`${bare[0]},${bare[1]!.slice(0, 17)}${c}${bare[1]!.slice(18)}`, 2)).toThrow();
    // the right length, a comma one place off: not pieces of 36 characters
    expect(() => EntryUuidList.fromJoined(`${bare[0]!.slice(0, 35)},a${bare[1]}`, 2)).toThrow();
    // the right length and the commas in their places, one more inside a piece: more ids than said
    expect(() => EntryUuidList.fromJoined(`${bare[0]!.slice(0, 10)},${bare[0]!.slice(11)}`, 1)).toThrow();
    expect(() => EntryUuidList.fromJoined(`${bare[0]},${bare[1]!.slice(0, 20)},${bare[1]!.slice(21)}`, 2)).toThrow();
  });

  it('writes 1,000 ids as the ObjectRefs of the array of them, in order', () => {
    const many = Array.from({ length: 1000 }, () => randomUUID());
    expect(writeObjectRefs(EntryUuidList.fromJoined(many.join(','), many.length))).toBe(many.map((u) => writeObjectRef(`urn:uuid:${u}`)).join(''));
  });

  it('writes what it is given around each id as it is, `$` included (not read as a part of the match)', () => {
    const list = EntryUuidList.fromJoined(`${bare[0]},${bare[1]}`, 2);
    expect(list.wrapEach('<x a="$&$1$$">', "$'")).toBe(`<x a="$&$1$$">urn:uuid:${bare[0]}$'<x a="$&$1$$">urn:uuid:${bare[1]}$'`);
  });
});
