// Searching document entries: the criteria of a search (DocumentQuery), the WHERE clause they
// become, and the page with its count. Every search ANDs the caller's visibility filter into the
// SQL so that counts and pages only ever see permitted rows (ACC-08). Apart from the entry's
// reads and writes (document-repo.ts) because the stream, the counts and the tests build on the
// same clause.
import type { VisibilityFilter } from '../domain/visibility.js';
import type { AvailabilityStatus, StoredDocumentEntry } from '../domain/model.js';
import type { Queryable } from './db.js';
import { codeInListSql, codeJson, containedAnyOf, everyGroupSql } from './code-criteria-sql.js';
import { SqlParams } from './sql-params.js';
import { exactSql, startsWithFoldedSql } from './string-search-sql.js';
import { visibilitySql, type VisibilitySqlOptions } from './visibility-sql.js';
import { COLUMNS, bareUuid, toStoredEntry, type DocumentRow } from './document-repo.js';

/** A code criterion: any of the values (OR); the system is checked when given. */
export type CodeCriterion = Array<{ code: string; system?: string }>;

export type DocumentSort = 'date-desc' | 'date-asc' | 'author' | 'stored-desc';

export interface DocumentQuery {
  patientKey: string;
  visibility: VisibilityFilter;
  /** false: every metadata version (GetDocuments by UUID); default: latest versions only */
  latestOnly?: boolean;
  statuses?: AvailabilityStatus[];
  entryUuids?: string[];
  logicalIds?: string[];
  /** entryUUIDs or logicalIds, either matching (FHIR `identifier` does not say which it names) */
  entryOrLogicalIds?: string[];
  uniqueIds?: string[];
  typeCodes?: CodeCriterion;
  classCodes?: CodeCriterion;
  formatCodes?: CodeCriterion;
  facilityTypeCodes?: CodeCriterion;
  practiceSettingCodes?: CodeCriterion;
  /** AND across the outer list, OR within each inner list */
  eventCodes?: CodeCriterion[];
  confidentialityCodes?: CodeCriterion[];
  creationFrom?: Date;
  creationTo?: Date;
  serviceStartFrom?: Date;
  serviceStartTo?: Date;
  serviceStopFrom?: Date;
  serviceStopTo?: Date;
  /** FHIR DocumentReference.date: the source's date if it gave one, else when the registry stored the version */
  storedFrom?: Date;
  storedTo?: Date;
  /** XDS authorPerson patterns (% and _ wildcards) matched against the XCN strings */
  authorPersons?: string[];
  /** FHIR author.family / author.given: R4 string search (start, case and accents ignored) */
  authorFamily?: string;
  authorGiven?: string;
  /** the same with :exact: a whole name, case and accents kept */
  authorFamilyExact?: string;
  authorGivenExact?: string;
  referenceIds?: string[];
  /** XDS referenceIdList: AND across the outer list, OR within each inner list */
  referenceIdGroups?: string[][];
  /** XDS objectType (an entry that names none is stable); empty or absent: any */
  objectTypes?: Array<'stable' | 'on-demand'>;
  sort?: DocumentSort;
  limit?: number;
  /**
   * The page's size may be written as a number in the statement's text (documentRowsSelect), so
   * that PostgreSQL keeps the page's generic plan. Only for a few sizes (the service's usual
   * ones): each size written so is one more statement text kept on every connection, and a
   * caller free to pick any `_count` would otherwise multiply them and push the others out.
   */
  limitInText?: boolean;
  offset?: number;
  countTotal?: boolean;
}

export interface DocumentPage {
  entries: StoredDocumentEntry[];
  total?: number;
}

const CODE_COLUMNS = {
  typeCodes: ['type_code', 'typeCode'],
  classCodes: ['class_code', 'classCode'],
  formatCodes: ['format_code', 'formatCode'],
  facilityTypeCodes: ['facility_type_code', 'healthcareFacilityTypeCode'],
  practiceSettingCodes: ['practice_setting_code', 'practiceSettingCode'],
} as const;

function codeMatch(p: SqlParams, column: string, jsonKey: string, values: CodeCriterion): string {
  return codeInListSql(p, `d.${column}`, `d.metadata->'${jsonKey}'->>'system'`, values);
}

/** AND across the groups, OR within: the metadata's list holds one of each group's codes. */
function listMatch(p: SqlParams, jsonKey: 'eventCodes' | 'confidentialityCodes', groups: CodeCriterion[]): string {
  const list = `d.metadata->'${jsonKey}'`;
  return everyGroupSql(p, groups.map((g) => g.map(codeJson)), (g) => `${list} @> ANY(${containedAnyOf(p, g)})`, (m) => `${list} @> jsonb_build_array(${m})`);
}

