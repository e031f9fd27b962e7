// The SQL twin of the domain's visibility rule (ACC-08, ACC-09): the same VisibilityFilter that
// the pure `filterAllows` reads becomes a WHERE clause over document_entry, so searches, totals,
// paging, relations and history entries count only what the actor may see. A version passes when
// the filter admits it, the latest version of its document, and its lineage's current member
// (lineage.ts says which member that is; `currentMemberSql` is its twin). Columns used:
// type_code, confidentiality, author_ids, authored_by_patient, status, and for the lineage
// logical_id, is_latest, lineage_id, lineage_generation, lineage_shared (migration 0010).
// Property tests check both agree.
import { RELATED_OBJECT_KEYS, type HistoryReader } from '../domain/history-visibility.js';
import type { VisibilityFilter } from '../domain/visibility.js';
import type { SqlParams } from './sql-params.js';

type SomeFilter = Extract<VisibilityFilter, { kind: 'some' }>;

/** The filter's values as parameters, added once and read by each member the rule looks at. */
interface FilterParams {
  types?: string;
  hidden?: string;
  exempt?: string;
  statuses?: string;
}

/**
 * How the filter is written: `constantLists`, the allowed types and the excluded statuses as
 * constants in the statement's text (constantList) rather than parameters.
 */
export interface VisibilitySqlOptions {
  constantLists?: boolean;
}

/** A code written into a statement's text as it is: letters, digits and `.`, `_`, `:`, `-` only. */
const PLAIN_CODE = /^[A-Za-z0-9._:-]+$/;

/**
 * A list of the reader's filter as a constant array in the statement's text, or undefined when
 * one of its codes is not plain (then it goes as a parameter, as in every other statement). Why:
 * a kept statement runs its generic plan, where a parameter's array is walked for every row,
 * while PostgreSQL tests `= ANY(constant)` of 9 elements or more by a hash table built once per
 * execution. On a record of 1,000 documents whose types stood late in a reader's list of 101,
 * ITI-18's ids cost PostgreSQL 2.7 ms against 1.3 ms with the types' constant; the two excluded
 * statuses as a parameter cost ~0.3–0.5 ms of the ~1.2–1.4 ms the ids' select costs, as a
 * constant ~0.05 (docs/PERFORMANCE.md, issue 13). These lists come from the access matrix
 * (profiles) and the domain's rule, never from a request, and make one text per role: a few more
 * statements to keep per connection. The reader's own ids (the exempt authors) stay parameters.
 */
export function constantList(codes: readonly string[]): string | undefined {
  // A reader's lists are made afresh for each request (visibility.ts) but are few (one per role):
  // each one's text is made and checked once, then found by its codes (joined by NUL: one list's
  // key only when no code holds a NUL, never so for a plain one).
  const make = () => (!codes.length || !codes.every((c) => PLAIN_CODE.test(c)) ? undefined : `ARRAY[${codes.map((c) => `'${c}'`).join(',')}]`);
  if (codes.some((c) => c.includes('\u0000'))) return make();
  const key = codes.join('\u0000');
  if (madeLists.has(key)) return madeLists.get(key);
  const made = make();
  // bounded: past MADE_LISTS_MAX lists, everything is forgotten (each is then made once more)
  if (madeLists.size >= MADE_LISTS_MAX) madeLists.clear();
  madeLists.set(key, made);
  return made;
}

/** constantList's texts by list. */
const madeLists = new Map<string, string | undefined>();
const MADE_LISTS_MAX = 1000;

function filterParams(filter: SomeFilter, params: SqlParams, options: VisibilitySqlOptions = {}): FilterParams {
  const list = (codes: readonly string[]) => (options.constantLists ? constantList(codes) : undefined) ?? params.add(codes);
  return {
    ...(filter.allowedTypeCodes !== null ? { types: list(filter.allowedTypeCodes) } : {}),
    ...(filter.hiddenCodes.length ? { hidden: params.add(filter.hiddenCodes) } : {}),
    ...(filter.hiddenCodes.length && filter.hiddenExemptAuthorIds.length ? { exempt: params.add(filter.hiddenExemptAuthorIds) } : {}),
    ...(filter.excludedStatuses.length ? { statuses: list(filter.excludedStatuses) } : {}),
  };
}

/**
 * Longest list of allowed types left to the planner as an index condition. A short list (a role
 * that reads 3–27 types) picks out a few of a record's documents, and one descent of
 * (patient_key, type_code) per code is the cheap way to them. A long list (roles that read 42–101
 * types, and every holder) admits nearly all of a record: one descent per code then costs more
 * than it skips — a nurse's total on 1,000 documents read 184 index buffers instead of 3 on a store
 * of 100,000 documents, the plan the planner took from 100,000 documents up (docs/PERFORMANCE.md,
 * issue 13). The default matrix (profiles/matrix.json) has no list of 28 to 41 codes.
 */
const INDEXED_TYPE_LIST_MAX = 32;

/**
 * The allowed-types test. For a long list it is written `(…) IS TRUE`: the same truth (type_code
 * is NOT NULL and the list holds no null, so the test is never unknown), but no index condition,
 * so the planner checks it on the record's own rows.
 */
