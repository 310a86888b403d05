-- The words a text query finds a contact by (ivorey_core::contact_terms), one row per word,
-- so a query is a range lookup in the word index instead of a substring scan of every contact.
-- date_added is the contact's (it never changes), kept in the primary key's b-tree (WITHOUT
-- ROWID): a one-word query's newest page is found from the index alone.
-- The contact's JSON stays the source of truth; the store rewrites these rows with it. The rows
-- of contacts that exist already are written by the migration's Rust step (the words come
-- from the same function the store writes them with).
CREATE TABLE contact_terms (
    location_id TEXT NOT NULL,
    term        TEXT NOT NULL,
    contact_id  TEXT NOT NULL,
    date_added  INTEGER NOT NULL,
    PRIMARY KEY (location_id, term, contact_id),
    FOREIGN KEY (location_id, contact_id) REFERENCES contacts (location_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX contact_terms_by_contact ON contact_terms (location_id, contact_id, term);
