// The version counts of resources changed in place (migration 0040). A resource without a row
// is at version 1; each change writes version + 1 with its time, in the change's transaction.
import type { StoredVersion, VersionedKind } from '../domain/resource-versions.js';
import type { Queryable } from './db.js';

/** The stored counts of some resources of one record and kind, by key (absent: never changed). */
export async function getVersions(q: Queryable, patientKey: string, kind: VersionedKind, keys?: readonly string[]): Promise<Map<string, StoredVersion>> {
  const r = await q.query<{ resource_id: string; version: number; updated_at: Date | string }>(
    `SELECT resource_id, version, updated_at FROM resource_version WHERE patient_key = $1 AND resource_type = $2${keys ? ' AND resource_id = ANY($3::text[])' : ''}`,
    keys ? [patientKey, kind, keys] : [patientKey, kind],
  );
  return new Map(r.rows.map((row) => [row.resource_id, { version: row.version, updatedAt: new Date(row.updated_at) }]));
}

export async function getVersion(q: Queryable, patientKey: string, kind: VersionedKind, key: string): Promise<StoredVersion | undefined> {
  return (await getVersions(q, patientKey, kind, [key])).get(key);
}

/** One change of the resource: its next version (2 for a resource that had no row), at `at`. */
export async function bumpVersion(q: Queryable, patientKey: string, kind: VersionedKind, key: string, at: Date): Promise<StoredVersion> {
  const r = await q.query<{ version: number; updated_at: Date | string }>(
    `INSERT INTO resource_version (patient_key, resource_type, resource_id, version, updated_at) VALUES ($1, $2, $3, 2, $4)
     ON CONFLICT (patient_key, resource_type, resource_id) DO UPDATE SET version = resource_version.version + 1, updated_at = excluded.updated_at
     RETURNING version, updated_at`,
    [patientKey, kind, key, at],
  );
  return { version: r.rows[0].version, updatedAt: new Date(r.rows[0].updated_at) };
}

/** A resource that no longer exists (a deleted selection) keeps no count. */
export async function forgetVersion(q: Queryable, patientKey: string, kind: VersionedKind, key: string): Promise<void> {
  await q.query('DELETE FROM resource_version WHERE patient_key = $1 AND resource_type = $2 AND resource_id = $3', [patientKey, kind, key]);
}
