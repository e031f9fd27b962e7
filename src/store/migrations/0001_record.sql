-- The whole record's schema. Every table owned by a patient carries `patient_key` first in its
-- primary key and in its indexes, so the schema can be distributed by patient (e.g. Citus,
-- distribution column patient_key) without redesign. Lookup tables keyed by a global identifier
-- (patient identifiers, registry object ids, uniqueIds) map that identifier to the patient and
-- are the only cross-patient entry points; reference tables (directory) are small.

-- The DMP itself: one row per record.
CREATE TABLE dmp (
  patient_key            uuid PRIMARY KEY,
  status                 text NOT NULL CHECK (status IN ('open', 'closed')),
  given                  text,
  family                 text,
  gender                 text,
  birth_date             date,
  emancipated            boolean NOT NULL DEFAULT false,
  protected_adult        boolean NOT NULL DEFAULT false,
  -- DMP-01: consent, who created the record and through which channel
  consent_by             text NOT NULL,
  consent_at             timestamptz NOT NULL,
  creation_channel       text NOT NULL CHECK (creation_channel IN ('patient_online', 'insurance_office', 'pharmacy', 'professional', 'automatic')),
  created_by             text NOT NULL,
  created_at             timestamptz NOT NULL,
  -- DMP-05: closure and its 10-year retention
  closed_at              timestamptz,
  closed_by              text,
  closure_reason         text,
  purge_after            timestamptz,
  -- ACC-05: oppositions to each emergency mode
  oppose_bris_de_glace   boolean NOT NULL DEFAULT false,
  oppose_centre_15       boolean NOT NULL DEFAULT false,
  -- ACC-06: the médecin traitant DMP (IdNat_PS)
  medecin_traitant       text,
  -- PAT-03 / PAT-05: alert address and emergency contacts
  alert_email            text,
  emergency_contacts     jsonb NOT NULL DEFAULT '[]',
  -- PAT-02: display settings
  page_size              integer NOT NULL DEFAULT 20 CHECK (page_size BETWEEN 1 AND 100),
  sort_order             text NOT NULL DEFAULT 'date' CHECK (sort_order IN ('date', 'author')),
  updated_at             timestamptz NOT NULL
);

-- Identifiers of a record (INS-NIR, INS-NIA, test assigning authorities): global lookup.
CREATE TABLE patient_identifier (
  system       text NOT NULL,
  value        text NOT NULL,
  patient_key  uuid NOT NULL REFERENCES dmp (patient_key),
  PRIMARY KEY (system, value)
);
CREATE INDEX patient_identifier_by_patient ON patient_identifier (patient_key);

-- Directory: structures and professionals (reference tables).
CREATE TABLE structure (
  structure_id     text PRIMARY KEY,           -- IdNat_Struct (prefix 1 = FINESS, 3 = SIRET, ...)
  name             text NOT NULL,
  activity_sector  text,                       -- TRE_R02 / JDV_J61 code, e.g. SA01
  address          text,
  active           boolean NOT NULL DEFAULT true
);

CREATE TABLE professional (
  id_nat_ps     text PRIMARY KEY,              -- IdNat_PS (prefix 8 = RPPS, 0 = ADELI)
  given         text,
  family        text NOT NULL,
  profession    text NOT NULL,                 -- TRE_G15 (or a non-PS role code)
  specialty     text,
  structure_id  text REFERENCES structure (structure_id),
  telecom       text,
  active        boolean NOT NULL DEFAULT true
);
CREATE INDEX professional_by_structure ON professional (structure_id);
CREATE INDEX professional_by_family ON professional (lower(family));

-- Legal representatives and tutors (MIN-01..04): at most two active per record (enforced by the service).
CREATE TABLE legal_representative (
  patient_key               uuid NOT NULL REFERENCES dmp (patient_key),
  representative_id         uuid NOT NULL,
  relationship              text NOT NULL CHECK (relationship IN ('parent', 'tutor')),
  given                     text,
  family                    text NOT NULL,
  email                     text,
  phone                     text,
  -- MASK-04: direct online access only in the presence of a doctor
  doctor_presence_required  boolean NOT NULL DEFAULT false,
  access_ends_at            timestamptz,
  majority_notice_sent_at   timestamptz,
  ended_at                  timestamptz,
  created_at                timestamptz NOT NULL,
  PRIMARY KEY (patient_key, representative_id)
);

