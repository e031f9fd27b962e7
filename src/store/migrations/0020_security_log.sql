-- The server's security log (TRACE-05): refusals of requests whose caller could not be
-- established (no identity, unsigned, badly signed, expired or foreign assertion or token). They
-- concern no record: whatever patient such a request names is an unverified claim, so it never
-- enters a patient's trace. Like the access trace, the log is append-only and chained by hash,
-- here as one chain for the whole server.
CREATE TABLE security_log (
  seq                bigint PRIMARY KEY,
  entry_id           uuid NOT NULL,
  occurred_at        timestamptz NOT NULL,
  channel            text NOT NULL,
  -- the transaction or route asked for (e.g. ITI-18, GET /fhir/DocumentReference)
  operation          text,
  -- why the identity was refused (missing, unsigned, invalid_signature, expired, ...)
  reason             text NOT NULL,
  client_address     text,
  request_id         text,
  -- what the request claimed to be and to be about, unverified and truncated
  claims             jsonb NOT NULL DEFAULT '{}',
  -- refusals left out by the rate limit since the previous row (nothing is dropped uncounted)
  suppressed_before  bigint NOT NULL DEFAULT 0,
  prev_hash          text NOT NULL,
  hash               text NOT NULL
);
CREATE INDEX security_log_by_time ON security_log (occurred_at);

-- The chain's head, and the rate limit's window: locking this one row serialises appends.
-- `suppressed` counts the refusals left out since the last row; the next row carries it.
CREATE TABLE security_log_head (
  singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  seq           bigint NOT NULL,
  hash          text NOT NULL,
  window_start  timestamptz,
  window_count  integer NOT NULL DEFAULT 0,
  suppressed    bigint NOT NULL DEFAULT 0
);
INSERT INTO security_log_head (singleton, seq, hash) VALUES (true, 0, repeat('0', 64));

CREATE FUNCTION security_log_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'security_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER security_log_no_update BEFORE UPDATE ON security_log
  FOR EACH ROW EXECUTE FUNCTION security_log_append_only();
CREATE TRIGGER security_log_no_delete BEFORE DELETE ON security_log
  FOR EACH ROW EXECUTE FUNCTION security_log_append_only();
CREATE TRIGGER security_log_no_truncate BEFORE TRUNCATE ON security_log
  FOR EACH STATEMENT EXECUTE FUNCTION security_log_append_only();
