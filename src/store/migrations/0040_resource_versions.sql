-- Resources that change in place keep their id, so FHIR R4 (http.html#versioning,
-- resource.html#Meta) wants each change to give them a new meta.versionId and meta.lastUpdated:
-- the Patient a record shows (closed, reactivated, its emergency contacts, its consents), the
-- Consents that are settings of the record (each emergency mode, the médecin traitant) and each
-- personal selection (a List replaced). One row per resource that changed at least once: its
-- version counts from 1 (as created) and the row is written in the transaction of the change. A
-- resource without a row is at version 1. An authorisation or block needs no row (1 as given, 2
-- once revoked); documents count theirs on document_entry (migration 0060).
CREATE TABLE resource_version (
  patient_key   uuid NOT NULL REFERENCES dmp (patient_key),
  resource_type text NOT NULL CHECK (resource_type IN ('Patient', 'Consent', 'List')),
  resource_id   text NOT NULL,
  version       integer NOT NULL CHECK (version >= 1),
  updated_at    timestamptz NOT NULL,
  PRIMARY KEY (patient_key, resource_type, resource_id)
);