-- Online accounts of the patient and of legal representatives (AUTH-*).
CREATE TABLE account (
  patient_key          uuid NOT NULL REFERENCES dmp (patient_key),
  account_id           uuid NOT NULL,
  role                 text NOT NULL CHECK (role IN ('patient', 'legal_representative')),
  representative_id    uuid,
  login                text NOT NULL,
  password_hash        text NOT NULL,              -- scrypt, salted (AUTH-06)
  password_temporary   boolean NOT NULL DEFAULT true,
  email                text,
  phone                text,
  code_channel         text NOT NULL DEFAULT 'email' CHECK (code_channel IN ('email', 'sms')),
  failed_attempts      integer NOT NULL DEFAULT 0,
  locked_until         timestamptz,
  last_login_at        timestamptz,
  previous_login_at    timestamptz,
  disabled_at          timestamptz,
  created_at           timestamptz NOT NULL,
  PRIMARY KEY (patient_key, account_id)
);
-- Login lookup (global): the login names the account and its record.
CREATE TABLE account_login (
  login        text PRIMARY KEY,
  patient_key  uuid NOT NULL,
  account_id   uuid NOT NULL
);

-- One-time code challenges (AUTH-01): the code only as an HMAC.
CREATE TABLE auth_challenge (
  patient_key   uuid NOT NULL,
  challenge_id  uuid NOT NULL,
  account_id    uuid NOT NULL,
  code_hmac     text NOT NULL,
  purpose       text NOT NULL DEFAULT 'login',
  attempts      integer NOT NULL DEFAULT 0,
  expires_at    timestamptz NOT NULL,
  used_at       timestamptz,
  created_at    timestamptz NOT NULL,
  PRIMARY KEY (patient_key, challenge_id)
);
CREATE TABLE auth_challenge_index (
  challenge_id  uuid PRIMARY KEY,
  patient_key   uuid NOT NULL
);

-- Rate limiting that holds across server instances (per account, per address).
CREATE TABLE rate_limit (
  bucket        text NOT NULL,
  window_start  timestamptz NOT NULL,
  hits          integer NOT NULL,
  PRIMARY KEY (bucket, window_start)
);

-- Support requests for lost credentials (AUTH-04).
CREATE TABLE support_request (
  request_id    uuid PRIMARY KEY,
  patient_key   uuid,
  login_hint    text,
  channel       text NOT NULL,
  details       jsonb NOT NULL DEFAULT '{}',
  status        text NOT NULL CHECK (status IN ('open', 'handled', 'rejected')),
  created_at    timestamptz NOT NULL,
  handled_by    text,
  handled_at    timestamptz
);

-- Authorisations (permit) and blocks (deny) of a professional or a structure's care team (ACC-01/03/04).
CREATE TABLE access_grant (
  patient_key        uuid NOT NULL REFERENCES dmp (patient_key),
  grant_id           uuid NOT NULL,
  subject_kind       text NOT NULL CHECK (subject_kind IN ('professional', 'structure')),
  subject_id         text NOT NULL,
  effect             text NOT NULL CHECK (effect IN ('permit', 'deny')),
  created_at         timestamptz NOT NULL,
  created_by         text NOT NULL,
  on_patient_request boolean NOT NULL DEFAULT false,
  revoked_at         timestamptz,
  revoked_by         text,
  PRIMARY KEY (patient_key, grant_id)
);
CREATE UNIQUE INDEX access_grant_active ON access_grant (patient_key, subject_kind, subject_id, effect) WHERE revoked_at IS NULL;

-- Document content, deduplicated by hash within a record.
CREATE TABLE document_content (
  patient_key  uuid NOT NULL REFERENCES dmp (patient_key),
  sha256       text NOT NULL,
  sha1         text NOT NULL,
  size         bigint NOT NULL,
  bytes        bytea NOT NULL,
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (patient_key, sha256)
);

