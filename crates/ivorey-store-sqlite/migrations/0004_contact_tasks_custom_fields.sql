-- Contacts gain the normalised columns that upsert matching, duplicate search and
-- POST /contacts/search filter and sort on. phone_norm is '+' followed by the phone's digits
-- (ivorey_core::contact::normalize_phone); the name columns are lowercased, '' when unset, so
-- keyset comparisons never meet NULL. Existing rows are filled from their JSON here.
ALTER TABLE contacts ADD COLUMN phone_norm TEXT;
ALTER TABLE contacts ADD COLUMN first_name_lower TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN last_name_lower TEXT NOT NULL DEFAULT '';
UPDATE contacts SET
    phone_norm = CASE WHEN json_extract(data, '$.phone') IS NULL THEN NULL ELSE
        '+' || replace(replace(replace(replace(replace(replace(
            json_extract(data, '$.phone'), ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', '')
        END,
    first_name_lower = lower(coalesce(json_extract(data, '$.firstName'), '')),
    last_name_lower = lower(coalesce(json_extract(data, '$.lastName'), ''));
CREATE INDEX contacts_by_location_phone ON contacts (location_id, phone_norm);
CREATE INDEX contacts_by_location_first_name ON contacts (location_id, first_name_lower, id);
CREATE INDEX contacts_by_location_last_name ON contacts (location_id, last_name_lower, id);

-- One row per tag of a contact, so a tag filter is an index lookup, not a scan of the JSON.
-- The contact's JSON stays the source of truth; the store rewrites these rows with it.
CREATE TABLE contact_tags (
    location_id TEXT NOT NULL,
    contact_id  TEXT NOT NULL,
    tag         TEXT NOT NULL,
    PRIMARY KEY (location_id, contact_id, tag),
    FOREIGN KEY (location_id, contact_id) REFERENCES contacts (location_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_tags_by_tag ON contact_tags (location_id, tag, contact_id);
INSERT OR IGNORE INTO contact_tags (location_id, contact_id, tag)
    SELECT c.location_id, c.id, j.value FROM contacts c, json_each(c.data, '$.tags') j;

-- Tasks on contacts: kept in their contact's location and deleted with it.
CREATE TABLE contact_tasks (
    id           TEXT PRIMARY KEY,
    location_id  TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    contact_id   TEXT NOT NULL,
    title        TEXT NOT NULL,
    body         TEXT,
    due_date     INTEGER NOT NULL,
    completed    INTEGER NOT NULL,
    assigned_to  TEXT,
    date_added   INTEGER NOT NULL,
    date_updated INTEGER NOT NULL,
    FOREIGN KEY (location_id, contact_id) REFERENCES contacts (location_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_tasks_by_contact ON contact_tasks (location_id, contact_id, due_date, id);

-- Custom field definitions of a location. options is a JSON array of strings.
CREATE TABLE custom_fields (
    id          TEXT PRIMARY KEY,
    location_id TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    model       TEXT NOT NULL,
    name        TEXT NOT NULL,
    field_key   TEXT NOT NULL,
    data_type   TEXT NOT NULL,
    placeholder TEXT,
    options     TEXT NOT NULL,
    position    INTEGER NOT NULL,
    date_added  INTEGER NOT NULL,
    CONSTRAINT custom_fields_key_unique UNIQUE (location_id, field_key)
);
CREATE INDEX custom_fields_by_location ON custom_fields (location_id, position, id);
