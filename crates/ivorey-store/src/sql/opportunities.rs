//! Pipelines and opportunities. Money is a `BIGINT` of minor units; the composite foreign keys
//! of migration 2 keep every reference inside the opportunity's location, so a refused
//! reference is `NotFound`.

use async_trait::async_trait;
use ivorey_core::changed_by::ChangedBy;
use ivorey_core::contact::ContactFields;
use ivorey_core::opportunity::{MonetaryValue, Opportunity, OpportunityStatus, Pipeline, Stage};
use ivorey_core::{ContactId, LocationId, OpportunityId, PipelineId, StageId};

use super::{Db, Row, Sql, SqlBackend, changed_by, corrupt, encoded, id, ts};
use crate::{
    BoardCard, BoardQuery, OpportunityPage, OpportunityQuery, OpportunityStore, PIPELINE_IN_USE,
    STAGE_IN_USE, StageTotal, StoreError, StoreResult, contains_pattern, params, run,
};

macro_rules! columns {
    () => {
        "id, location_id, pipeline_id, stage_id, contact_id, name, status, monetary_value, \
         assigned_to, source, lost_reason_id, created_at, updated_at, last_status_change_at, \
         last_stage_change_at, created_by, updated_by"
    };
}

/// The filters of a search; `$2`..`$7` are NULL for "any" (cast, so PostgreSQL knows their
/// type where it sees only `IS NULL`).
macro_rules! filters {
    () => {
        "location_id = $1
           AND (CAST($2 AS TEXT) IS NULL OR pipeline_id = $2)
           AND (CAST($3 AS TEXT) IS NULL OR stage_id = $3)
           AND (CAST($4 AS TEXT) IS NULL OR contact_id = $4)
           AND (CAST($5 AS TEXT) IS NULL OR status = $5)
           AND (CAST($6 AS TEXT) IS NULL OR assigned_to = $6)
           AND (CAST($7 AS TEXT) IS NULL OR search_text LIKE $7 ESCAPE '\\')"
    };
}

static INSERT_PIPELINE: Sql = Sql::new(
    "INSERT INTO pipelines (id, location_id, name, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5)",
);
static INSERT_STAGE: Sql = Sql::new(
    "INSERT INTO pipeline_stages (id, pipeline_id, name, position) VALUES ($1, $2, $3, $4)",
);
static PIPELINES: Sql = Sql::new(
    "SELECT id, location_id, name, created_at, updated_at FROM pipelines
     WHERE location_id = $1 AND (CAST($2 AS TEXT) IS NULL OR id = $2) ORDER BY created_at, id",
);
static STAGES: Sql = Sql::new(
    "SELECT s.pipeline_id, s.id, s.name, s.position FROM pipeline_stages s
     JOIN pipelines p ON p.id = s.pipeline_id
     WHERE p.location_id = $1 AND (CAST($2 AS TEXT) IS NULL OR p.id = $2)
     ORDER BY s.pipeline_id, s.position",
);
static INSERT: Sql = Sql::new(concat!(
    "INSERT INTO opportunities (",
    columns!(),
    ", search_text)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
));
static GET: Sql = Sql::new(concat!(
    "SELECT ",
    columns!(),
    " FROM opportunities WHERE id = $1 AND location_id = $2"
));
static FIND: Sql = Sql::new(concat!(
    "SELECT ",
    columns!(),
    " FROM opportunities WHERE location_id = $1 AND contact_id = $2 AND pipeline_id = $3"
));
static UPDATE: Sql = Sql::new(
    "UPDATE opportunities SET pipeline_id = $3, stage_id = $4, name = $5,
       search_text = $6, status = $7, monetary_value = $8, assigned_to = $9,
       source = $10, lost_reason_id = $11, updated_at = $12,
       last_status_change_at = $13, last_stage_change_at = $14, updated_by = $15
     WHERE id = $1 AND location_id = $2",
);
static DELETE: Sql = Sql::new("DELETE FROM opportunities WHERE id = $1 AND location_id = $2");
// The row comparison walks the (location_id, created_at, id) index; ids compare bytewise on
// both backends (COLLATE "C" on PostgreSQL).
static SEARCH: Sql = Sql::replanned(concat!(
    "SELECT ",
    columns!(),
    " FROM opportunities WHERE ",
    filters!(),
    "
       AND (CAST($8 AS BIGINT) IS NULL OR (created_at, id) > ($8, CAST($9 AS TEXT)))
     ORDER BY created_at, id LIMIT $10 OFFSET $11"
));
static COUNT: Sql = Sql::replanned(concat!(
    "SELECT COUNT(*) FROM opportunities WHERE ",
    filters!()
));

