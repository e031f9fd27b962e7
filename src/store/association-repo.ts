// Associations: their rows, their status and how they are found by the objects they link. One of
// the registry's object kinds, each in its own file; the global lookups are in registry-repo.ts.
import type { AssociationMetadata, AvailabilityStatus, StoredAssociation } from '../domain/model.js';
import type { Statement } from './combined-writes.js';
import type { Queryable } from './db.js';
import { bareUuid } from './document-repo.js';
import { jsonColumn } from './json-column.js';

export interface NewAssociation {
  patientKey: string;
  entryUuid: string;
  metadata: AssociationMetadata;
  status?: AvailabilityStatus;
  storedAt: Date;
}

export function insertAssociationStatement(a: NewAssociation): Statement {
  return {
    sql: `INSERT INTO association (patient_key, entry_uuid, type, source_uuid, target_uuid, status, submission_set_status, stored_at, metadata)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    params: [a.patientKey, bareUuid(a.entryUuid), a.metadata.type, bareUuid(a.metadata.sourceId), bareUuid(a.metadata.targetId),
      a.status ?? 'Approved', a.metadata.submissionSetStatus ?? null, a.storedAt, JSON.stringify(a.metadata)],
  };
}

export async function insertAssociation(q: Queryable, a: NewAssociation): Promise<void> {
  const st = insertAssociationStatement(a);
  await q.query(st.sql, st.params);
}

export async function setAssociationStatus(q: Queryable, patientKey: string, entryUuid: string, status: AvailabilityStatus): Promise<void> {
  await q.query('UPDATE association SET status = $3 WHERE patient_key = $1 AND entry_uuid = $2', [patientKey, bareUuid(entryUuid), status]);
}

interface AssociationRow {
  patient_key: string;
  entry_uuid: string;
  status: AvailabilityStatus;
  metadata: AssociationMetadata | string;
}

function toAssociation(r: AssociationRow): StoredAssociation {
  const m = jsonColumn(r.metadata);
  return {
    ...m,
    sourceId: m.sourceId.startsWith('urn:uuid:') ? m.sourceId : `urn:uuid:${m.sourceId}`,
    targetId: m.targetId.startsWith('urn:uuid:') ? m.targetId : `urn:uuid:${m.targetId}`,
    entryUuid: `urn:uuid:${r.entry_uuid}`,
    availabilityStatus: r.status,
    patientKey: r.patient_key,
  };
}

export interface AssociationQuery {
  patientKey: string;
  /** associations whose source or target is one of these */
  touching?: string[];
  sources?: string[];
  targets?: string[];
  types?: string[];
  entryUuids?: string[];
  statuses?: AvailabilityStatus[];
}

export async function findAssociations(q: Queryable, query: AssociationQuery): Promise<StoredAssociation[]> {
  const params: unknown[] = [query.patientKey];
  const add = (v: unknown) => `$${params.push(v)}`;
  const where = ['a.patient_key = $1'];
  if (query.touching) {
    const ids = add(query.touching.map(bareUuid));
    where.push(`(a.source_uuid = ANY(${ids}::uuid[]) OR a.target_uuid = ANY(${ids}::uuid[]))`);
  }
  if (query.sources) where.push(`a.source_uuid = ANY(${add(query.sources.map(bareUuid))}::uuid[])`);
  if (query.targets) where.push(`a.target_uuid = ANY(${add(query.targets.map(bareUuid))}::uuid[])`);
  if (query.types) where.push(`a.type = ANY(${add(query.types)}::text[])`);
  if (query.entryUuids) where.push(`a.entry_uuid = ANY(${add(query.entryUuids.map(bareUuid))}::uuid[])`);
  if (query.statuses) where.push(`a.status = ANY(${add(query.statuses)}::text[])`);
  const r = await q.query<AssociationRow>(
    `SELECT a.patient_key::text, a.entry_uuid::text, a.status, a.metadata FROM association a WHERE ${where.join(' AND ')} ORDER BY a.stored_at, a.entry_uuid`,
    params,
  );
  return r.rows.map(toAssociation);
}
