-- AUTH: a patient's or representative's session ended by its holder (POST /auth/logout). A
-- session is a token the server signed, valid until it expires: forgetting it in the browser
-- left it working for whoever had copied it. Its id stays here until the time it would have
-- expired; each logout clears the ids whose time is past.
CREATE TABLE ended_session (
  session_id  uuid PRIMARY KEY,
  ends_at     timestamptz NOT NULL
);
CREATE INDEX ended_session_by_end ON ended_session (ends_at);
