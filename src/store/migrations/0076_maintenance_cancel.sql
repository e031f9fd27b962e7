-- DMP-06: a maintenance window can be cancelled while the server runs. A cancelled window is kept
-- (who cancelled it and when), no longer suspends anything and is no longer announced.
ALTER TABLE maintenance_window ADD COLUMN cancelled_at timestamptz;
ALTER TABLE maintenance_window ADD COLUMN cancelled_by text;