function typeTestSql(listLength: number, types: string, alias: string): string {
  const test = `${alias}.type_code = ANY(${types}::text[])`;
  return listLength > INDEXED_TYPE_LIST_MAX ? `(${test}) IS TRUE` : test;
}

/** The filter on one version's own facts (memberAllows). */
function memberSql(filter: SomeFilter, p: FilterParams, alias: string): string {
  const parts: string[] = [];
  if (p.types) parts.push(typeTestSql(filter.allowedTypeCodes?.length ?? 0, p.types, alias));
  if (p.hidden) {
    const hidden = `${alias}.confidentiality && ${p.hidden}::text[]`;
    parts.push(p.exempt ? `(NOT (${hidden}) OR ${alias}.author_ids && ${p.exempt}::text[])` : `NOT (${hidden})`);
  }
  if (p.statuses) parts.push(`${alias}.status <> ALL(${p.statuses}::text[])`);
  if (filter.onlyPatientAuthored) parts.push(`${alias}.authored_by_patient`);
  return parts.length ? `(${parts.join(' AND ')})` : 'true';
}

/**
 * The current member of the lineage of version `alias` (lineage.ts), as a one-row (or empty)
 * relation `as` with the columns the visibility rule reads: carnet_lineage_current, migration 0010.
 */
export function currentMemberSql(alias: string, as: string): string {
  return `carnet_lineage_current(${alias}.patient_key, ${alias}.lineage_id) ${as}`;
}

/** The latest version of the document of version `alias`, as a one-row subquery `as`. */
export function latestVersionSql(alias: string, as: string): string {
  return `(SELECT ${as}.* FROM document_entry ${as} WHERE ${as}.patient_key = ${alias}.patient_key AND ${as}.logical_id = ${alias}.logical_id AND ${as}.is_latest) ${as}`;
}

/**
 * A boolean SQL expression over document_entry (alias `alias`) that is true for visible rows.
 * `onLatest`: the query already keeps latest versions only, whose latest version is themselves.
 */
export function visibilitySql(filter: VisibilityFilter, params: SqlParams, alias = 'd', onLatest = false, options: VisibilitySqlOptions = {}): string {
  if (filter.kind === 'none') return 'false';
  const p = filterParams(filter, params, options);
  const own = memberSql(filter, p, alias);
  const latest = onLatest
    ? 'true'
    : `(${alias}.is_latest OR EXISTS (SELECT 1 FROM ${latestVersionSql(alias, 'lineage_latest')} WHERE ${memberSql(filter, p, 'lineage_latest')}))`;
  // A document alone in its lineage has its own latest version as current member, which `latest`
  // already checks. No current member: every document of the lineage is deleted, and the version
  // and its latest version decide alone (a deleted version passes no reading filter).
  const current = `(NOT ${alias}.lineage_shared OR COALESCE((SELECT ${memberSql(filter, p, 'lineage_current')} FROM ${currentMemberSql(alias, 'lineage_current')}), true))`;
  return `(${own} AND ${latest} AND ${current})`;
}

/**
 * TRACE-05 (history-visibility.ts): a boolean SQL expression over access_trace (alias `alias`),
 * true for the entries the reader is shown: those whose document column names no document or a
 * document of the record whose latest version the reader's history filter admits, whose details
 * name no other document (RELATED_OBJECT_KEYS, carnet_trace_related of migration 0080) that the
 * filter does not admit, and no object around a hidden document that does not exist for the
 * reader (`reader.hiddenObjects`, ACC-08).
 */
export function historyVisibilitySql(reader: HistoryReader, params: SqlParams, alias = 't'): string {
  const filter = reader.filter;
  const none = `(${alias}.document_logical_id IS NULL AND ${alias}.document_entry_uuid IS NULL AND ${alias}.document_unique_id IS NULL)`;
  const keys = params.add([...RELATED_OBJECT_KEYS]);
  // most entries name nothing under these keys: the function is only called for the others
  const relatedTo = (hidden: string) =>
    `(NOT (${alias}.details ?| ${keys}::text[]) OR NOT EXISTS (SELECT 1 FROM carnet_trace_related(${alias}.chain_key, ${alias}.details, ${keys}::text[]) r WHERE ${hidden}))`;
  // a value under a key is an id or a list of ids: `?|` finds either among the hidden objects
  const namesHidden = reader.hiddenObjects.length
    ? (() => {
        const hidden = params.add([...reader.hiddenObjects]);
        return ` AND (NOT (${alias}.details ?| ${keys}::text[]) OR NOT EXISTS (SELECT 1 FROM unnest(${keys}::text[]) k WHERE ${alias}.details->k ?| ${hidden}::text[]))`;
      })()
    : '';
  if (filter.kind === 'none') return `(${none} AND ${relatedTo('true')}${namesHidden})`;
  const latestVisible = (logicalId: string) =>
    `EXISTS (SELECT 1 FROM document_entry h WHERE h.patient_key = ${alias}.chain_key AND h.logical_id = ${logicalId} AND h.is_latest AND ${visibilitySql(filter, params, 'h', true)})`;
  return `((${none} OR ${latestVisible(`${alias}.document_logical_id`)}) AND ${relatedTo(`NOT ${latestVisible('r.logical_id')}`)}${namesHidden})`;
}
