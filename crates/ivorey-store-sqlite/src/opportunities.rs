//! Pipelines and opportunities in SQLite. Money is an INTEGER of minor units; the composite
//! foreign keys of migration 2 keep every reference inside the opportunity's location, so a
//! refused reference surfaces here as a foreign-key violation and becomes `NotFound`.

use async_trait::async_trait;
use ivorey_core::opportunity::{MonetaryValue, Opportunity, OpportunityStatus, Pipeline, Stage};
use ivorey_core::{ContactId, LocationId, OpportunityId, PipelineId, StageId, Timestamp};
use ivorey_store::{
    OpportunityPage, OpportunityQuery, OpportunityStore, StoreError, StoreResult, contains_pattern,
};
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::locations::conversion_err;
use crate::{SqliteStore, db_err, is_unique_violation};

const COLUMNS: &str = "id, location_id, pipeline_id, stage_id, contact_id, name, status, \
     monetary_value, assigned_to, source, lost_reason_id, created_at, updated_at, \
     last_status_change_at, last_stage_change_at";

/// The filters of a search; `?2`..`?7` are NULL for "any".
const MATCHES: &str = "location_id = ?1
       AND (?2 IS NULL OR pipeline_id = ?2)
       AND (?3 IS NULL OR stage_id = ?3)
       AND (?4 IS NULL OR contact_id = ?4)
       AND (?5 IS NULL OR status = ?5)
       AND (?6 IS NULL OR assigned_to = ?6)
       AND (?7 IS NULL OR search_text LIKE ?7 ESCAPE '\\')";

const DUPLICATE: &str = "the contact already has an opportunity in this pipeline";

fn parsed<T, E>(column: usize, value: Result<T, E>) -> rusqlite::Result<T>
where
    E: std::error::Error + Send + Sync + 'static,
{
    value.map_err(|e| conversion_err(column, e))
}

fn opportunity_from_row(row: &Row<'_>) -> rusqlite::Result<Opportunity> {
    let text = |i: usize| row.get::<_, String>(i);
    let status = text(6)?;
    let status = OpportunityStatus::parse(&status)
        .ok_or_else(|| std::io::Error::other(format!("unknown status {status:?}")));
    let minor: i64 = row.get(7)?;
    let value = MonetaryValue::from_minor(minor)
        .ok_or_else(|| std::io::Error::other("monetary value out of range"));
    Ok(Opportunity {
        id: parsed(0, OpportunityId::parse(&text(0)?))?,
        location_id: parsed(1, LocationId::parse(&text(1)?))?,
        pipeline_id: parsed(2, PipelineId::parse(&text(2)?))?,
        stage_id: parsed(3, StageId::parse(&text(3)?))?,
        contact_id: parsed(4, ContactId::parse(&text(4)?))?,
        name: text(5)?,
        status: parsed(6, status)?,
        monetary_value: parsed(7, value)?,
        assigned_to: row.get(8)?,
        source: row.get(9)?,
        lost_reason_id: row.get(10)?,
        created_at: Timestamp(row.get(11)?),
        updated_at: Timestamp(row.get(12)?),
        last_status_change_at: Timestamp(row.get(13)?),
        last_stage_change_at: Timestamp(row.get(14)?),
    })
}

/// Maps a write's error: a broken reference is `NotFound`, a second opportunity of the same
/// contact in the same pipeline a `Conflict`.
fn write_err(e: rusqlite::Error) -> StoreError {
    let foreign_key = matches!(&e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY);
    if foreign_key {
        StoreError::NotFound
    } else if is_unique_violation(&e) {
        StoreError::Conflict(DUPLICATE)
    } else {
        db_err(e)
    }
}

