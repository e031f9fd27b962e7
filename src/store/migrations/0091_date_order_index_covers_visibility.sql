-- The date-descending order index (0090) also carries, past its key, the columns the visibility
-- filter reads on every row of a record (type, confidentiality, authors, status, lineage), so
-- that an ids-only search (ITI-18 ObjectRef) can be answered from the index alone wherever the
-- table's visibility map says the heap page holds nothing newer: no heap visit per document.
-- Where it does not (rows just written, or a store never vacuumed), the scan visits the heap as
-- before; the order, the keys and what a search answers are unchanged.
CREATE INDEX document_entry_by_date_desc_covering ON document_entry (patient_key, creation_time DESC NULLS LAST, stored_at DESC, entry_uuid)
  INCLUDE (status, type_code, confidentiality, author_ids, authored_by_patient, lineage_shared, lineage_id) WHERE is_latest;
DROP INDEX document_entry_by_date_desc;
ALTER INDEX document_entry_by_date_desc_covering RENAME TO document_entry_by_date_desc;
