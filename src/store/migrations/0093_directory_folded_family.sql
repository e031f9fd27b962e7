-- The directory's family-name search compares names as FHIR string search does, case and accents
-- ignored (src/store/string-search-sql.ts): this index holds that folded form, with the dropped
-- marks written exactly as the search writes them, so that a prefix search reads the index and
-- not the whole directory. text_pattern_ops: a LIKE prefix uses it under any collation. The
-- index of 0001 on lower(family) served the search before; nothing reads it now.
CREATE INDEX professional_by_folded_family ON professional
  (lower(regexp_replace(normalize(family, NFD), U&'[\0300-\036F\1AB0-\1AFF\1DC0-\1DFF\20D0-\20FF\FE20-\FE2F]', '', 'g')) text_pattern_ops);
DROP INDEX professional_by_family;
