-- A document's versions found by its logical id, whichever is latest (issue 13). Storing a version
-- (document-repo insertEntryVersionStatement) reads its lineage from the versions already stored,
-- after the previous one was marked not latest: the only index on (patient_key, logical_id) is
-- document_entry_latest, partial on is_latest, which cannot serve that lookup, so every deposit
-- read the whole record three times (15,000 rows filtered per deposit after a 15 s benchmark
-- window), its database CPU growing with the record. With this index each lookup reads one leaf.
-- Searches by logical id over every version (document-repo logicalIds) use it too.
CREATE INDEX document_entry_by_logical_id ON document_entry (patient_key, logical_id);
