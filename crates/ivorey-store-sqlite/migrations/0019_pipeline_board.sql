-- A pipeline's board: each column pages its stage's opportunities newest arrival first, and
-- the column heads (and the dashboard) show each stage's count and value per status, kept by
-- triggers in `opportunity_stage_totals` so reading them costs a few rows however many deals
-- there are; whoever writes an opportunity (the API, the app, the CLI, a cascade) keeps them.
-- The older index on (pipeline_id, stage_id) is a prefix of the board's, so it goes.
CREATE INDEX opportunities_on_board
    ON opportunities (pipeline_id, stage_id, last_stage_change_at, id);
DROP INDEX opportunities_by_pipeline_stage;

CREATE TABLE opportunity_stage_totals (
    pipeline_id TEXT NOT NULL,
    stage_id    TEXT NOT NULL,
    status      TEXT NOT NULL,
    count       INTEGER NOT NULL,
    value       INTEGER NOT NULL,
    PRIMARY KEY (pipeline_id, stage_id, status),
    FOREIGN KEY (pipeline_id, stage_id) REFERENCES pipeline_stages (pipeline_id, id)
        ON DELETE CASCADE
);
INSERT INTO opportunity_stage_totals (pipeline_id, stage_id, status, count, value)
SELECT pipeline_id, stage_id, status, COUNT(*), SUM(monetary_value)
FROM opportunities GROUP BY pipeline_id, stage_id, status;

CREATE TRIGGER opportunity_totals_insert AFTER INSERT ON opportunities
BEGIN
    INSERT INTO opportunity_stage_totals (pipeline_id, stage_id, status, count, value)
    VALUES (NEW.pipeline_id, NEW.stage_id, NEW.status, 1, NEW.monetary_value)
    ON CONFLICT (pipeline_id, stage_id, status)
    DO UPDATE SET count = count + 1, value = value + excluded.value;
END;

CREATE TRIGGER opportunity_totals_delete AFTER DELETE ON opportunities
BEGIN
    UPDATE opportunity_stage_totals SET count = count - 1, value = value - OLD.monetary_value
    WHERE pipeline_id = OLD.pipeline_id AND stage_id = OLD.stage_id AND status = OLD.status;
END;

CREATE TRIGGER opportunity_totals_update
AFTER UPDATE OF pipeline_id, stage_id, status, monetary_value ON opportunities
BEGIN
    UPDATE opportunity_stage_totals SET count = count - 1, value = value - OLD.monetary_value
    WHERE pipeline_id = OLD.pipeline_id AND stage_id = OLD.stage_id AND status = OLD.status;
    INSERT INTO opportunity_stage_totals (pipeline_id, stage_id, status, count, value)
    VALUES (NEW.pipeline_id, NEW.stage_id, NEW.status, 1, NEW.monetary_value)
    ON CONFLICT (pipeline_id, stage_id, status)
    DO UPDATE SET count = count + 1, value = value + excluded.value;
END;
