-- The support desk (AUTH-04, PAT-07): a copy request is taken in hand, then closed, each step
-- recorded with the agent; support requests say what they ask for.
ALTER TABLE copy_request DROP CONSTRAINT copy_request_status_check;
ALTER TABLE copy_request ADD CONSTRAINT copy_request_status_check CHECK (status IN ('open', 'in_progress', 'handled', 'rejected'));
ALTER TABLE copy_request ADD COLUMN handled_by text;
-- what the agent tells the patient (sent by post on..., refused because...)
ALTER TABLE copy_request ADD COLUMN handling_note text;
DROP INDEX copy_request_open;
CREATE INDEX copy_request_pending ON copy_request (created_at) WHERE status IN ('open', 'in_progress');

-- credentials: lost login or password; account: an internet account asked for a record that has
-- none; intervention: anything else the record's holder asks the service to do for them.
ALTER TABLE support_request ADD COLUMN kind text NOT NULL DEFAULT 'credentials' CHECK (kind IN ('credentials', 'account', 'intervention'));
