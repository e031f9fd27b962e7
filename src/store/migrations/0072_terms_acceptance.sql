-- AUTH: the terms of use (CGU) are versioned; an account accepts the current version at the first
-- login after it changes, and the acceptance is kept (and traced).
ALTER TABLE account ADD COLUMN terms_version text;
ALTER TABLE account ADD COLUMN terms_accepted_at timestamptz;
