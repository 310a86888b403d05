-- The CRM workspace: the dashboard lists a location's open tasks by due date.
CREATE INDEX contact_tasks_open_by_due ON contact_tasks (location_id, completed, due_date, id);
