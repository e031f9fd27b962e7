-- A document's author.family / author.given copies (author_family, author_given) hold the names
-- folded as FHIR string search compares them (src/store/string-search-sql.ts: decomposed, the
-- same combining marks dropped, lower-cased by the database's lower()), no longer lower-cased by
-- JavaScript. The search folded each copy again for every row it read: on a record of 20,000
-- documents, the fold was most of an author search's time (docs/PERFORMANCE.md, "Author search
-- on folded copies"). Now the row is folded once, when it is stored (document-repo.ts), and the
-- search compares the copies as they are.
--
-- The rows stored before are folded here from their metadata, the names as the source gave them,
-- in the authors' order (the first author's family name sorts a record by author) and without the
-- empty ones, as a new row's statement does; the marks' pattern is the code's own constant,
-- written as 0093 writes it. A row whose metadata has no author list keeps what it holds, and a
-- row already folded (ASCII names) is not written again.
UPDATE document_entry d
SET author_family = f.family, author_given = f.given
FROM (
  SELECT e.patient_key, e.entry_uuid,
    ARRAY(
      SELECT lower(regexp_replace(normalize(a->'person'->>'family', NFD), U&'[\0300-\036F\1AB0-\1AFF\1DC0-\1DFF\20D0-\20FF\FE20-\FE2F]', '', 'g'))
      FROM jsonb_array_elements(e.metadata->'authors') WITH ORDINALITY AS x(a, o)
      WHERE a->'person'->>'family' <> '' ORDER BY o
    ) AS family,
    ARRAY(
      SELECT lower(regexp_replace(normalize(a->'person'->>'given', NFD), U&'[\0300-\036F\1AB0-\1AFF\1DC0-\1DFF\20D0-\20FF\FE20-\FE2F]', '', 'g'))
      FROM jsonb_array_elements(e.metadata->'authors') WITH ORDINALITY AS x(a, o)
      WHERE a->'person'->>'given' <> '' ORDER BY o
    ) AS given
  FROM document_entry e
  WHERE jsonb_typeof(e.metadata->'authors') = 'array'
) f
WHERE d.patient_key = f.patient_key AND d.entry_uuid = f.entry_uuid
  AND (d.author_family IS DISTINCT FROM f.family OR d.author_given IS DISTINCT FROM f.given);
