-- A document entry's status may change in place (archive and unarchive, deletion, deprecation
-- when a replacement arrives): the entry stays, what it shows changes. FHIR gives such a change
-- a new meta.versionId and meta.lastUpdated (R4 resource.html#Meta), so the store counts them and
-- keeps the time of the last one. A change of metadata is a new entry and needs neither.
ALTER TABLE document_entry ADD COLUMN status_changes integer NOT NULL DEFAULT 0;
ALTER TABLE document_entry ADD COLUMN status_changed_at timestamptz;
