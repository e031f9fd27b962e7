// ACC-08: a folder's lastUpdateTime as one reader is shown it (migration 0085). Filing a document
// into a folder moves the folder's time (ITI TF-3 4.2.3.4); a filing the reader may not see must
// not move it for that reader, or the time alone would tell that a hidden document was filed, and
// when. So the reader's time is the latest of the folder version's own time (when it was made: its
// creation, or the metadata update that made this version) and the times the links to documents
// the reader may read (visibility-sql.ts, lineage included) gave the folder when they were filed.
// The searches by that time, their order and what they answer all read this expression.
import type { VisibilityFilter } from '../domain/visibility.js';
import type { SqlParams } from './sql-params.js';
import { visibilitySql } from './visibility-sql.js';

/** The reader's lastUpdateTime of folder version `alias` (a row of `folder`), as an SQL expression. */
export function folderTimeSql(visibility: VisibilityFilter, params: SqlParams, alias = 'f'): string {
  return `GREATEST(${alias}.stored_at, (SELECT max(filed.folder_time) FROM association filed
      JOIN document_entry d ON d.patient_key = filed.patient_key AND d.entry_uuid = filed.target_uuid
     WHERE filed.patient_key = ${alias}.patient_key AND filed.source_uuid = ${alias}.entry_uuid AND filed.type = 'HasMember'
       AND filed.folder_time IS NOT NULL AND ${visibilitySql(visibility, params, 'd')}))`;
}
