-- The directory fed from the national directory's extraction file (issue 16, item 9).
-- `source` tells the rows a load owns ('extract') from those put by hand or by the demo seed
-- (NULL): a load updates and retires only its own rows. Retired rows stay (inactive), since
-- authorisations, blocks and the access trace name them.
ALTER TABLE professional ADD COLUMN source text;
ALTER TABLE structure ADD COLUMN source text;

-- ACC-05: structure.regulation_centre (migration 0070) is not in the extraction file: operators
-- set it (`carnet directory regulation-centre`), and a load never changes it.

-- Every place where a professional practises, as the extraction lists them (one line per
-- activity); professional.structure_id stays the first one, the structure shown in searches.
CREATE TABLE professional_activity (
  id_nat_ps     text NOT NULL REFERENCES professional (id_nat_ps),
  structure_id  text NOT NULL REFERENCES structure (structure_id),
  PRIMARY KEY (id_nat_ps, structure_id)
);
CREATE INDEX professional_activity_by_structure ON professional_activity (structure_id);