static RENAME_PIPELINE: Sql =
    Sql::new("UPDATE pipelines SET name = $3, updated_at = $4 WHERE id = $1 AND location_id = $2");
static STAGE_IDS: Sql = Sql::new("SELECT id FROM pipeline_stages WHERE pipeline_id = $1");
// Positions are unique per pipeline, so before the new order is written every stage steps
// aside to a negative position (distinct, and below every real one).
static PARK_STAGES: Sql =
    Sql::new("UPDATE pipeline_stages SET position = -1 - position WHERE pipeline_id = $1");
// A stage id of another pipeline matches the conflict but not the WHERE: nothing changes,
// and the caller hears `NotFound`.
static UPSERT_STAGE: Sql = Sql::new(
    "INSERT INTO pipeline_stages (id, pipeline_id, name, position) VALUES ($1, $2, $3, $4)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, position = excluded.position
     WHERE pipeline_stages.pipeline_id = excluded.pipeline_id",
);
static MOVE_STAGE_OPPORTUNITIES: Sql = Sql::new(
    "UPDATE opportunities SET stage_id = $4, last_stage_change_at = $5, updated_at = $5,
       updated_by = $6
     WHERE location_id = $1 AND pipeline_id = $2 AND stage_id = $3",
);
static STAGE_HAS_OPPORTUNITIES: Sql = Sql::new(
    "SELECT EXISTS (SELECT 1 FROM opportunities WHERE pipeline_id = $1 AND stage_id = $2)",
);
static DELETE_STAGE: Sql =
    Sql::new("DELETE FROM pipeline_stages WHERE pipeline_id = $1 AND id = $2");
static PIPELINE_HAS_OPPORTUNITIES: Sql = Sql::new(
    "SELECT EXISTS (SELECT 1 FROM opportunities WHERE location_id = $1 AND pipeline_id = $2)",
);
static DELETE_PIPELINE: Sql = Sql::new("DELETE FROM pipelines WHERE id = $1 AND location_id = $2");
// The totals the triggers of migration 19 keep, summed over the statuses asked for; the
// pipeline must be the location's.
static STAGE_TOTALS: Sql = Sql::new(
    "SELECT t.stage_id, CAST(SUM(t.count) AS BIGINT), CAST(SUM(t.value) AS BIGINT)
     FROM opportunity_stage_totals t JOIN pipelines p ON p.id = t.pipeline_id
     WHERE p.location_id = $1 AND t.pipeline_id = $2
       AND (CAST($3 AS TEXT) IS NULL OR t.status = $3) AND t.count > 0
     GROUP BY t.stage_id",
);
// The inner query walks `opportunities_on_board` (pipeline, stage, last_stage_change_at, id)
// backwards; the outer one adds each card's contact (in the same location, by the foreign key).
static BOARD_COLUMN: Sql = Sql::new(concat!(
    "SELECT o.*, (SELECT c.data FROM contacts c
                  WHERE c.location_id = o.location_id AND c.id = o.contact_id)
     FROM (SELECT ",
    columns!(),
    " FROM opportunities
           WHERE location_id = $1 AND pipeline_id = $2 AND stage_id = $3
             AND (CAST($4 AS TEXT) IS NULL OR status = $4)
             AND (CAST($5 AS BIGINT) IS NULL
                  OR (last_stage_change_at, id) < ($5, CAST($6 AS TEXT)))
           ORDER BY last_stage_change_at DESC, id DESC LIMIT $7) o
     ORDER BY o.last_stage_change_at DESC, o.id DESC"
));

