// Thousands of folders or deposits in a record, written as the store holds them rather than made
// one by one: the searches' tests need records far larger than a deposit each could set up in a
// few seconds.
import type { Db } from '../../src/store/db.js';

/**
 * `n` more folders in the record, each a copy of `folder` holding its one document (the filing's
 * link copied too, with the time it gave the folder): rows written as the store holds them, in
 * three statements, so that the test sets up thousands in a few seconds.
 */
export async function copyFolder(db: Db, patientKey: string, folder: string, n: number): Promise<void> {
  await db.query(
    `CREATE TEMP TABLE copied AS SELECT gen_random_uuid() AS entry_uuid, gen_random_uuid() AS logical_id, g AS nth FROM generate_series(1, $1::int) g`,
    [n],
  );
  await db.query(
    `INSERT INTO folder (patient_key, entry_uuid, logical_id, version, is_latest, unique_id, status, code_list, last_update_time, stored_at, metadata)
     SELECT f.patient_key, c.entry_uuid, c.logical_id, 1, true, f.unique_id || '.' || c.nth, f.status, f.code_list,
            f.last_update_time - c.nth * interval '1 second', f.stored_at - c.nth * interval '1 second', jsonb_set(f.metadata, '{uniqueId}', to_jsonb(f.unique_id || '.' || c.nth))
       FROM folder f, copied c WHERE f.patient_key = $1 AND f.entry_uuid = $2`,
    [patientKey, folder],
  );
  await db.query(
    `INSERT INTO association (patient_key, entry_uuid, type, source_uuid, target_uuid, status, submission_set_status, stored_at, metadata, folder_time)
     SELECT a.patient_key, gen_random_uuid(), a.type, c.entry_uuid, a.target_uuid, a.status, a.submission_set_status, a.stored_at,
            jsonb_set(a.metadata, '{sourceId}', to_jsonb('urn:uuid:' || c.entry_uuid::text)), a.folder_time - c.nth * interval '1 second'
       FROM association a, copied c WHERE a.patient_key = $1 AND a.source_uuid = $2 AND a.type = 'HasMember'`,
    [patientKey, folder],
  );
  await db.query(`INSERT INTO registry_object (entry_uuid, patient_key, object_type) SELECT entry_uuid, $1, 'Folder' FROM copied`, [patientKey]);
  await db.query('DROP TABLE copied');
}

/**
 * `n` more deposits in the record, each a copy of submission set `set` with its HasMember links
 * (to the same document and folder), a second earlier each: rows written as the store holds them.
 */
export async function copySubmissionSet(db: Db, patientKey: string, set: string, n: number): Promise<void> {
  await db.query(`CREATE TEMP TABLE copied AS SELECT gen_random_uuid() AS entry_uuid, g AS nth FROM generate_series(1, $1::int) g`, [n]);
  await db.query(
    `INSERT INTO submission_set (patient_key, entry_uuid, unique_id, source_id, status, submission_time, content_type_code, author_ids, submitted_by, stored_at, metadata)
     SELECT s.patient_key, c.entry_uuid, s.unique_id || '.' || c.nth, s.source_id, s.status, s.submission_time - c.nth * interval '1 second', s.content_type_code,
            s.author_ids, s.submitted_by, s.stored_at - c.nth * interval '1 second', jsonb_set(s.metadata, '{uniqueId}', to_jsonb(s.unique_id || '.' || c.nth))
       FROM submission_set s, copied c WHERE s.patient_key = $1 AND s.entry_uuid = $2`,
    [patientKey, set],
  );
  await db.query(
    `INSERT INTO association (patient_key, entry_uuid, type, source_uuid, target_uuid, status, submission_set_status, stored_at, metadata)
     SELECT a.patient_key, gen_random_uuid(), a.type, c.entry_uuid, a.target_uuid, a.status, a.submission_set_status, a.stored_at,
            jsonb_set(a.metadata, '{sourceId}', to_jsonb('urn:uuid:' || c.entry_uuid::text))
       FROM association a, copied c WHERE a.patient_key = $1 AND a.source_uuid = $2 AND a.type = 'HasMember'`,
    [patientKey, set],
  );
  await db.query(`INSERT INTO registry_object (entry_uuid, patient_key, object_type) SELECT entry_uuid, $1, 'SubmissionSet' FROM copied`, [patientKey]);
  await db.query('DROP TABLE copied');
}
