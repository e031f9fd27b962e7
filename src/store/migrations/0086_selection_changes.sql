-- DOC-07 / ACC-08: a personal selection as each holder of the patient side is shown it. The
-- selections are the record's, kept by the patient and the legal representatives alike; one
-- version and one date for all of them moved when the minor added a document hidden from the
-- representatives (MASK-03, MASK-04), so a representative learnt that something they cannot see
-- was added, and when. Each change now keeps what it touched (the documents added or removed, and
-- whether it renamed the selection); a reader's version and date count only the changes that
-- renamed it, touched nothing, or touched a document that reader may read
-- (domain/selection-versions.ts). The counts of resource_version for List stay as the base every
-- reader starts from: the changes made before this table are shown to everyone, as they were.
CREATE TABLE document_selection_change (
  patient_key   uuid NOT NULL,
  selection_id  uuid NOT NULL,
  changed_at    timestamptz NOT NULL,
  renamed       boolean NOT NULL,
  touched       uuid[] NOT NULL,
  FOREIGN KEY (patient_key, selection_id) REFERENCES document_selection (patient_key, selection_id) ON DELETE CASCADE
);
CREATE INDEX document_selection_change_by_selection ON document_selection_change (patient_key, selection_id, changed_at);
