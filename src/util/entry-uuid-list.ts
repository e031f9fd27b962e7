// The entryUUIDs of an answer (ITI-18 FindDocuments as ObjectRef: up to thousands of them), held
// as the store reads them — one text of bare UUIDs joined by commas — rather than as an array of
// `urn:uuid:` strings. The XDS door writes its ObjectRefs with one replace over that text: for
// 1,000 ids ~25 µs, where splitting it into 1,000 strings and joining them back into XML cost
// ~130 µs and their garbage (docs/PERFORMANCE.md, issue 13). Shared by the store, which makes it,
// the services, which pass it on, and the door, which writes it.

import { needsAttrEscaping } from '../xml/index.js';

/** A UUID's text as PostgreSQL writes it: 36 characters. */
const UUID_CHARS = 36;

export class EntryUuidList {
  static readonly empty = new EntryUuidList('', 0);

  private constructor(
    /** bare UUIDs joined by commas ('' when none) */
    private readonly bare: string,
    readonly length: number,
  ) {}

  /**
   * From `count` bare UUIDs joined by commas (the store's `entry_uuid::text`). Checked once, here:
   * `count` pieces of 36 characters with a comma between each two, and nothing an attribute would
   * need escaped, so that what writes them needs no escaping. Anything else is a programming
   * error, thrown.
   */
  static fromJoined(bare: string | null, count: number): EntryUuidList {
    if (!count) {
      if (bare) throw new Error('EntryUuidList: ids given with a count of 0');
      return EntryUuidList.empty;
    }
    const bad = () => new Error(`EntryUuidList: not ${count} UUIDs joined by commas`);
    // Tested for what an attribute must escape rather than scanned for hex digits: that class
    // scan cost the server ~8% of an ObjectRef request's CPU under load (its profile); and a
    // character at a time rather than by the regular expression's class (escape.ts).
    if (bare === null || bare.length !== count * (UUID_CHARS + 1) - 1 || needsAttrEscaping(bare)) throw bad();
    // every comma, and only commas, between pieces of 36 characters: one inside a piece would
    // make more ids than `count`
    let next = UUID_CHARS;
    for (let at = bare.indexOf(','); at !== -1; at = bare.indexOf(',', at + 1)) {
      if (at !== next) throw bad();
      next += UUID_CHARS + 1;
    }
    if (next !== bare.length) throw bad();
    return new EntryUuidList(bare, count);
  }

  /** The ids as `urn:uuid:…`, in order. */
  toArray(): string[] {
    return this.length ? `urn:uuid:${this.bare.replaceAll(',', ',urn:uuid:')}`.split(',') : [];
  }

  /**
   * Each id as `urn:uuid:…` between `before` and `after`, all of them joined, in order ('' when
   * none). The ids are taken at the places fromJoined checked (36 characters, a comma), appended
   * one by one: ~35 µs for 1,000 where one replace of the commas took ~50 (in process, the text
   * flattened as its sending does).
   */
  wrapEach(before: string, after: string): string {
    const open = `${before}urn:uuid:`;
    const between = `${after}${open}`;
    const bare = this.bare;
    let out = '';
    for (let at = 0; at < bare.length; at += UUID_CHARS + 1) {
      out += at === 0 ? open : between;
      out += bare.slice(at, at + UUID_CHARS);
    }
    return this.length ? out + after : '';
  }
}
