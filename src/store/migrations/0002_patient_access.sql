-- Patient access (AUTH-*, MIN-02, PAT-03): what the accounts, the login and the outbox need
-- beyond 0001.

-- MIN-02: each holder of a record has at most one live account: the patient one, each legal
-- representative one of their own.
CREATE UNIQUE INDEX account_one_per_patient ON account (patient_key) WHERE role = 'patient' AND disabled_at IS NULL;
CREATE UNIQUE INDEX account_one_per_representative ON account (patient_key, representative_id)
  WHERE role = 'legal_representative' AND disabled_at IS NULL;

-- Open challenges of an account are superseded by a newer one (only the latest code is valid).
CREATE INDEX auth_challenge_open ON auth_challenge (patient_key, account_id) WHERE used_at IS NULL;

-- The outbox gives up on a message after its last retry; it stays for the operator to see.
ALTER TABLE outbox ADD COLUMN abandoned_at timestamptz;
DROP INDEX outbox_pending;
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE sent_at IS NULL AND abandoned_at IS NULL;

-- Old rate-limit windows are pruned by the jobs.
CREATE INDEX rate_limit_by_window ON rate_limit (window_start);

-- Support requests: the agents' work list.
CREATE INDEX support_request_open ON support_request (created_at) WHERE status = 'open';
