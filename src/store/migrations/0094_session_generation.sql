-- AUTH-03/04: a new password (chosen by the holder, or a temporary one the support service
-- issued) ends the login's other sessions. Each session token carries the generation its account
-- had when it was issued; a password change moves the generation on for every account the login
-- reaches, and a token of an older one is refused. The session that changed the password is named
-- here and stays open (its holder just proved they know the new password); a support reset keeps none.
ALTER TABLE account ADD COLUMN session_generation integer NOT NULL DEFAULT 0;
ALTER TABLE account ADD COLUMN session_kept uuid;
