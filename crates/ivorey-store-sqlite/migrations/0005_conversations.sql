-- Conversations (at most one per contact), their messages, and each location's delivery
-- settings. Composite foreign keys keep a conversation in its contact's location and a message
-- in its conversation's location; deleting a contact deletes its conversation and messages.
CREATE TABLE conversations (
    id                     TEXT PRIMARY KEY,
    location_id            TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    contact_id             TEXT NOT NULL,
    unread_count           INTEGER NOT NULL DEFAULT 0,
    starred                INTEGER NOT NULL DEFAULT 0,
    last_message_body      TEXT,
    last_message_type      TEXT,
    last_message_direction TEXT,
    last_activity_at       INTEGER NOT NULL,
    has_messages           INTEGER NOT NULL DEFAULT 0,
    date_added             INTEGER NOT NULL,
    date_updated           INTEGER NOT NULL,
    UNIQUE (location_id, id),
    UNIQUE (location_id, contact_id),
    FOREIGN KEY (location_id, contact_id) REFERENCES contacts (location_id, id) ON DELETE CASCADE
);
CREATE INDEX conversations_by_activity ON conversations (location_id, last_activity_at, id);

-- content is JSON (subject, html, addresses, attachments). lease_until is set while a
-- delivery worker holds the message; a lease that ended lets another worker take it over.
CREATE TABLE messages (
    id              TEXT PRIMARY KEY,
    location_id     TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    contact_id      TEXT NOT NULL,
    message_type    TEXT NOT NULL,
    direction       TEXT NOT NULL,
    status          TEXT NOT NULL,
    body            TEXT NOT NULL,
    content         TEXT NOT NULL,
    source          TEXT NOT NULL,
    error           TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_until     INTEGER,
    date_added      INTEGER NOT NULL,
    date_updated    INTEGER NOT NULL,
    FOREIGN KEY (location_id, conversation_id)
        REFERENCES conversations (location_id, id) ON DELETE CASCADE
);
CREATE INDEX messages_by_conversation
    ON messages (location_id, conversation_id, date_added, id);
CREATE INDEX messages_outbox ON messages (date_added, id)
    WHERE status = 'pending' AND direction = 'outbound';

-- Secrets (smtp_password, webhook_secret) are never returned by the API once saved.
CREATE TABLE messaging_settings (
    location_id    TEXT PRIMARY KEY REFERENCES locations (id) ON DELETE CASCADE,
    smtp_host      TEXT,
    smtp_port      INTEGER,
    smtp_tls       TEXT,
    smtp_username  TEXT,
    smtp_password  TEXT,
    smtp_from      TEXT,
    webhook_url    TEXT,
    webhook_secret TEXT,
    updated_at     INTEGER NOT NULL
);