/// The pipelines of `location` (only `only` when given), each with its stages in order.
fn load_pipelines(
    conn: &Connection,
    location: &LocationId,
    only: Option<&PipelineId>,
) -> StoreResult<Vec<Pipeline>> {
    let only = only.map(PipelineId::as_str);
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, location_id, name, created_at, updated_at FROM pipelines
             WHERE location_id = ?1 AND (?2 IS NULL OR id = ?2) ORDER BY created_at, id",
        )
        .map_err(db_err)?;
    let rows = stmt
        .query_map(params![location.as_str(), only], |row| {
            Ok(Pipeline {
                id: parsed(0, PipelineId::parse(&row.get::<_, String>(0)?))?,
                location_id: parsed(1, LocationId::parse(&row.get::<_, String>(1)?))?,
                name: row.get(2)?,
                stages: Vec::new(),
                created_at: Timestamp(row.get(3)?),
                updated_at: Timestamp(row.get(4)?),
            })
        })
        .map_err(db_err)?;
    let mut pipelines = rows.collect::<Result<Vec<_>, _>>().map_err(db_err)?;
    let mut stmt = conn
        .prepare_cached(
            "SELECT s.pipeline_id, s.id, s.name, s.position FROM pipeline_stages s
             JOIN pipelines p ON p.id = s.pipeline_id
             WHERE p.location_id = ?1 AND (?2 IS NULL OR p.id = ?2)
             ORDER BY s.pipeline_id, s.position",
        )
        .map_err(db_err)?;
    let stages = stmt
        .query_map(params![location.as_str(), only], |row| {
            let stage = Stage {
                id: parsed(1, StageId::parse(&row.get::<_, String>(1)?))?,
                name: row.get(2)?,
                position: row.get(3)?,
            };
            Ok((row.get::<_, String>(0)?, stage))
        })
        .map_err(db_err)?;
    for stage in stages {
        let (pipeline_id, stage) = stage.map_err(db_err)?;
        if let Some(p) = pipelines.iter_mut().find(|p| p.id.as_str() == pipeline_id) {
            p.stages.push(stage);
        }
    }
    Ok(pipelines)
}

fn query_params(q: &OpportunityQuery) -> [Option<String>; 6] {
    [
        q.pipeline_id.as_ref().map(|id| id.as_str().to_owned()),
        q.stage_id.as_ref().map(|id| id.as_str().to_owned()),
        q.contact_id.as_ref().map(|id| id.as_str().to_owned()),
        q.status.map(|s| s.as_str().to_owned()),
        q.assigned_to.clone(),
        q.query.as_deref().map(contains_pattern),
    ]
}

