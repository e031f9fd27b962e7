// A search's lists of codes as SQL whose text does not depend on the list: the codes travel as
// one or two array parameters, whatever their number, and groups of codes (an AND of ORs: XDS's
// $XDSDocumentEntryEventCodeList slots, a FHIR parameter repeated) as one JSON parameter, however
// many groups. Written one placeholder per code (and one clause per group), a caller made a new
// statement text per request by the length of a list, the codes given with or without a system,
// or the number of groups: each text kept prepared on a connection pushed out another (Carnet's
// own, kept-statements.ts keeps 500 a connection), so one caller could keep every request of
// the others planned anew.
import type { SqlParams } from './sql-params.js';

/** A code, with or without its system (a code without one matches it under any system). */
export interface Code {
  code: string;
  system?: string;
}

/**
 * True when `column` holds one of `codes`; for a code given with a system, only when
 * `systemSql` (the row's system of that code) is that system too. Four texts in all: one code
 * (with or without its system) as a plain comparison, the search's most common form, planned as
 * it always was; several codes without any system; several, some with one. `column = ANY(…)`
 * stays in the latter two, the index condition a (patient_key, code) index can take.
 *
 * The systems are checked by expressions of the row alone (a code without a system in a list of
 * codes, a code with its system as a pair in a JSON list), never by a subquery over the list: an
 * EXISTS over `unnest(…)` was pulled up by PostgreSQL into a semi-join with the document scan, and
 * a page whose rows came out of a join could no longer be read in its index's order and stop at
 * its 20th row: a record's every matching document was read and sorted (a FHIR category of two
 * codes on a record of 1,000: 8 ms instead of 1.3).
 */
export function codeInListSql(p: Pick<SqlParams, 'add'>, column: string, systemSql: string, codes: readonly Code[]): string {
  if (!codes.length) return 'false';
  if (codes.length === 1) {
    const [c] = codes as [Code];
    return c.system ? `(${column} = ${p.add(c.code)} AND ${systemSql} = ${p.add(c.system)})` : `${column} = ${p.add(c.code)}`;
  }
  const names = p.add(codes.map((c) => c.code));
  if (!codes.some((c) => c.system)) return `${column} = ANY(${names}::text[])`;
  const anySystem = p.add(codes.filter((c) => !c.system).map((c) => c.code));
  const pairs = p.add(JSON.stringify(codes.filter((c) => c.system).map((c) => ({ code: c.code, system: c.system }))));
  return `(${column} = ANY(${names}::text[]) AND (${column} = ANY(${anySystem}::text[])
    OR ${pairs}::jsonb @> jsonb_build_array(jsonb_build_object('code', ${column}, 'system', ${systemSql}))))`;
}

/**
 * Groups written one clause each up to this many (one array parameter per group: a text per
 * number of groups, so at most this many texts plus one). A clause per group is a filter of the
 * row, planned as the searches always were; the JSON form past it is an anti-join PostgreSQL
 * estimates at one row, which made a record's page read its index row by row (event codes in two
 * groups on a record of 1,000: 3.5 ms against 1.4, and an ITI-18 LeafClass page 12 ms against
 * 5.3; docs/PERFORMANCE.md). Searches name one or two groups; more stay correct, if slower.
 */
const GROUP_CLAUSES_MAX = 4;

/**
 * True when every group has a member the tests admit, AND across the groups, OR within; an empty
 * group admits nothing, as an OR of nothing. `groupTest` writes one group's test from its members
 * (added as parameters, whatever their number: one text per number of groups); past
 * GROUP_CLAUSES_MAX groups, `memberTest` reads each member as a jsonb value under the name it is
 * given, all the groups in one JSON parameter.
 */
export function everyGroupSql<T>(
  p: Pick<SqlParams, 'add'>,
  groups: readonly (readonly T[])[],
  groupTest: (members: readonly T[]) => string,
  memberTest: (member: string) => string,
): string {
  if (groups.length <= GROUP_CLAUSES_MAX) return groups.length ? `(${groups.map(groupTest).join(' AND ')})` : 'true';
  const all = p.add(JSON.stringify(groups));
  return `NOT EXISTS (SELECT 1 FROM jsonb_array_elements(${all}::jsonb) g(grp)
    WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(g.grp) m(v) WHERE ${memberTest('m.v')}))`;
}

/** Members as one jsonb[] parameter, each `[member]`: `list @> ANY(…)` holds when the list holds one of them. */
export function containedAnyOf(p: Pick<SqlParams, 'add'>, members: readonly unknown[]): string {
  return `${p.add(members.map((m) => JSON.stringify([m])))}::jsonb[]`;
}

/** A code as the JSON a metadata list holds it (`{code}` or `{code, system}`), for `@>`. */
export function codeJson(c: Code): Code {
  return c.system ? { code: c.code, system: c.system } : { code: c.code };
}
