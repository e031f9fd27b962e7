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
 * True when every group has a member `memberTest` admits; `memberTest` reads the member as a
 * jsonb value under the name it is given. An empty group admits nothing, as an OR of nothing.
 */
export function everyGroupSql(p: Pick<SqlParams, 'add'>, groups: readonly (readonly unknown[])[], memberTest: (member: string) => string): string {
  const all = p.add(JSON.stringify(groups));
  return `NOT EXISTS (SELECT 1 FROM jsonb_array_elements(${all}::jsonb) g(grp)
    WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(g.grp) m(v) WHERE ${memberTest('m.v')}))`;
}

/** A code as the JSON a metadata list holds it (`{code}` or `{code, system}`), for `@>`. */
export function codeJson(c: Code): Code {
  return c.system ? { code: c.code, system: c.system } : { code: c.code };
}
