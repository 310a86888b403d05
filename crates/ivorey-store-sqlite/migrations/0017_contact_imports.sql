-- Contact imports from CSV: the job (its file's header, the column mapping chosen on the
-- mapping page, its counters and the lease of the node working it) and every data row of the
-- file with its outcome. A worker applies rows in batches; each batch's contact writes, its
-- rows' outcomes and the job's counters commit in one transaction, so after a crash the job
-- resumes at `done_rows` and no row is applied without its outcome.
CREATE TABLE contact_imports (
    id          TEXT PRIMARY KEY,
    location_id TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    -- The user who uploaded the file: the changer of every contact it writes.
    user_id     TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    -- JSON array of the header's column names.
    header      TEXT NOT NULL,
    -- JSON array, one target per column ('' for "Don't import"); NULL until mapped.
    mapping     TEXT,
    -- 'mapping', 'queued', 'done'.
    status      TEXT NOT NULL,
    total_rows  INTEGER NOT NULL,
    -- Rows applied so far, in file order: the next batch starts at this row number + 1.
    done_rows   INTEGER NOT NULL DEFAULT 0,
    created     INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    refused     INTEGER NOT NULL DEFAULT 0,
    -- The node working the job and until when (a crashed node's lease runs out).
    lease_owner TEXT,
    lease_until INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX contact_imports_by_location ON contact_imports (location_id, created_at);
CREATE INDEX contact_imports_to_work ON contact_imports (status, created_at);
CREATE TABLE contact_import_rows (
    import_id  TEXT NOT NULL REFERENCES contact_imports (id) ON DELETE CASCADE,
    -- 1 for the first data row after the header.
    row_number INTEGER NOT NULL,
    -- JSON array of the row's cells.
    cells      TEXT NOT NULL,
    -- NULL until applied; then 'created', 'updated' or 'refused'.
    outcome    TEXT,
    reason     TEXT,
    contact_id TEXT,
    PRIMARY KEY (import_id, row_number)
);