-- Registry objects' global lookup: entryUUIDs and uniqueIds lead to their record.
CREATE TABLE registry_object (
  entry_uuid   uuid PRIMARY KEY,
  patient_key  uuid NOT NULL,
  object_type  text NOT NULL CHECK (object_type IN ('DocumentEntry', 'SubmissionSet', 'Folder', 'Association'))
);
CREATE TABLE registry_unique_id (
  unique_id    text PRIMARY KEY,
  patient_key  uuid NOT NULL,
  object_type  text NOT NULL CHECK (object_type IN ('DocumentEntry', 'SubmissionSet', 'Folder')),
  logical_id   uuid NOT NULL,
  sha1         text,
  size         bigint
);

-- Document entries: one row per metadata version (entryUUID per version, logicalId shared).
CREATE TABLE document_entry (
  patient_key             uuid NOT NULL REFERENCES dmp (patient_key),
  entry_uuid              uuid NOT NULL,
  logical_id              uuid NOT NULL,
  version                 integer NOT NULL,
  is_latest               boolean NOT NULL,
  unique_id               text NOT NULL,
  status                  text NOT NULL CHECK (status IN ('Approved', 'Deprecated', 'Archived', 'Deleted', 'Submitted')),
  mime_type               text NOT NULL,
  type_code               text NOT NULL,
  class_code              text NOT NULL,
  format_code             text,
  facility_type_code      text,
  practice_setting_code   text,
  confidentiality         text[] NOT NULL,       -- normalised codes, e.g. {N}, {N,MASQUE_PS}
  event_codes             text[] NOT NULL DEFAULT '{}',
  reference_ids           text[] NOT NULL DEFAULT '{}',
  author_ids              text[] NOT NULL DEFAULT '{}',   -- IdNat_PS of the authors and of the depositor
  author_structures       text[] NOT NULL DEFAULT '{}',
  author_family           text[] NOT NULL DEFAULT '{}',   -- lower-cased, for search and sort
  author_given            text[] NOT NULL DEFAULT '{}',
  authored_by_patient     boolean NOT NULL DEFAULT false,
  creation_time           timestamptz,
  service_start_time      timestamptz,
  service_stop_time       timestamptz,
  submitted_by            text,
  submitted_by_structure  text,
  submission_set_uuid     uuid NOT NULL,
  content_sha256          text,
  stored_at               timestamptz NOT NULL,
  metadata                jsonb NOT NULL,        -- the full neutral DocumentEntry metadata
  PRIMARY KEY (patient_key, entry_uuid)
);
CREATE UNIQUE INDEX document_entry_latest ON document_entry (patient_key, logical_id) WHERE is_latest;
CREATE INDEX document_entry_by_unique_id ON document_entry (patient_key, unique_id);
CREATE INDEX document_entry_by_creation ON document_entry (patient_key, creation_time DESC) WHERE is_latest;
CREATE INDEX document_entry_by_type ON document_entry (patient_key, type_code) WHERE is_latest;

-- Personal selections of documents (DOC-07).
CREATE TABLE document_selection (
  patient_key   uuid NOT NULL REFERENCES dmp (patient_key),
  selection_id  uuid NOT NULL,
  name          text NOT NULL,
  logical_ids   uuid[] NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  PRIMARY KEY (patient_key, selection_id)
);

CREATE TABLE submission_set (
  patient_key      uuid NOT NULL REFERENCES dmp (patient_key),
  entry_uuid       uuid NOT NULL,
  unique_id        text NOT NULL,
  source_id        text NOT NULL,
  status           text NOT NULL DEFAULT 'Approved',
  submission_time  timestamptz,
  content_type_code text,
  author_ids       text[] NOT NULL DEFAULT '{}',
  submitted_by     text,
  stored_at        timestamptz NOT NULL,
  metadata         jsonb NOT NULL,
  PRIMARY KEY (patient_key, entry_uuid)
);
CREATE INDEX submission_set_by_time ON submission_set (patient_key, submission_time);

CREATE TABLE folder (
  patient_key       uuid NOT NULL REFERENCES dmp (patient_key),
  entry_uuid        uuid NOT NULL,
  logical_id        uuid NOT NULL,
  version           integer NOT NULL,
  is_latest         boolean NOT NULL,
  unique_id         text NOT NULL,
  status            text NOT NULL,
  code_list         text[] NOT NULL DEFAULT '{}',
  last_update_time  timestamptz NOT NULL,
  stored_at         timestamptz NOT NULL,
  metadata          jsonb NOT NULL,
  PRIMARY KEY (patient_key, entry_uuid)
);
CREATE UNIQUE INDEX folder_latest ON folder (patient_key, logical_id) WHERE is_latest;

