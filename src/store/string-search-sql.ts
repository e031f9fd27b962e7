// FHIR R4 string search in SQL, the same folding as src/domain/string-search.ts so that a
// search stays one statement with its access filter, page and count (ACC-08): decompose,
// drop the same combining marks, lower-case.
// Plain SQL functions both stores have (PGlite has no unaccent extension).
import { COMBINING_MARK_CLASS, exactForSearch, unmarkForSearch, type StringCriterion } from '../domain/string-search.js';

type Add = (value: unknown) => string;

/** A LIKE pattern's own characters, escaped (backslash is LIKE's default escape). */
export function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * `expr` folded as string search compares it. The marks' pattern is written in the text, the
 * code's own constant (no quote in it): an index on the folded form (migration 0093, the
 * directory's family names) serves only a query holding the same expression.
 */
export function foldedSql(expr: string): string {
  return `lower(regexp_replace(normalize(${expr}, NFD), '${COMBINING_MARK_CLASS}', '', 'g'))`;
}

// The value is lower-cased by the same lower() as the column, not by JavaScript: under a database
// locale whose lower() changes ASCII letters only (C), JavaScript's lower-casing of "Ø" would
// match no stored name, even one typed exactly as stored.

/** No modifier: `expr` starts with `value`, case and accents ignored. */
export function startsWithSql(add: Add, expr: string, value: string): string {
  return startsWithFoldedSql(add, foldedSql(expr), value);
}

/**
 * The same, on a copy already folded when it was stored (foldedNamesSql): a search then folds
 * the value once, not every name of every row it reads.
 */
export function startsWithFoldedSql(add: Add, folded: string, value: string): string {
  return `${folded} LIKE lower(${add(`${likeEscape(unmarkForSearch(value))}%`)})`;
}

/**
 * A list of names (a text[] expression) folded one by one, in their order (the first one sorts a
 * record's documents by author), the empty ones left out: what a row stores for
 * startsWithFoldedSql to read.
 */
export function foldedNamesSql(names: string): string {
  return `ARRAY(SELECT ${foldedSql('n')} FROM unnest(${names}) WITH ORDINALITY AS u(n, o) WHERE n <> '' ORDER BY o)`;
}

/** `:contains`: `value` anywhere in `expr`, case and accents ignored. */
export function containsSql(add: Add, expr: string, value: string): string {
  return `${foldedSql(expr)} LIKE lower(${add(`%${likeEscape(unmarkForSearch(value))}%`)})`;
}

/** `:exact`: the whole of `expr`, case and accents kept, either Unicode form. */
export function exactSql(add: Add, expr: string, value: string): string {
  return `normalize(${expr}, NFC) = ${add(exactForSearch(value))}`;
}

/** One criterion (no modifier, `:contains` or `:exact`) on `expr`. */
export function stringCriterionSql(add: Add, expr: string, c: StringCriterion): string {
  return c.match === 'exact' ? exactSql(add, expr, c.value) : c.match === 'contains' ? containsSql(add, expr, c.value) : startsWithSql(add, expr, c.value);
}
