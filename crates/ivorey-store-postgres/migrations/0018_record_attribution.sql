-- Attribution beyond contacts: who wrote each note and who added or last changed each task and
-- opportunity (`integration:<id>` or `user:<id>`), and who sent each message or recorded it
-- through the API. Records from before have none; nothing reads these columns to find rows, so
-- they need no index.
ALTER TABLE contact_notes ADD COLUMN created_by TEXT;
ALTER TABLE contact_notes ADD COLUMN updated_by TEXT;
ALTER TABLE contact_tasks ADD COLUMN created_by TEXT;
ALTER TABLE contact_tasks ADD COLUMN updated_by TEXT;
ALTER TABLE opportunities ADD COLUMN created_by TEXT;
ALTER TABLE opportunities ADD COLUMN updated_by TEXT;
ALTER TABLE messages ADD COLUMN sent_by TEXT;