#[async_trait]
impl OpportunityStore for SqliteStore {
    async fn create_pipeline(&self, pipeline: &Pipeline) -> StoreResult<()> {
        let p = pipeline.clone();
        self.call(move |conn| {
            let tx = conn.transaction().map_err(db_err)?;
            tx.execute(
                "INSERT INTO pipelines (id, location_id, name, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    p.id.as_str(),
                    p.location_id.as_str(),
                    p.name,
                    p.created_at.0,
                    p.updated_at.0
                ],
            )
            .map_err(write_err)?;
            for s in &p.stages {
                tx.execute(
                    "INSERT INTO pipeline_stages (id, pipeline_id, name, position)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![s.id.as_str(), p.id.as_str(), s.name, s.position],
                )
                .map_err(write_err)?;
            }
            tx.commit().map_err(db_err)
        })
        .await
    }

    async fn list_pipelines(&self, location: &LocationId) -> StoreResult<Vec<Pipeline>> {
        let location = location.clone();
        self.read(move |conn| load_pipelines(conn, &location, None))
            .await
    }

    async fn get_pipeline(
        &self,
        location: &LocationId,
        id: &PipelineId,
    ) -> StoreResult<Option<Pipeline>> {
        let (location, id) = (location.clone(), id.clone());
        self.read(move |conn| Ok(load_pipelines(conn, &location, Some(&id))?.pop()))
            .await
    }

    async fn insert_opportunity(&self, o: &Opportunity) -> StoreResult<()> {
        let o = o.clone();
        self.call(move |conn| {
            let sql = format!(
                "INSERT INTO opportunities ({COLUMNS}, search_text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
            );
            conn.prepare_cached(&sql)
                .map_err(db_err)?
                .execute(params![
                    o.id.as_str(),
                    o.location_id.as_str(),
                    o.pipeline_id.as_str(),
                    o.stage_id.as_str(),
                    o.contact_id.as_str(),
                    o.name,
                    o.status.as_str(),
                    o.monetary_value.minor(),
                    o.assigned_to,
                    o.source,
                    o.lost_reason_id,
                    o.created_at.0,
                    o.updated_at.0,
                    o.last_status_change_at.0,
                    o.last_stage_change_at.0,
                    o.search_text()
                ])
                .map_err(write_err)?;
            Ok(())
        })
        .await
    }

    async fn get_opportunity(
        &self,
        location: &LocationId,
        id: &OpportunityId,
    ) -> StoreResult<Option<Opportunity>> {
        let (location, id) = (location.clone(), id.clone());
        self.read(move |conn| {
            let sql =
                format!("SELECT {COLUMNS} FROM opportunities WHERE id = ?1 AND location_id = ?2");
            conn.prepare_cached(&sql)
                .map_err(db_err)?
                .query_row(
                    params![id.as_str(), location.as_str()],
                    opportunity_from_row,
                )
                .optional()
                .map_err(db_err)
        })
        .await
    }

    async fn find_opportunity(
        &self,
        location: &LocationId,
        contact: &ContactId,
        pipeline: &PipelineId,
    ) -> StoreResult<Option<Opportunity>> {
        let (location, contact, pipeline) = (location.clone(), contact.clone(), pipeline.clone());
        self.read(move |conn| {
            let sql = format!(
                "SELECT {COLUMNS} FROM opportunities
                 WHERE location_id = ?1 AND contact_id = ?2 AND pipeline_id = ?3"
            );
            conn.prepare_cached(&sql)
                .map_err(db_err)?
                .query_row(
                    params![location.as_str(), contact.as_str(), pipeline.as_str()],
                    opportunity_from_row,
                )
                .optional()
                .map_err(db_err)
        })
        .await
    }

    async fn update_opportunity(&self, o: &Opportunity) -> StoreResult<()> {
        let o = o.clone();
        self.call(move |conn| {
            let changed = conn
                .prepare_cached(
                    "UPDATE opportunities SET pipeline_id = ?3, stage_id = ?4, name = ?5,
                       search_text = ?6, status = ?7, monetary_value = ?8, assigned_to = ?9,
                       source = ?10, lost_reason_id = ?11, updated_at = ?12,
                       last_status_change_at = ?13, last_stage_change_at = ?14
                     WHERE id = ?1 AND location_id = ?2",
                )
                .map_err(db_err)?
                .execute(params![
                    o.id.as_str(),
                    o.location_id.as_str(),
                    o.pipeline_id.as_str(),
                    o.stage_id.as_str(),
                    o.name,
                    o.search_text(),
                    o.status.as_str(),
                    o.monetary_value.minor(),
                    o.assigned_to,
                    o.source,
                    o.lost_reason_id,
                    o.updated_at.0,
                    o.last_status_change_at.0,
                    o.last_stage_change_at.0
                ])
                .map_err(write_err)?;
            if changed == 0 {
                Err(StoreError::NotFound)
            } else {
                Ok(())
            }
        })
        .await
    }

    async fn delete_opportunity(
        &self,
        location: &LocationId,
        id: &OpportunityId,
    ) -> StoreResult<()> {
        let (location, id) = (location.clone(), id.clone());
        self.call(move |conn| {
            let removed = conn
                .execute(
                    "DELETE FROM opportunities WHERE id = ?1 AND location_id = ?2",
                    params![id.as_str(), location.as_str()],
                )
                .map_err(db_err)?;
            if removed == 0 {
                Err(StoreError::NotFound)
            } else {
                Ok(())
            }
        })
        .await
    }

    async fn search_opportunities(
        &self,
        location: &LocationId,
        q: &OpportunityQuery,
    ) -> StoreResult<OpportunityPage> {
        let (location, q) = (location.clone(), q.clone());
        self.read(move |conn| {
            let [pipeline, stage, contact, status, assigned, pattern] = query_params(&q);
            let (after_at, after_id) = match &q.after {
                Some((at, id)) => (Some(at.0), Some(id.clone())),
                None => (None, None),
            };
            let offset = i64::try_from(q.offset).unwrap_or(i64::MAX);
            let sql = format!(
                "SELECT {COLUMNS} FROM opportunities WHERE {MATCHES}
                   AND (?8 IS NULL OR (created_at, id) > (?8, ?9))
                 ORDER BY created_at, id LIMIT ?10 OFFSET ?11"
            );
            let mut stmt = conn.prepare_cached(&sql).map_err(db_err)?;
            let rows = stmt
                .query_map(
                    params![
                        location.as_str(),
                        pipeline,
                        stage,
                        contact,
                        status,
                        assigned,
                        pattern,
                        after_at,
                        after_id,
                        q.limit,
                        offset
                    ],
                    opportunity_from_row,
                )
                .map_err(db_err)?;
            let opportunities = rows.collect::<Result<Vec<_>, _>>().map_err(db_err)?;
            let total: i64 = conn
                .prepare_cached(&format!(
                    "SELECT COUNT(*) FROM opportunities WHERE {MATCHES}"
                ))
                .map_err(db_err)?
                .query_row(
                    params![
                        location.as_str(),
                        pipeline,
                        stage,
                        contact,
                        status,
                        assigned,
                        pattern
                    ],
                    |r| r.get(0),
                )
                .map_err(db_err)?;
            Ok(OpportunityPage {
                opportunities,
                total: u64::try_from(total).unwrap_or(0),
            })
        })
        .await
    }
}
