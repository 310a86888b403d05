-- A pipeline's board: each column pages its stage's opportunities newest arrival first, and
-- the column heads total each stage's count and value (covered, so the totals read only the
-- index). Both lead with (pipeline_id, stage_id), so the older index on just those goes.
CREATE INDEX opportunities_on_board
    ON opportunities (pipeline_id, stage_id, last_stage_change_at, id);
CREATE INDEX opportunities_stage_totals
    ON opportunities (pipeline_id, stage_id, status, monetary_value);
DROP INDEX opportunities_by_pipeline_stage;
