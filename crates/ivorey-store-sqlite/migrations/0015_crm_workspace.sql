-- The CRM workspace: the dashboard lists a location's open tasks by due date.
CREATE INDEX contact_tasks_open_by_due ON contact_tasks (location_id, completed, due_date, id);
-- Attribution: who created a contact and who changed it last (`integration:<id>`,
-- `user:<id>` or `form:<id>`); contacts from before have neither. The index serves "what this
-- integration did": a location's contacts last changed by one changer, newest first.
ALTER TABLE contacts ADD COLUMN created_by TEXT;
ALTER TABLE contacts ADD COLUMN updated_by TEXT;
CREATE INDEX contacts_by_changer ON contacts (location_id, updated_by, date_updated);
