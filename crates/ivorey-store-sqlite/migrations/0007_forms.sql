-- Form definitions and their submissions. fields and submitted values are JSON text. A
-- submission's form and contact are kept in its location by composite foreign keys; deleting
-- the form or the contact deletes its submissions.
CREATE TABLE forms (
    id          TEXT PRIMARY KEY,
    location_id TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    fields      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (location_id, id)
);
CREATE INDEX forms_by_location ON forms (location_id, created_at, id);

-- search_text is the lowercased contact id, name, email and phone that `q` matches.
CREATE TABLE form_submissions (
    id          TEXT PRIMARY KEY,
    location_id TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    form_id     TEXT NOT NULL,
    contact_id  TEXT NOT NULL,
    name        TEXT,
    email       TEXT,
    phone       TEXT,
    search_text TEXT NOT NULL,
    data        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    FOREIGN KEY (location_id, form_id) REFERENCES forms (location_id, id) ON DELETE CASCADE,
    FOREIGN KEY (location_id, contact_id) REFERENCES contacts (location_id, id) ON DELETE CASCADE
);
CREATE INDEX form_submissions_newest ON form_submissions (location_id, created_at, id);
CREATE INDEX form_submissions_by_form ON form_submissions (form_id, created_at, id);
CREATE INDEX form_submissions_by_contact ON form_submissions (contact_id);
