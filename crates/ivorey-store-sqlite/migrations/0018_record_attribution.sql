-- Attribution beyond contacts: who wrote each note and who added or last changed each task and
-- opportunity (`integration:<id>` or `user:<id>`), and who sent each message or recorded it
-- through the API. Records from before have none.
ALTER TABLE contact_notes ADD COLUMN created_by TEXT;
ALTER TABLE contact_notes ADD COLUMN updated_by TEXT;
ALTER TABLE contact_tasks ADD COLUMN created_by TEXT;
ALTER TABLE contact_tasks ADD COLUMN updated_by TEXT;
ALTER TABLE opportunities ADD COLUMN created_by TEXT;
ALTER TABLE opportunities ADD COLUMN updated_by TEXT;
ALTER TABLE messages ADD COLUMN sent_by TEXT;
-- "What this integration did": each kind's rows last changed by one changer, newest first.
CREATE INDEX contact_notes_by_changer ON contact_notes (location_id, updated_by, date_added, id);
CREATE INDEX contact_tasks_by_changer ON contact_tasks (location_id, updated_by, date_updated, id);
CREATE INDEX opportunities_by_changer ON opportunities (location_id, updated_by, updated_at, id);
CREATE INDEX messages_by_sender ON messages (location_id, sent_by, date_added, id);
