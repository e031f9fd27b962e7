-- The index of the last document search order that had none (document-repo ORDER 'author', the
-- patient's "by author" display setting, PAT-02, and _sort=author): without it a page sorted by
-- author read and sorted every current entry of the record before its LIMIT. The expression is
-- the ORDER BY's own (author_family[1], nulls last as ASC puts them), so the planner reads the
-- page from the index in order.
CREATE INDEX document_entry_by_author ON document_entry (patient_key, (author_family[1]) ASC NULLS LAST, creation_time DESC NULLS LAST, entry_uuid) WHERE is_latest;