const DUPLICATE: &str = "the contact already has an opportunity in this pipeline";

/// A write's outcome: a unique violation here can only be the one-per-contact-and-pipeline
/// rule (ids are random), so it gets that name.
fn named<T>(r: StoreResult<T>) -> StoreResult<T> {
    match r {
        Err(StoreError::Conflict(_)) => Err(StoreError::Conflict(DUPLICATE)),
        other => other,
    }
}

fn opportunity(row: &dyn Row) -> StoreResult<Opportunity> {
    Ok(Opportunity {
        id: id(row, 0)?,
        location_id: id(row, 1)?,
        pipeline_id: id(row, 2)?,
        stage_id: id(row, 3)?,
        contact_id: id(row, 4)?,
        name: row.string(5)?,
        status: OpportunityStatus::parse(row.str(6)?)
            .ok_or_else(|| corrupt("opportunity status"))?,
        monetary_value: MonetaryValue::from_minor(row.int(7)?)
            .ok_or_else(|| corrupt("monetary value"))?,
        assigned_to: row.opt_string(8)?,
        source: row.opt_string(9)?,
        lost_reason_id: row.opt_string(10)?,
        created_at: ts(row, 11)?,
        updated_at: ts(row, 12)?,
        last_status_change_at: ts(row, 13)?,
        last_stage_change_at: ts(row, 14)?,
        created_by: changed_by(row, 15)?,
        updated_by: changed_by(row, 16)?,
    })
}

fn pipeline(row: &dyn Row) -> StoreResult<Pipeline> {
    Ok(Pipeline {
        id: id(row, 0)?,
        location_id: id(row, 1)?,
        name: row.string(2)?,
        stages: Vec::new(),
        created_at: ts(row, 3)?,
        updated_at: ts(row, 4)?,
    })
}

/// A stage and the id of its pipeline.
fn stage(row: &dyn Row) -> StoreResult<(String, Stage)> {
    let stage = Stage {
        id: id(row, 1)?,
        name: row.string(2)?,
        position: u32::try_from(row.int(3)?).map_err(|_| corrupt("stage position"))?,
    };
    Ok((row.string(0)?, stage))
}

/// A board card: the opportunity and its contact's name (column 17 holds the contact's data).
fn board_card(row: &dyn Row) -> StoreResult<BoardCard> {
    let contact: ContactFields = row.json(17, "contact data")?;
    Ok(BoardCard {
        opportunity: opportunity(row)?,
        contact_name: contact.display_name(),
    })
}

fn stage_total(row: &dyn Row) -> StoreResult<StageTotal> {
    Ok(StageTotal {
        stage_id: id(row, 0)?,
        count: u64::try_from(row.int(1)?).unwrap_or(0),
        value_minor: row.int(2)?,
    })
}

fn count(row: &dyn Row) -> StoreResult<u64> {
    Ok(u64::try_from(row.int(0)?).unwrap_or(0))
}

/// The pipelines of `location` (only `only` when given), each with its stages in order.
async fn load_pipelines(
    db: &mut dyn Db,
    location: &LocationId,
    only: Option<&PipelineId>,
) -> StoreResult<Vec<Pipeline>> {
    let mut pipelines = db
        .rows(&PIPELINES, params![location, only], pipeline)
        .await?;
    let stages = db.rows(&STAGES, params![location, only], stage).await?;
    for (pipeline_id, stage) in stages {
        if let Some(p) = pipelines.iter_mut().find(|p| p.id.as_str() == pipeline_id) {
            p.stages.push(stage);
        }
    }
    Ok(pipelines)
}

