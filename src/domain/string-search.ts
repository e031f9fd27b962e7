// FHIR R4 string search (search.html#string): a value matches a name when the name starts with
// it, once both have lost their case and their accents. One folding for every string search,
// whether it runs here (ITI-66 source.given/family, on the sets it judges) or in SQL (the same
// steps, written by src/store/string-search-sql.ts): decompose (NFD, so that an "é" typed as
// one character or as "e" plus an accent is the same), drop the combining marks, lower-case.

/**
 * The combining marks dropped: the blocks of diacritics (U+0300–036F and their supplements,
 * those for symbols and the half marks). Listed rather than \p{M} so that SQL drops exactly the
 * same characters as this side.
 */
const MARK_RANGES: Array<[number, number]> = [
  [0x0300, 0x036f],
  [0x1ab0, 0x1aff],
  [0x1dc0, 0x1dff],
  [0x20d0, 0x20ff],
  [0xfe20, 0xfe2f],
];

/**
 * One dropped mark, as a bracket expression both JavaScript and PostgreSQL read alike (the
 * characters themselves, a dash between the ends of each block). SQL's regexp_replace() with it
 * costs under a microsecond a name; translate() over the same 320 characters cost fifteen.
 */
export const COMBINING_MARK_CLASS = `[${MARK_RANGES.map(([a, b]) => `${String.fromCodePoint(a)}-${String.fromCodePoint(b)}`).join('')}]`;

const MARK = new RegExp(COMBINING_MARK_CLASS, 'gu');

/** A text without its accents, in one Unicode form: foldForSearch before its lower-casing. */
export function unmarkForSearch(text: string): string {
  return text.normalize('NFD').replace(MARK, '');
}

/** A text as string search compares it: no case, no accents, one Unicode form. */
export function foldForSearch(text: string): string {
  return unmarkForSearch(text).toLowerCase();
}

/** `:exact`: the same characters, case and accents kept, whichever Unicode form each was written in. */
export function exactForSearch(text: string): string {
  return text.normalize('NFC');
}

/**
 * One string search criterion as FHIR R4 reads it: without modifier the start of the text, with
 * `:contains` anywhere in it (both case and accents ignored), with `:exact` the whole text as written.
 */
export interface StringCriterion {
  value: string;
  match: 'start' | 'contains' | 'exact';
}

/**
 * R4 string search without modifier: whether a text starts with `start`, case and accents
 * ignored. One value is tested against many texts (ITI-66: every author of every set judged): it
 * is folded once, not once for each text.
 */
export function startsWithFoldedMatcher(start: string): (text: string | undefined) => boolean {
  const folded = foldForSearch(start);
  return (text) => text !== undefined && foldForSearch(text).startsWith(folded);
}
