-- Cached token grants carry their location's rate-limit overrides (read in the same lookup,
-- so counting a request needs no query of its own). A change to the overrides therefore moves
-- the auth epoch too, so a server learns of one made by another process (`ivorey admin
-- set-rate-limits`) at its next request, as it does for scopes.
CREATE TRIGGER auth_epoch_rate_limits_insert AFTER INSERT ON location_rate_limits
BEGIN
    UPDATE auth_epoch SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_epoch_rate_limits_update AFTER UPDATE ON location_rate_limits
BEGIN
    UPDATE auth_epoch SET value = value + 1 WHERE id = 1;
END;

CREATE TRIGGER auth_epoch_rate_limits_delete AFTER DELETE ON location_rate_limits
BEGIN
    UPDATE auth_epoch SET value = value + 1 WHERE id = 1;
END;

-- (PostgreSQL's half of this migration also adds `last_grant` to its shared counters; SQLite
-- counts in the server's memory and has no counter table.)
