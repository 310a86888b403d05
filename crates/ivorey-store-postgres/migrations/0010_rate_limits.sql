-- Per-location rate-limit overrides; NULL means the server's default.
CREATE TABLE location_rate_limits (
    location_id TEXT PRIMARY KEY REFERENCES locations (id) ON DELETE CASCADE,
    burst_max   BIGINT CHECK (burst_max IS NULL OR burst_max > 0),
    daily_max   BIGINT CHECK (daily_max IS NULL OR daily_max > 0),
    updated_at  BIGINT NOT NULL
);

-- Request counters shared by every server node: one row per (key, fixed window). UNLOGGED:
-- no WAL traffic for a write on every request; after a database crash the table is empty,
-- which only resets the current windows. Rows are purged once `expires_at` has passed.
CREATE UNLOGGED TABLE rate_limit_windows (
    key          TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    count        BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_limit_windows_by_expiry ON rate_limit_windows (expires_at);
