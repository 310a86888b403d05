-- The words a text query finds a contact by (ivorey_core::contact_terms), one row per word,
-- so a query is a range lookup in the word index instead of a substring scan of every contact.
-- date_added is the contact's (it never changes): a one-word query's newest page is found
-- from the index alone (an index-only scan, which needs the visibility map VACUUM keeps).
-- "C" collation: word ranges compare bytewise, as on SQLite. The contact's JSON stays the
-- source of truth; the store rewrites these rows with it. The rows of contacts that exist
-- already are written by the migration's Rust step (the same function the store uses).
CREATE TABLE contact_terms (
    location_id TEXT NOT NULL,
    term        TEXT COLLATE "C" NOT NULL,
    contact_id  TEXT COLLATE "C" NOT NULL,
    date_added  BIGINT NOT NULL,
    PRIMARY KEY (location_id, term, contact_id) INCLUDE (date_added),
    FOREIGN KEY (location_id, contact_id) REFERENCES contacts (location_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_terms_by_contact ON contact_terms (location_id, contact_id, term);
