-- One-time sign-in links a location's admin hands to a user they added: only the SHA-256 of
-- the link's token is stored. A link is used once (`used_at`) and ends at `expires_at`.
CREATE TABLE sign_in_links (
    token_hash  BLOB PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    location_id TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);
CREATE INDEX sign_in_links_by_member ON sign_in_links (location_id, user_id);
-- Removing a user's sessions when they leave a location.
CREATE INDEX sessions_by_user ON sessions (user_id);
-- Set while a user added by an admin has not chosen a password yet (their stored hash is of a
-- random password nobody knows); cleared when they use their link.
ALTER TABLE users ADD COLUMN invited_at INTEGER;
-- When the user joined the location (NULL for memberships made before this migration).
ALTER TABLE memberships ADD COLUMN added_at INTEGER;
