-- Notes on contacts. The composite foreign key keeps a note in its contact's location and
-- deletes it with the contact (it uses contacts_location_id_key from migration 2).
CREATE TABLE contact_notes (
    id          TEXT PRIMARY KEY,
    location_id TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    contact_id  TEXT NOT NULL,
    body        TEXT NOT NULL,
    user_id     TEXT,
    date_added  INTEGER NOT NULL,
    FOREIGN KEY (location_id, contact_id) REFERENCES contacts (location_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_notes_by_contact ON contact_notes (location_id, contact_id, date_added, id);
