-- PAT-03: who chose the record's alert address — 'patient', or 'representative:<id>' for a legal
-- representative (MIN-01). The address belongs to whoever chose it: once that holder's access has
-- ended (majority, MIN-03; an ended representative), it is told of nothing more
-- (domain/announcements.ts). An address set before this column is the patient's when the record
-- never had a representative; otherwise who chose it is unknown, and it stays silent until a
-- holder sets it again (fail closed).
ALTER TABLE dmp ADD COLUMN alert_set_by text;
UPDATE dmp d SET alert_set_by = 'patient'
  WHERE d.alert_email IS NOT NULL AND NOT EXISTS (SELECT 1 FROM legal_representative r WHERE r.patient_key = d.patient_key);
