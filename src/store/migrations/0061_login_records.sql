-- MIN-01/02: a legal representative of several minors logs in once. Each child's record keeps
-- the representative's own account (its trace, its last login, its terms); this global table
-- lists the other records a login reaches besides the one account_login names.
CREATE TABLE login_record (
  login        text NOT NULL,
  patient_key  uuid NOT NULL,
  account_id   uuid NOT NULL,
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (login, patient_key)
);
