-- Ivorey schema, version 1 (PostgreSQL). The SQLite schema has the same tables, columns and
-- version numbers; timestamps are Unix milliseconds (BIGINT) in both.
--
-- Ids that order a listing (contacts, integrations) are COLLATE "C": pages follow byte order on
-- every server, as in SQLite, whatever the database's default collation, and the keyset index
-- serves both the ORDER BY and the cursor comparison.

CREATE TABLE locations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT,
    phone       TEXT,
    address     TEXT,
    city        TEXT,
    state       TEXT,
    postal_code TEXT,
    country     TEXT,
    website     TEXT,
    timezone    TEXT,
    created_at  BIGINT NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE memberships (
    location_id TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'user')),
    PRIMARY KEY (location_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships (user_id);

-- Only the SHA-256 of a session id is stored.
CREATE TABLE sessions (
    id_hash    BYTEA PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE integrations (
    id           TEXT COLLATE "C" PRIMARY KEY,
    location_id  TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT,
    scopes       TEXT NOT NULL,            -- space-separated scope names
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    expires_at   BIGINT,
    ip_allowlist TEXT NOT NULL DEFAULT ''  -- space-separated CIDRs; empty allows any address
);
CREATE INDEX integrations_by_location ON integrations (location_id, created_at);

-- Only SHA-256 hashes of tokens. expires_at is NULL for an integration's current token and set
-- for the one rotated-out token in its grace period.
CREATE TABLE integration_tokens (
    token_hash     BYTEA PRIMARY KEY,
    integration_id TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    hint           TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT
);
CREATE INDEX integration_tokens_by_integration ON integration_tokens (integration_id);

-- No foreign key to integrations: the trail outlives what it describes.
CREATE TABLE audit_events (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    location_id      TEXT NOT NULL,
    integration_id   TEXT,
    integration_name TEXT,
    actor            TEXT NOT NULL,
    actor_user_id    TEXT,
    action           TEXT NOT NULL,
    detail           TEXT NOT NULL,
    ip               TEXT,
    at               BIGINT NOT NULL
);
CREATE INDEX audit_events_by_location ON audit_events (location_id, id);
CREATE INDEX audit_events_by_integration ON audit_events (integration_id, id);

-- scope is '' for calls that need no scope (token introspection).
CREATE TABLE integration_usage (
    integration_id TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    day            BIGINT NOT NULL,
    scope          TEXT NOT NULL,
    count          BIGINT NOT NULL,
    PRIMARY KEY (integration_id, day, scope)
);

-- data is the ContactFields JSON; search_text is the lowercased name, email, phone and company
-- for substring search; email_lower serves lookups by email.
CREATE TABLE contacts (
    id           TEXT COLLATE "C" PRIMARY KEY,
    location_id  TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    data         TEXT NOT NULL,
    search_text  TEXT NOT NULL,
    email_lower  TEXT,
    date_added   BIGINT NOT NULL,
    date_updated BIGINT NOT NULL
);
CREATE INDEX contacts_by_location_keyset ON contacts (location_id, date_added, id);
CREATE INDEX contacts_by_location_email ON contacts (location_id, email_lower);
