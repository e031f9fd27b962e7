-- document_entry rewritten with the columns the visibility filter reads first (issue 13). A row
-- is read column by column up to the last one a statement needs: `lineage_shared`, which every
-- search's filter tests (store/visibility-sql.ts), stood 33rd of 35, after the metadata (about
-- 1.2 KB of a 1.7 KB row), so every row a search counted or listed was walked through all its
-- columns, and through the cache lines of its metadata, to read one boolean. Here the fixed-size
-- columns come first (keys, lineage, version, flags, stored_at: their offsets known), then what
-- the filter and the page's order read (status, type_code, confidentiality, author_ids,
-- creation_time), then the rest, the metadata last. Measured on a record of 1,000 documents, the
-- nurse's ITI-67 statement (page, total, relations, trace row) cost PostgreSQL ~15% less CPU, and
-- so did ITI-18's ids select (docs/PERFORMANCE.md, "document_entry's columns in the order its
-- filter reads them"). Same columns, types, defaults, constraints and rows; only their order.
--
-- The table is copied, not altered (PostgreSQL cannot move a column): the whole table and its
-- indexes are written once, under the migration's lock. Its indexes are recreated from their own
-- definitions as they stand when this runs, so the result is the same whichever migrations came
-- before (0090 may have been applied first on a store that had it). Nothing else depends on the
-- table by its identity: no foreign key points at it, no view reads it, and the functions that
-- read it (0010, 0080) find it by name when they run.
DO $$
DECLARE
  index_defs text[];
  def text;
BEGIN
  -- in the order they were made: between two plans of equal cost (a test store's empty table) the
  -- planner keeps the one of the index it met first, and that choice should not change here
  SELECT coalesce(array_agg(pg_get_indexdef(i.indexrelid) ORDER BY i.indexrelid), '{}') INTO index_defs
  FROM pg_index i
  WHERE i.indrelid = 'document_entry'::regclass AND NOT i.indisprimary;

  ALTER TABLE document_entry RENAME TO document_entry_before_0083;

  CREATE TABLE document_entry (
    patient_key             uuid NOT NULL,
    entry_uuid              uuid NOT NULL,
    logical_id              uuid NOT NULL,
    lineage_id              uuid NOT NULL,
    version                 integer NOT NULL,
    lineage_generation      integer NOT NULL DEFAULT 1,
    status_changes          integer NOT NULL DEFAULT 0,
    is_latest               boolean NOT NULL,
    lineage_shared          boolean NOT NULL DEFAULT false,
    authored_by_patient     boolean NOT NULL DEFAULT false,
    stored_at               timestamptz NOT NULL,
    status                  text NOT NULL,
    type_code               text NOT NULL,
    confidentiality         text[] NOT NULL,       -- normalised codes, e.g. {N}, {N,MASQUE_PS}
    author_ids              text[] NOT NULL DEFAULT '{}',   -- IdNat_PS of the authors and of the depositor
    creation_time           timestamptz,
    unique_id               text NOT NULL,
    mime_type               text NOT NULL,
    class_code              text NOT NULL,
    format_code             text,
    facility_type_code      text,
    practice_setting_code   text,
    event_codes             text[] NOT NULL DEFAULT '{}',
    reference_ids           text[] NOT NULL DEFAULT '{}',
    author_structures       text[] NOT NULL DEFAULT '{}',
    author_family           text[] NOT NULL DEFAULT '{}',   -- lower-cased, for search and sort
    author_given            text[] NOT NULL DEFAULT '{}',
    service_start_time      timestamptz,
    service_stop_time       timestamptz,
    submitted_by            text,
    submitted_by_structure  text,
    submission_set_uuid     uuid NOT NULL,
    content_sha256          text,
    status_changed_at       timestamptz,
    metadata                jsonb NOT NULL         -- the full neutral DocumentEntry metadata
  );

  INSERT INTO document_entry (
    patient_key, entry_uuid, logical_id, lineage_id, version, lineage_generation, status_changes, is_latest, lineage_shared,
    authored_by_patient, stored_at, status, type_code, confidentiality, author_ids, creation_time, unique_id, mime_type,
    class_code, format_code, facility_type_code, practice_setting_code, event_codes, reference_ids, author_structures,
    author_family, author_given, service_start_time, service_stop_time, submitted_by, submitted_by_structure,
    submission_set_uuid, content_sha256, status_changed_at, metadata)
  SELECT
    patient_key, entry_uuid, logical_id, lineage_id, version, lineage_generation, status_changes, is_latest, lineage_shared,
    authored_by_patient, stored_at, status, type_code, confidentiality, author_ids, creation_time, unique_id, mime_type,
    class_code, format_code, facility_type_code, practice_setting_code, event_codes, reference_ids, author_structures,
    author_family, author_given, service_start_time, service_stop_time, submitted_by, submitted_by_structure,
    submission_set_uuid, content_sha256, status_changed_at, metadata
  FROM document_entry_before_0083;

  -- the old table's indexes and constraints go with it, freeing their names (the new ones keep
  -- them: an error that names a constraint names the same one); built again once the rows are in
  DROP TABLE document_entry_before_0083;
  -- From PostgreSQL 18 a NOT NULL is a named constraint too: the new table's were named while the
  -- old table still held the usual names (`document_entry_<column>_not_null1`); they take them back
  -- now that they are free. Before 18 there are none to rename.
  FOR def IN
    SELECT conname FROM pg_constraint
    WHERE conrelid = 'document_entry'::regclass AND contype = 'n' AND conname ~ '^document_entry_.+_not_null[0-9]+$'
  LOOP
    EXECUTE format('ALTER TABLE document_entry RENAME CONSTRAINT %I TO %I', def, regexp_replace(def, '[0-9]+$', ''));
  END LOOP;
  ALTER TABLE document_entry
    ADD CONSTRAINT document_entry_pkey PRIMARY KEY (patient_key, entry_uuid),
    ADD CONSTRAINT document_entry_patient_key_fkey FOREIGN KEY (patient_key) REFERENCES dmp (patient_key),
    ADD CONSTRAINT document_entry_status_check CHECK (status IN ('Approved', 'Deprecated', 'Archived', 'Deleted', 'Submitted'));
  FOREACH def IN ARRAY index_defs LOOP
    EXECUTE def;
  END LOOP;
  -- The new table has no statistics, and the searches' plans need them: a store's rows are
  -- analysed now. An empty table (a new store) is left as unanalysed as the old one was: analysed
  -- empty, PostgreSQL would take it for empty until its next ANALYZE and plan accordingly.
  IF EXISTS (SELECT 1 FROM document_entry) THEN
    ANALYZE document_entry;
  END IF;
END;
$$;
