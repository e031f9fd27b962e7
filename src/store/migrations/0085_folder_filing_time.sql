-- ACC-08: a folder's lastUpdateTime as each reader is shown it. A document filed into a folder
-- after the folder's version was made moved the folder's one lastUpdateTime for every reader, so a
-- reader who may not see that document learnt that something was filed there, and when. Each
-- HasMember link that moved the time now keeps the time it gave the folder (folder_time); a reader
-- is shown the latest of the folder version's own time and the times of the links to documents
-- it may read (store/folder-time-sql.ts). folder.last_update_time stays the time every filing
-- moved, from which the next filing moves on (a change in the same second: one second later).
ALTER TABLE association ADD COLUMN folder_time timestamptz;
-- links filed before: their storage time (the same second as what they gave the folder, or the
-- folder's own creation for those filed with it)
UPDATE association a SET folder_time = a.stored_at
  FROM folder f
  WHERE a.type = 'HasMember' AND f.patient_key = a.patient_key AND f.entry_uuid = a.source_uuid;
