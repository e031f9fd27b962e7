-- PAT-07: formal requests for a copy of the record. The request is the patient side's; the
-- support service handles it off-line (identity checks, postal delivery) and marks it done.
CREATE TABLE copy_request (
  patient_key   uuid NOT NULL REFERENCES dmp (patient_key),
  request_id    uuid NOT NULL,
  requested_by  text NOT NULL,
  reason        text NOT NULL,
  -- how the copy is to be delivered: 'postal' or 'email'
  delivery      text NOT NULL CHECK (delivery IN ('postal', 'email')),
  -- where: a postal address or an e-mail address, as given
  address       text,
  parts         text[] NOT NULL DEFAULT '{}',
  status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'handled', 'rejected')),
  created_at    timestamptz NOT NULL,
  handled_at    timestamptz,
  PRIMARY KEY (patient_key, request_id)
);
CREATE INDEX copy_request_open ON copy_request (created_at) WHERE status = 'open';
