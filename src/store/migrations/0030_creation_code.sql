-- DMP-02: online self-creation. The support service (DMP Info Service) issues a single-use
-- creation code for one identity, the health-insurance card's data it checked; the patient then
-- creates the DMP online with that data and the code. The code is kept only as an HMAC; the
-- identity, emancipation included, is the one the record is created with (never the request's).
CREATE TABLE creation_code (
  code_id             uuid PRIMARY KEY,
  identifier_system   text NOT NULL,
  identifier_value    text NOT NULL,
  family              text NOT NULL,
  given               text NOT NULL,
  birth_date          date NOT NULL,
  gender              text,
  -- an emancipated minor counts as an adult (DMP-02): the agent saw the judgement
  emancipated         boolean NOT NULL DEFAULT false,
  delivery            text NOT NULL CHECK (delivery IN ('email', 'post')),
  email               text,
  code_hmac           text NOT NULL,
  -- AUTH-02: the same lockout as a password
  failed_attempts     integer NOT NULL DEFAULT 0,
  locked_until        timestamptz,
  issued_by           text NOT NULL,
  support_request_id  uuid,
  created_at          timestamptz NOT NULL,
  expires_at          timestamptz NOT NULL,
  used_at             timestamptz,
  -- a newer code for the same identity replaces this one
  revoked_at          timestamptz,
  -- the record the code created
  patient_key         uuid
);
-- One live code per identity: the one the patient presents is found by the card's identifier.
CREATE UNIQUE INDEX creation_code_live ON creation_code (identifier_system, identifier_value)
  WHERE used_at IS NULL AND revoked_at IS NULL;
CREATE INDEX creation_code_by_record ON creation_code (patient_key) WHERE patient_key IS NOT NULL;

