-- Pipelines with ordered stages, and opportunities. Composite foreign keys keep an
-- opportunity's contact, pipeline and stage in its own location (and the stage in its
-- pipeline), whatever the caller does; they need these unique keys on the parents. Ids are
-- COLLATE "C" as in 0001, so keyset order is bytewise as on SQLite and the keys match.
CREATE UNIQUE INDEX contacts_location_id_key ON contacts (location_id, id);

CREATE TABLE pipelines (
    id          TEXT COLLATE "C" PRIMARY KEY,
    location_id TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (location_id, id)
);
CREATE INDEX pipelines_by_location ON pipelines (location_id, created_at, id);

-- position counts from 0 in pipeline order.
CREATE TABLE pipeline_stages (
    id          TEXT COLLATE "C" PRIMARY KEY,
    pipeline_id TEXT COLLATE "C" NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    position    BIGINT NOT NULL,
    UNIQUE (pipeline_id, id),
    UNIQUE (pipeline_id, position)
);

-- monetary_value is in minor units (cents), never a float. search_text is the lowercased
-- name. One opportunity per contact and pipeline: the key that upsert matches on.
CREATE TABLE opportunities (
    id                    TEXT COLLATE "C" PRIMARY KEY,
    location_id           TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    pipeline_id           TEXT COLLATE "C" NOT NULL,
    stage_id              TEXT COLLATE "C" NOT NULL,
    contact_id            TEXT COLLATE "C" NOT NULL,
    name                  TEXT NOT NULL,
    search_text           TEXT NOT NULL,
    status                TEXT NOT NULL CHECK (status IN ('open', 'won', 'lost', 'abandoned')),
    monetary_value        BIGINT NOT NULL CHECK (monetary_value >= 0),
    assigned_to           TEXT,
    source                TEXT,
    lost_reason_id        TEXT,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL,
    last_status_change_at BIGINT NOT NULL,
    last_stage_change_at  BIGINT NOT NULL,
    FOREIGN KEY (location_id, contact_id) REFERENCES contacts (location_id, id) ON DELETE CASCADE,
    FOREIGN KEY (location_id, pipeline_id) REFERENCES pipelines (location_id, id),
    FOREIGN KEY (pipeline_id, stage_id) REFERENCES pipeline_stages (pipeline_id, id),
    UNIQUE (location_id, contact_id, pipeline_id)
);
CREATE INDEX opportunities_by_location_keyset ON opportunities (location_id, created_at, id);
CREATE INDEX opportunities_by_pipeline_stage ON opportunities (pipeline_id, stage_id);
