-- Every committed change a cached token grant depends on (an integration's scopes, expiry,
-- allowlist or existence, its tokens' expiry or existence) notifies the servers listening on
-- `ivorey_auth_<schema>` with the integration's id, from a trigger: in the changing
-- transaction itself, so the notice is sent if and only if the change commits, whoever made
-- it (the API, the CLI, an operator in psql). The counter is the same as SQLite's, for
-- operators; servers rely on the notifications. New integrations and new tokens notify no one:
-- unknown tokens are never cached.
CREATE TABLE auth_epoch (
    id    SMALLINT PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO auth_epoch (id, value) VALUES (1, 0);

CREATE FUNCTION auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    integration TEXT;
BEGIN
    IF TG_TABLE_NAME = 'integrations' THEN
        integration := OLD.id;
    ELSE
        integration := OLD.integration_id;
    END IF;
    UPDATE auth_epoch SET value = value + 1 WHERE id = 1;
    -- Channel names are at most 63 bytes; the server cuts its LISTEN name the same way.
    PERFORM pg_notify(left('ivorey_auth_' || TG_TABLE_SCHEMA, 63), integration);
    RETURN NULL;
END
$$;

-- Not `last_used_at` or `updated_at`: usage flushes every few seconds would empty the caches.
CREATE TRIGGER auth_changed_integration
AFTER UPDATE OF id, location_id, scopes, expires_at, ip_allowlist OR DELETE ON integrations
FOR EACH ROW EXECUTE FUNCTION auth_changed();

CREATE TRIGGER auth_changed_token
AFTER UPDATE OR DELETE ON integration_tokens
FOR EACH ROW EXECUTE FUNCTION auth_changed();