/// `update_pipeline`'s transaction: see the trait.
async fn save_pipeline(
    db: &mut dyn Db,
    p: &Pipeline,
    moves: &[(StageId, StageId)],
    by: &ChangedBy,
) -> StoreResult<()> {
    let renamed = params![&p.id, &p.location_id, &p.name, p.updated_at];
    db.change(&RENAME_PIPELINE, renamed).await?;
    let stored: Vec<String> = db
        .rows(&STAGE_IDS, params![&p.id], |row| row.string(0))
        .await?;
    db.execute(&PARK_STAGES, params![&p.id]).await?;
    for s in &p.stages {
        let row = params![&s.id, &p.id, &s.name, i64::from(s.position)];
        db.change(&UPSERT_STAGE, row).await?;
    }
    let by = encoded(&Some(by.clone()));
    for (from, to) in moves {
        let moved = params![&p.location_id, &p.id, from, to, p.updated_at, &by];
        db.execute(&MOVE_STAGE_OPPORTUNITIES, moved).await?;
    }
    let dropped = stored
        .iter()
        .filter(|stored| !p.stages.iter().any(|s| s.id.as_str() == stored.as_str()));
    for stage in dropped {
        let in_use = db
            .one(&STAGE_HAS_OPPORTUNITIES, params![&p.id, stage], |r| {
                r.bool(0)
            })
            .await?;
        if in_use {
            return Err(StoreError::Conflict(STAGE_IN_USE));
        }
        db.execute(&DELETE_STAGE, params![&p.id, stage]).await?;
    }
    Ok(())
}

#[async_trait]
impl<B: SqlBackend> OpportunityStore for B {
    async fn create_pipeline(&self, p: &Pipeline) -> StoreResult<()> {
        run!(self.write, [p], |db| {
            let row = params![&p.id, &p.location_id, &p.name, p.created_at, p.updated_at];
            named(db.execute(&INSERT_PIPELINE, row).await)?;
            for s in &p.stages {
                let row = params![&s.id, &p.id, &s.name, i64::from(s.position)];
                named(db.execute(&INSERT_STAGE, row).await)?;
            }
            Ok(())
        })
    }

    async fn list_pipelines(&self, location: &LocationId) -> StoreResult<Vec<Pipeline>> {
        run!(self.read, [location], |db| {
            load_pipelines(db, &location, None).await
        })
    }

    async fn get_pipeline(
        &self,
        location: &LocationId,
        id: &PipelineId,
    ) -> StoreResult<Option<Pipeline>> {
        run!(self.read, [location, id], |db| {
            Ok(load_pipelines(db, &location, Some(&id)).await?.pop())
        })
    }

    async fn insert_opportunity(&self, o: &Opportunity) -> StoreResult<()> {
        run!(self.write, [o], |db| {
            let search_text = o.search_text();
            let (created_by, updated_by) = (encoded(&o.created_by), encoded(&o.updated_by));
            let row = params![
                &o.id,
                &o.location_id,
                &o.pipeline_id,
                &o.stage_id,
                &o.contact_id,
                &o.name,
                o.status.as_str(),
                o.monetary_value.minor(),
                o.assigned_to.as_ref(),
                o.source.as_ref(),
                o.lost_reason_id.as_ref(),
                o.created_at,
                o.updated_at,
                o.last_status_change_at,
                o.last_stage_change_at,
                &created_by,
                &updated_by,
                &search_text
            ];
            named(db.execute(&INSERT, row).await).map(drop)
        })
    }

    async fn get_opportunity(
        &self,
        location: &LocationId,
        id: &OpportunityId,
    ) -> StoreResult<Option<Opportunity>> {
        run!(self.read, [location, id], |db| {
            db.opt(&GET, params![&id, &location], opportunity).await
        })
    }

    async fn find_opportunity(
        &self,
        location: &LocationId,
        contact: &ContactId,
        pipeline: &PipelineId,
    ) -> StoreResult<Option<Opportunity>> {
        run!(self.read, [location, contact, pipeline], |db| {
            let p = params![&location, &contact, &pipeline];
            db.opt(&FIND, p, opportunity).await
        })
    }

