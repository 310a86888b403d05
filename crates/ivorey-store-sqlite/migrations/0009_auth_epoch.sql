-- A counter that moves with every committed change a cached token grant depends on: an
-- integration's scopes, expiry, allowlist or existence, and its tokens' expiry or existence.
-- A server compares it (after `PRAGMA data_version` says another connection committed) to
-- learn that another process, such as `ivorey integrations delete`, changed what a token may
-- do. New integrations and new tokens do not move it: unknown tokens are never cached.
CREATE TABLE auth_epoch (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO auth_epoch (id, value) VALUES (1, 0);

-- Not `last_used_at` or `updated_at`: usage flushes every few seconds would empty the cache.
CREATE TRIGGER auth_epoch_integration_update
AFTER UPDATE OF id, location_id, scopes, expires_at, ip_allowlist ON integrations
BEGIN
    UPDATE auth_epoch SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_epoch_integration_delete AFTER DELETE ON integrations
BEGIN
    UPDATE auth_epoch SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_epoch_token_update AFTER UPDATE ON integration_tokens
BEGIN
    UPDATE auth_epoch SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_epoch_token_delete AFTER DELETE ON integration_tokens
BEGIN
    UPDATE auth_epoch SET value = value + 1 WHERE id = 1;
END;
