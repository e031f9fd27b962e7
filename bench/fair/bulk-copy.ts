/**
 * The bench's bulk loader (bench/fair/server.ts; also the tests that need records of the bench's size): `copies` more of each current entry of the record, each a document of
 * its own (new entryUUID, logicalId, uniqueId, a creation time `g` days earlier), with its
 * registry rows, in one statement each; far faster than deposits, the same rows as theirs.
 */
export async function bulkCopy(db: { query: (sql: string, params?: unknown[]) => Promise<unknown> }, patientKey: string, copies: number): Promise<void> {
  if (copies < 1) return;
  await db.query(
    `WITH src AS (
       SELECT d.*, g.g, gen_random_uuid() AS u FROM document_entry d, generate_series(1, $2::int) AS g(g) WHERE d.patient_key = $1 AND d.is_latest
     ), ins AS (
       INSERT INTO document_entry
       SELECT (jsonb_populate_record(NULL::document_entry, to_jsonb(src) - 'g' - 'u' || jsonb_build_object(
         'entry_uuid', u, 'logical_id', u, 'lineage_id', u, 'unique_id', '2.25.' || abs(hashtextextended(u::text, 0)),
         'creation_time', creation_time - make_interval(days => g),
         'metadata', metadata || jsonb_build_object('uniqueId', '2.25.' || abs(hashtextextended(u::text, 0)))))).*
       FROM src RETURNING entry_uuid, unique_id, logical_id
     ), objects AS (
       INSERT INTO registry_object (entry_uuid, patient_key, object_type) SELECT entry_uuid, $1, 'DocumentEntry' FROM ins
     )
     INSERT INTO registry_unique_id (unique_id, patient_key, object_type, logical_id) SELECT unique_id, $1, 'DocumentEntry', logical_id FROM ins`,
    [patientKey, copies],
  );
}