    async fn update_opportunity(&self, o: &Opportunity) -> StoreResult<()> {
        run!(self.write, [o], |db| {
            let search_text = o.search_text();
            let updated_by = encoded(&o.updated_by);
            let row = params![
                &o.id,
                &o.location_id,
                &o.pipeline_id,
                &o.stage_id,
                &o.name,
                &search_text,
                o.status.as_str(),
                o.monetary_value.minor(),
                o.assigned_to.as_ref(),
                o.source.as_ref(),
                o.lost_reason_id.as_ref(),
                o.updated_at,
                o.last_status_change_at,
                o.last_stage_change_at,
                &updated_by
            ];
            named(db.change(&UPDATE, row).await)
        })
    }

    async fn delete_opportunity(
        &self,
        location: &LocationId,
        id: &OpportunityId,
    ) -> StoreResult<()> {
        run!(self.write, [location, id], |db| {
            db.change(&DELETE, params![&id, &location]).await
        })
    }

    async fn search_opportunities(
        &self,
        location: &LocationId,
        q: &OpportunityQuery,
    ) -> StoreResult<OpportunityPage> {
        run!(self.read, [location, q], |db| {
            let pipeline = q.pipeline_id.as_ref();
            let stage = q.stage_id.as_ref();
            let contact = q.contact_id.as_ref();
            let status = q.status.map(OpportunityStatus::as_str);
            let assigned = q.assigned_to.as_ref();
            let pattern = q.query.as_deref().map(contains_pattern);
            let after_at = q.after.as_ref().map(|(at, _)| *at);
            let after_id = q.after.as_ref().map(|(_, id)| id);
            let limit = i64::from(q.limit);
            let offset = i64::try_from(q.offset).unwrap_or(i64::MAX);
            let page = params![
                &location,
                pipeline,
                stage,
                contact,
                status,
                assigned,
                pattern.as_ref(),
                after_at,
                after_id,
                limit,
                offset
            ];
            let opportunities = db.rows(&SEARCH, page, opportunity).await?;
            let filters = params![
                &location,
                pipeline,
                stage,
                contact,
                status,
                assigned,
                pattern.as_ref()
            ];
            let total = if q.skip_total {
                0
            } else {
                db.one(&COUNT, filters, count).await?
            };
            Ok(OpportunityPage {
                opportunities,
                total,
            })
        })
    }

    async fn update_pipeline(
        &self,
        pipeline: &Pipeline,
        moves: &[(StageId, StageId)],
        by: &ChangedBy,
    ) -> StoreResult<()> {
        run!(self.write, [pipeline, moves, by], |db| {
            save_pipeline(db, &pipeline, &moves, &by).await
        })
    }

    async fn delete_pipeline(&self, location: &LocationId, id: &PipelineId) -> StoreResult<()> {
        run!(self.write, [location, id], |db| {
            let key = params![&location, &id];
            if db
                .one(&PIPELINE_HAS_OPPORTUNITIES, key, |r| r.bool(0))
                .await?
            {
                return Err(StoreError::Conflict(PIPELINE_IN_USE));
            }
            db.change(&DELETE_PIPELINE, params![&id, &location]).await
        })
    }

    async fn stage_totals(
        &self,
        location: &LocationId,
        pipeline: &PipelineId,
        status: Option<OpportunityStatus>,
    ) -> StoreResult<Vec<StageTotal>> {
        run!(self.read, [location, pipeline], |db| {
            let status = status.map(OpportunityStatus::as_str);
            let filters = params![&location, &pipeline, status];
            db.rows(&STAGE_TOTALS, filters, stage_total).await
        })
    }

    async fn board_column(
        &self,
        location: &LocationId,
        q: &BoardQuery,
    ) -> StoreResult<Vec<BoardCard>> {
        run!(self.read, [location, q], |db| {
            let status = q.status.map(OpportunityStatus::as_str);
            let after_at = q.after.as_ref().map(|(at, _)| *at);
            let after_id = q.after.as_ref().map(|(_, id)| id);
            let page = params![
                &location,
                &q.pipeline_id,
                &q.stage_id,
                status,
                after_at,
                after_id,
                i64::from(q.limit)
            ];
            db.rows(&BOARD_COLUMN, page, board_card).await
        })
    }
}
