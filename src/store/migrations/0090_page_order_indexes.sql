-- Indexes in the exact orders the document searches sort by (document-repo ORDER), so that a page
-- is read from the index in order and stops at its LIMIT instead of reading and sorting the whole
-- record. The index of 0001 kept nulls first under DESC, an order no search uses: this one
-- replaces it (it serves creation-time ranges just as well).
CREATE INDEX document_entry_by_date_desc ON document_entry (patient_key, creation_time DESC NULLS LAST, stored_at DESC, entry_uuid) WHERE is_latest;
CREATE INDEX document_entry_by_date_asc ON document_entry (patient_key, creation_time ASC NULLS LAST, stored_at ASC, entry_uuid) WHERE is_latest;
CREATE INDEX document_entry_by_stored ON document_entry (patient_key, stored_at DESC, entry_uuid) WHERE is_latest;
DROP INDEX document_entry_by_creation;
