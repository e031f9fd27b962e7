-- TRACE-05 (src/domain/history-visibility.ts): the documents a trace entry concerns besides the
-- one its document column names. Its details name registry objects by bare entryUUID under the
-- keys `p_keys` (a string or a list of strings; other values are ignored); an association named
-- stands for its two ends. Answers the logical ids of the documents among them: folders and
-- submission sets are no documents. The history's SQL shows an entry only when the reader may
-- read each of these.
CREATE FUNCTION carnet_trace_related(p_patient uuid, p_details jsonb, p_keys text[])
  RETURNS TABLE (logical_id uuid) AS $$
  WITH named AS (
    SELECT CASE WHEN v.value ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN v.value::uuid END AS id
    FROM unnest(p_keys) k,
      jsonb_array_elements_text(CASE jsonb_typeof(p_details->k)
        WHEN 'array' THEN (SELECT COALESCE(jsonb_agg(e), '[]'::jsonb) FROM jsonb_array_elements(p_details->k) e WHERE jsonb_typeof(e) = 'string')
        WHEN 'string' THEN jsonb_build_array(p_details->k)
        ELSE '[]'::jsonb END) v(value)
  ), objects AS (
    SELECT id FROM named WHERE id IS NOT NULL
    UNION SELECT a.source_uuid FROM association a JOIN named n ON a.patient_key = p_patient AND a.entry_uuid = n.id
    UNION SELECT a.target_uuid FROM association a JOIN named n ON a.patient_key = p_patient AND a.entry_uuid = n.id
  )
  SELECT DISTINCT d.logical_id FROM document_entry d JOIN objects o ON d.patient_key = p_patient AND d.entry_uuid = o.id
$$ LANGUAGE sql STABLE;
