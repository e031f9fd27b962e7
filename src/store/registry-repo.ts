// The global lookups that lead from an entryUUID or a uniqueId to the record that holds it (and
// the kind of object it is), and their registration. The registry's objects themselves are in
// submission-set-repo.ts, folder-repo.ts and association-repo.ts.
import type { Statement } from './combined-writes.js';
import type { Queryable } from './db.js';
import { bareUuid } from './document-repo.js';

export type RegistryObjectType = 'DocumentEntry' | 'SubmissionSet' | 'Folder' | 'Association';

export interface RegistryObjectRow {
  entryUuid: string;
  patientKey: string;
  type: RegistryObjectType;
}

/** The registry rows of several objects, one statement (a submission's, written together). */
export function registerObjectsStatement(rows: RegistryObjectRow[]): Statement {
  return {
    sql: 'INSERT INTO registry_object (entry_uuid, patient_key, object_type) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[])',
    params: [rows.map((r) => bareUuid(r.entryUuid)), rows.map((r) => r.patientKey), rows.map((r) => r.type)],
  };
}

export async function registerObject(q: Queryable, entryUuid: string, patientKey: string, type: RegistryObjectType): Promise<void> {
  await q.query('INSERT INTO registry_object (entry_uuid, patient_key, object_type) VALUES ($1, $2, $3)', [
    bareUuid(entryUuid),
    patientKey,
    type,
  ]);
}

export async function lookupObjects(q: Queryable, entryUuids: string[]): Promise<Array<{ entryUuid: string; patientKey: string; type: RegistryObjectType }>> {
  if (!entryUuids.length) return []; // nothing to ask: no round trip
  const r = await q.query<{ entry_uuid: string; patient_key: string; object_type: RegistryObjectType }>(
    'SELECT entry_uuid::text, patient_key::text, object_type FROM registry_object WHERE entry_uuid = ANY($1::uuid[])',
    [entryUuids.map(bareUuid)],
  );
  return r.rows.map((x) => ({ entryUuid: `urn:uuid:${x.entry_uuid}`, patientKey: x.patient_key, type: x.object_type }));
}

export interface UniqueIdRow {
  unique_id: string;
  patient_key: string;
  object_type: 'DocumentEntry' | 'SubmissionSet' | 'Folder';
  logical_id: string;
  sha1: string | null;
  size: number | null;
}

export async function lookupUniqueIds(q: Queryable, uniqueIds: string[]): Promise<UniqueIdRow[]> {
  const r = await q.query<UniqueIdRow>(
    'SELECT unique_id, patient_key::text, object_type, logical_id::text, sha1, size::int AS size FROM registry_unique_id WHERE unique_id = ANY($1::text[])',
    [uniqueIds],
  );
  return r.rows;
}

/** Several uniqueIds registered by one statement (a submission's, written together). */
export function registerUniqueIdsStatement(rows: UniqueIdRow[]): Statement {
  return {
    sql: `INSERT INTO registry_unique_id (unique_id, patient_key, object_type, logical_id, sha1, size)
      SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::bigint[])`,
    params: [
      rows.map((r) => r.unique_id),
      rows.map((r) => r.patient_key),
      rows.map((r) => r.object_type),
      rows.map((r) => bareUuid(r.logical_id)),
      rows.map((r) => r.sha1),
      rows.map((r) => r.size),
    ],
  };
}

export async function registerUniqueId(q: Queryable, row: UniqueIdRow): Promise<void> {
  await q.query(
    'INSERT INTO registry_unique_id (unique_id, patient_key, object_type, logical_id, sha1, size) VALUES ($1, $2, $3, $4, $5, $6)',
    [row.unique_id, row.patient_key, row.object_type, bareUuid(row.logical_id), row.sha1, row.size],
  );
}