CREATE TABLE association (
  patient_key              uuid NOT NULL REFERENCES dmp (patient_key),
  entry_uuid               uuid NOT NULL,
  type                     text NOT NULL,
  source_uuid              uuid NOT NULL,
  target_uuid              uuid NOT NULL,
  status                   text NOT NULL DEFAULT 'Approved',
  submission_set_status    text,
  stored_at                timestamptz NOT NULL,
  metadata                 jsonb NOT NULL,
  PRIMARY KEY (patient_key, entry_uuid)
);
CREATE INDEX association_by_source ON association (patient_key, source_uuid);
CREATE INDEX association_by_target ON association (patient_key, target_uuid);

-- Messages to send (mail, SMS), written in the transaction that triggers them (outbox).
CREATE TABLE outbox (
  message_id       uuid PRIMARY KEY,
  patient_key      uuid,
  channel          text NOT NULL CHECK (channel IN ('email', 'sms')),
  recipient        text NOT NULL,
  subject          text,
  body             text NOT NULL,
  kind             text NOT NULL,
  created_at       timestamptz NOT NULL,
  next_attempt_at  timestamptz NOT NULL,
  attempts         integer NOT NULL DEFAULT 0,
  sent_at          timestamptz,
  last_error       text
);
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE sent_at IS NULL;

-- DMP-06: maintenance windows that suspend one function.
CREATE TABLE maintenance_window (
  window_id    uuid PRIMARY KEY,
  function     text NOT NULL,
  starts_at    timestamptz NOT NULL,
  ends_at      timestamptz NOT NULL,
  message      text NOT NULL,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL,
  CHECK (ends_at > starts_at)
);

-- The access trace (TRACE-01/02): append-only, one hash chain per record (chain_key = the
-- patient key; accesses that concern no record chain under the all-zero key).
CREATE TABLE access_trace (
  chain_key            uuid NOT NULL,
  seq                  bigint NOT NULL,
  trace_id             uuid NOT NULL,
  occurred_at          timestamptz NOT NULL,
  actor_kind           text NOT NULL,
  actor_id             text NOT NULL,
  actor_name           text,
  actor_profession     text,
  actor_specialty      text,
  actor_structure      text,
  action               text NOT NULL,
  outcome              text NOT NULL CHECK (outcome IN ('success', 'denied', 'failure')),
  reason               text,
  access_mode          text,
  on_patient_request   boolean NOT NULL DEFAULT false,
  document_logical_id  uuid,
  document_entry_uuid  uuid,
  document_unique_id   text,
  target_kind          text,
  target_id            text,
  channel              text NOT NULL,
  request_id           text,
  details              jsonb NOT NULL DEFAULT '{}',
  prev_hash            text NOT NULL,
  hash                 text NOT NULL,
  PRIMARY KEY (chain_key, seq)
);
CREATE INDEX access_trace_by_time ON access_trace (chain_key, occurred_at);
CREATE INDEX access_trace_by_actor ON access_trace (chain_key, actor_id);

-- The head of each chain: locking it serialises appends to one record's chain.
CREATE TABLE access_trace_head (
  chain_key  uuid PRIMARY KEY,
  seq        bigint NOT NULL,
  hash       text NOT NULL
);

-- The database itself refuses to alter or delete trace rows (TRACE-02). The only exception is
-- the retention purge of DMP-05, which must say so explicitly in its own transaction.
CREATE FUNCTION access_trace_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('carnet.retention_purge', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'access_trace is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER access_trace_no_update BEFORE UPDATE ON access_trace
  FOR EACH ROW EXECUTE FUNCTION access_trace_append_only();
CREATE TRIGGER access_trace_no_delete BEFORE DELETE ON access_trace
  FOR EACH ROW EXECUTE FUNCTION access_trace_append_only();
CREATE TRIGGER access_trace_no_truncate BEFORE TRUNCATE ON access_trace
  FOR EACH STATEMENT EXECUTE FUNCTION access_trace_append_only();
