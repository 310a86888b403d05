-- A posting-list index of the contacts' words (ivorey_store::contact_search::postings): one FTS5
-- row per contact holding all its words, so a query of several words intersects compressed
-- lists instead of reading every `contact_terms` row of each word. Each token is the
-- location id in lowercase hex then the word, so a location's words have their own lists.
-- No content is kept (the contact is the source of truth, rewritten with it) and no
-- positions (a query only asks which contacts have a word); contentless_delete lets a
-- contact's row be replaced or deleted by its rowid.
-- Prefix indexes for word prefixes of 1 to 8 characters (41 to 48 with the location's 40):
-- without them a prefix query merges the list of every word it starts, and `lopez` starts
-- thousands (`lopez12` in emails): 18 ms for `olga lopez` at 1M contacts, 3.6 ms with them.
CREATE VIRTUAL TABLE contact_postings USING fts5(
    words, content = '', contentless_delete = 1, detail = none, tokenize = 'ascii',
    prefix = '41 42 43 44 45 46 47 48'
);
-- The contact behind each FTS5 rowid, with its date (a page is cut without reading the
-- contacts). AUTOINCREMENT: a deleted contact's key is never given to another.
CREATE TABLE contact_posting_keys (
    key         INTEGER PRIMARY KEY AUTOINCREMENT,
    location_id TEXT NOT NULL,
    contact_id  TEXT NOT NULL,
    date_added  INTEGER NOT NULL,
    UNIQUE (location_id, contact_id),
    FOREIGN KEY (location_id, contact_id) REFERENCES contacts (location_id, id) ON DELETE CASCADE
);
-- A virtual table is out of reach of foreign keys: the contact's FTS5 row goes with its key,
-- which a contact's delete cascades to (whichever statement deletes the contact).
CREATE TRIGGER contact_posting_keys_deleted AFTER DELETE ON contact_posting_keys BEGIN
    DELETE FROM contact_postings WHERE rowid = old.key;
END;
-- The contacts stored before: their words are those of `contact_terms` (migration 12), which
-- the store wrote with the same function.
INSERT INTO contact_posting_keys (location_id, contact_id, date_added)
    SELECT location_id, id, date_added FROM contacts ORDER BY date_added, id;
INSERT INTO contact_postings (rowid, words)
    SELECT k.key, (SELECT group_concat(lower(hex(t.location_id)) || t.term, ' ')
                   FROM contact_terms t
                   WHERE t.location_id = k.location_id AND t.contact_id = k.contact_id)
    FROM contact_posting_keys k;
