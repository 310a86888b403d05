-- Cached token grants carry their location's rate-limit overrides (read in the same lookup).
-- A committed change to the overrides notifies the servers listening on `ivorey_auth_<schema>`
-- with the payload '*', which is no integration id: each node empties its cache, and every
-- token's next request reads its grant, with the new limits, anew. Such changes are rare.
CREATE FUNCTION rate_limits_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE auth_epoch SET value = value + 1 WHERE id = 1;
    PERFORM pg_notify(left('ivorey_auth_' || TG_TABLE_SCHEMA, 63), '*');
    RETURN NULL;
END
$$;

CREATE TRIGGER rate_limits_changed
AFTER INSERT OR UPDATE OR DELETE ON location_rate_limits
FOR EACH STATEMENT EXECUTE FUNCTION rate_limits_changed();

-- Nodes reserve a few requests at a time (a lease, see the server's limiter): the counter's
-- statement records how many it granted in the same UPDATE that adds them, so the grant can
-- be returned (`RETURNING` shows only the new row, whose count alone cannot tell).
ALTER TABLE rate_limit_windows ADD COLUMN last_grant BIGINT NOT NULL DEFAULT 1;