/** Builds the WHERE clause of a document search; the visibility filter is always part of it. */
export function documentWhere(query: DocumentQuery, p: SqlParams, options: VisibilitySqlOptions = {}): string {
  const latestOnly = query.latestOnly !== false;
  const where = [`d.patient_key = ${p.add(query.patientKey)}`, visibilitySql(query.visibility, p, 'd', latestOnly, options)];
  if (latestOnly) where.push('d.is_latest');
  if (query.statuses) where.push(`d.status = ANY(${p.add(query.statuses)}::text[])`);
  if (query.entryUuids) where.push(`d.entry_uuid = ANY(${p.add(query.entryUuids.map(bareUuid))}::uuid[])`);
  if (query.logicalIds) where.push(`d.logical_id = ANY(${p.add(query.logicalIds.map(bareUuid))}::uuid[])`);
  if (query.entryOrLogicalIds) {
    const ids = p.add(query.entryOrLogicalIds.map(bareUuid));
    where.push(`(d.entry_uuid = ANY(${ids}::uuid[]) OR d.logical_id = ANY(${ids}::uuid[]))`);
  }
  if (query.uniqueIds) where.push(`d.unique_id = ANY(${p.add(query.uniqueIds)}::text[])`);
  for (const [key, [column, jsonKey]] of Object.entries(CODE_COLUMNS)) {
    const values = query[key as keyof typeof CODE_COLUMNS];
    if (values) where.push(codeMatch(p, column, jsonKey, values));
  }
  if (query.eventCodes?.length) where.push(listMatch(p, 'eventCodes', query.eventCodes));
  if (query.confidentialityCodes?.length) where.push(listMatch(p, 'confidentialityCodes', query.confidentialityCodes));
  const range = (column: string, from?: Date, to?: Date) => {
    const at = column.includes('(') ? column : `d.${column}`;
    if (from) where.push(`${at} >= ${p.add(from)}`);
    if (to) where.push(`${at} < ${p.add(to)}`);
  };
  range('creation_time', query.creationFrom, query.creationTo);
  range('service_start_time', query.serviceStartFrom, query.serviceStartTo);
  range('service_stop_time', query.serviceStopFrom, query.serviceStopTo);
  // DocumentReference.date: the source's own date when a FHIR source gave one (see model.ts)
  range(`COALESCE((d.metadata->>'referenceDate')::timestamptz, d.stored_at)`, query.storedFrom, query.storedTo);
  if (query.authorPersons?.length) {
    where.push(
      `EXISTS (SELECT 1 FROM jsonb_array_elements(d.metadata->'authors') a WHERE a->'person'->>'raw' LIKE ANY(${p.add(query.authorPersons)}::text[]))`,
    );
  }
  // R4 string search (string-search-sql.ts): the copies folded when the row was stored
  // (document-repo.ts) without modifier, the names as given (in the metadata) for :exact
  const add = (v: unknown) => p.add(v);
  for (const [value, column] of [[query.authorFamily, 'author_family'], [query.authorGiven, 'author_given']] as const) {
    if (value) where.push(`EXISTS (SELECT 1 FROM unnest(d.${column}) n WHERE ${startsWithFoldedSql(add, 'n', value)})`);
  }
  for (const [value, part] of [[query.authorFamilyExact, 'family'], [query.authorGivenExact, 'given']] as const) {
    if (value) where.push(`EXISTS (SELECT 1 FROM jsonb_array_elements(d.metadata->'authors') a WHERE ${exactSql(add, `a->'person'->>'${part}'`, value)})`);
  }
  if (query.referenceIds?.length) where.push(`d.reference_ids && ${p.add(query.referenceIds)}::text[]`);
  if (query.referenceIdGroups?.length) where.push(everyGroupSql(p, query.referenceIdGroups, (g) => `d.reference_ids && ${p.add(g)}::text[]`, (m) => `(${m} #>> '{}') = ANY(d.reference_ids)`));
  if (query.objectTypes?.length) where.push(`COALESCE(d.metadata->>'objectType', 'stable') = ANY(${p.add(query.objectTypes)}::text[])`);
  return where.join(' AND ');
}

export const ORDER: Record<DocumentSort, string> = {
  'date-desc': 'd.creation_time DESC NULLS LAST, d.stored_at DESC, d.entry_uuid',
  'date-asc': 'd.creation_time ASC NULLS LAST, d.stored_at ASC, d.entry_uuid',
  author: 'd.author_family[1] ASC NULLS LAST, d.creation_time DESC NULLS LAST, d.entry_uuid',
  'stored-desc': 'd.stored_at DESC, d.entry_uuid',
};

/**
 * One more value per entry of a page, read in the page's own statement: an SQL expression over
 * the page's row `d` (a correlated subquery, evaluated for the rows of the page only), its
 * parameters added to `p`.
 */
export type PageColumn = (p: SqlParams) => string;

export async function findDocuments(q: Queryable, query: DocumentQuery, column?: PageColumn): Promise<DocumentPage & { column?: unknown[] }> {
  const p = new SqlParams();
  const where = documentWhere(query, p);
  // The count rides in the page's own statement (an uncorrelated subquery, computed once): one
  // round trip for both.
  const total = query.countTotal ? `, (SELECT count(*)::int FROM document_entry d WHERE ${documentWhere(query, p)}) AS page_total` : '';
  const extra = column ? `, ${column(p)} AS page_column` : '';
  const limit = query.limit !== undefined ? ` LIMIT ${p.add(query.limit)}` : '';
  const offset = query.offset ? ` OFFSET ${p.add(query.offset)}` : '';
  const rows = await q.query<DocumentRow & { page_total?: number; page_column?: unknown }>(
    `SELECT ${COLUMNS}${total}${extra} FROM document_entry d WHERE ${where} ORDER BY ${ORDER[query.sort ?? 'date-desc']}${limit}${offset}`,
    p.values,
  );
  const page: DocumentPage & { column?: unknown[] } = { entries: rows.rows.map(toStoredEntry) };
  if (column) page.column = rows.rows.map((r) => r.page_column);
  if (query.countTotal) {
    const first = rows.rows[0];
    // An empty page past the first, or a page of no rows (_count=0), says nothing of the count:
    // then it is asked on its own.
    page.total = first ? Number(first.page_total) : query.offset || query.limit === 0 ? await countDocuments(q, query) : 0;
  }
  return page;
}

export async function countDocuments(q: Queryable, query: DocumentQuery): Promise<number> {
  const p = new SqlParams();
  const c = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM document_entry d WHERE ${documentWhere(query, p)}`, p.values);
  return c.rows[0].n;
}
