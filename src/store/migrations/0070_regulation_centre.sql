-- ACC-05: the Centre 15 mode belongs to doctors acting for a SAMU medical regulation centre. The
-- directory says which structures are such centres; a token or an assertion never does.
ALTER TABLE structure ADD COLUMN regulation_centre boolean NOT NULL DEFAULT false;
