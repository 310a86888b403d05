-- Per-location rate-limit overrides; NULL means the server's default. The counters themselves
-- live in the server's memory on SQLite (one node), so there is no counter table here.
CREATE TABLE location_rate_limits (
    location_id TEXT PRIMARY KEY REFERENCES locations (id) ON DELETE CASCADE,
    burst_max   INTEGER CHECK (burst_max IS NULL OR burst_max > 0),
    daily_max   INTEGER CHECK (daily_max IS NULL OR daily_max > 0),
    updated_at  INTEGER NOT NULL
);
