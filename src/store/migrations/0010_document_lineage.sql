-- ACC-09: a document's lineage (src/domain/lineage.ts). Every metadata version carries the
-- lineage it belongs to and the generation of its document in it, so that the visibility SQL
-- finds a lineage's current member with one indexed lookup:
--   lineage_id          the logicalId of the lineage's first document (its own, until it
--                       replaces something); the same for every version of a document
--   lineage_generation  1 for a document that replaced nothing; a replacement is its lineage's
--                       newest generation
--   lineage_shared      the lineage holds more than one document (lineages only ever grow): a
--                       document alone in its lineage follows only its own latest version, so
--                       the visibility SQL looks for a current member only where this is true
ALTER TABLE document_entry ADD COLUMN lineage_id uuid;
ALTER TABLE document_entry ADD COLUMN lineage_generation integer NOT NULL DEFAULT 1;
ALTER TABLE document_entry ADD COLUMN lineage_shared boolean NOT NULL DEFAULT false;
UPDATE document_entry SET lineage_id = logical_id;
ALTER TABLE document_entry ALTER COLUMN lineage_id SET NOT NULL;
CREATE INDEX document_entry_lineage ON document_entry (patient_key, lineage_id) WHERE is_latest;

-- The one way a lineage grows: document `by` replaces document `replaced` (RPLC, XFRM_RPLC; both
-- logical ids of one record). `by` and its lineage join the lineage of `replaced`, and `by`
-- becomes its newest generation. Called by the store when a replacement is recorded, and below
-- for the replacements recorded before this migration.
CREATE FUNCTION carnet_join_lineage(p_patient uuid, p_by uuid, p_replaced uuid) RETURNS void AS $$
DECLARE
  target uuid;
  own uuid;
  next_generation integer;
BEGIN
  SELECT lineage_id INTO target FROM document_entry WHERE patient_key = p_patient AND logical_id = p_replaced LIMIT 1;
  SELECT lineage_id INTO own FROM document_entry WHERE patient_key = p_patient AND logical_id = p_by LIMIT 1;
  IF target IS NULL OR own IS NULL OR target = own THEN
    RETURN;
  END IF;
  SELECT max(lineage_generation) + 1 INTO next_generation FROM document_entry
    WHERE patient_key = p_patient AND lineage_id IN (target, own);
  UPDATE document_entry SET lineage_id = target, lineage_shared = true WHERE patient_key = p_patient AND lineage_id IN (target, own);
  UPDATE document_entry SET lineage_generation = next_generation WHERE patient_key = p_patient AND logical_id = p_by;
END;
$$ LANGUAGE plpgsql;

-- The lineage's current member (src/domain/lineage.ts: the latest version, not Deleted, of the
-- highest generation, then the highest logicalId), with what the visibility rule reads of it.
-- PL/pgSQL so that it is planned once per session, not within every query that reads documents.
CREATE FUNCTION carnet_lineage_current(p_patient uuid, p_lineage uuid)
  RETURNS TABLE (logical_id uuid, type_code text, confidentiality text[], status text, author_ids text[], authored_by_patient boolean) AS $$
BEGIN
  RETURN QUERY
    SELECT c.logical_id, c.type_code, c.confidentiality, c.status, c.author_ids, c.authored_by_patient FROM document_entry c
    WHERE c.patient_key = p_patient AND c.lineage_id = p_lineage AND c.is_latest AND c.status <> 'Deleted'
    ORDER BY c.lineage_generation DESC, c.logical_id DESC LIMIT 1;
END;
$$ LANGUAGE plpgsql STABLE;

-- The replacements already recorded, in the order they were made.
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT a.patient_key, s.logical_id AS by_document, t.logical_id AS replaced_document
    FROM association a
    JOIN document_entry s ON s.patient_key = a.patient_key AND s.entry_uuid = a.source_uuid
    JOIN document_entry t ON t.patient_key = a.patient_key AND t.entry_uuid = a.target_uuid
    WHERE a.type IN ('RPLC', 'XFRM_RPLC')
    ORDER BY a.stored_at, a.entry_uuid
  LOOP
    PERFORM carnet_join_lineage(r.patient_key, r.by_document, r.replaced_document);
  END LOOP;
END;
$$;
