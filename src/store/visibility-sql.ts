// The SQL twin of the domain's visibility rule (ACC-08): the same VisibilityFilter that the
// pure `filterAllows` reads becomes a WHERE clause over document_entry, so searches, totals and
// paging count only what the actor may see. Columns used: type_code, confidentiality,
// author_ids, authored_by_patient, status. A property test checks both agree.
import type { VisibilityFilter } from '../domain/visibility.js';
import type { SqlParams } from './sql-params.js';

/** A boolean SQL expression over document_entry (alias `alias`) that is true for visible rows. */
export function visibilitySql(filter: VisibilityFilter, params: SqlParams, alias = 'd'): string {
  if (filter.kind === 'none') return 'false';
  const parts: string[] = [];
  if (filter.allowedTypeCodes !== null) {
    parts.push(`${alias}.type_code = ANY(${params.add(filter.allowedTypeCodes)}::text[])`);
  }
  if (filter.hiddenCodes.length) {
    const hidden = `${alias}.confidentiality && ${params.add(filter.hiddenCodes)}::text[]`;
    parts.push(
      filter.hiddenExemptAuthorIds.length
        ? `(NOT (${hidden}) OR ${alias}.author_ids && ${params.add(filter.hiddenExemptAuthorIds)}::text[])`
        : `NOT (${hidden})`,
    );
  }
  if (filter.excludedStatuses.length) {
    parts.push(`${alias}.status <> ALL(${params.add(filter.excludedStatuses)}::text[])`);
  }
  if (filter.onlyPatientAuthored) parts.push(`${alias}.authored_by_patient`);
  return parts.length ? `(${parts.join(' AND ')})` : 'true';
}
