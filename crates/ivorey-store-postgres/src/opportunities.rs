//! Pipelines and opportunities in PostgreSQL. Money is a BIGINT of minor units; the composite
//! foreign keys of migration 2 keep every reference inside the opportunity's location, and
//! `db_err` already maps their violation to `NotFound`.

use async_trait::async_trait;
use ivorey_core::opportunity::{MonetaryValue, Opportunity, OpportunityStatus, Pipeline, Stage};
use ivorey_core::{ContactId, LocationId, OpportunityId, PipelineId};
use ivorey_store::{
    OpportunityPage, OpportunityQuery, OpportunityStore, StoreError, StoreResult, contains_pattern,
};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use crate::PgStore;
use crate::error::{corrupt, db_err};
use crate::row::{from_db_count, get, id, ts};

const COLUMNS: &str = "id, location_id, pipeline_id, stage_id, contact_id, name, status, \
     monetary_value, assigned_to, source, lost_reason_id, created_at, updated_at, \
     last_status_change_at, last_stage_change_at";

/// The filters of a search; `$2`..`$7` are NULL for "any".
const MATCHES: &str = "location_id = $1 \
     AND ($2::text IS NULL OR pipeline_id = $2) \
     AND ($3::text IS NULL OR stage_id = $3) \
     AND ($4::text IS NULL OR contact_id = $4) \
     AND ($5::text IS NULL OR status = $5) \
     AND ($6::text IS NULL OR assigned_to = $6) \
     AND ($7::text IS NULL OR search_text LIKE $7 ESCAPE '\\')";

const DUPLICATE: &str = "the contact already has an opportunity in this pipeline";

fn from_row(row: &Row) -> StoreResult<Opportunity> {
    let status: &str = get(row, "status")?;
    let minor: i64 = get(row, "monetary_value")?;
    Ok(Opportunity {
        id: id(row, "id")?,
        location_id: id(row, "location_id")?,
        pipeline_id: id(row, "pipeline_id")?,
        stage_id: id(row, "stage_id")?,
        contact_id: id(row, "contact_id")?,
        name: get(row, "name")?,
        status: OpportunityStatus::parse(status).ok_or_else(|| corrupt("opportunity status"))?,
        monetary_value: MonetaryValue::from_minor(minor)
            .ok_or_else(|| corrupt("monetary value"))?,
        assigned_to: get(row, "assigned_to")?,
        source: get(row, "source")?,
        lost_reason_id: get(row, "lost_reason_id")?,
        created_at: ts(row, "created_at")?,
        updated_at: ts(row, "updated_at")?,
        last_status_change_at: ts(row, "last_status_change_at")?,
        last_stage_change_at: ts(row, "last_stage_change_at")?,
    })
}

/// A write's error: `db_err` makes a broken reference `NotFound`; a unique violation here can
/// only be the one-per-contact-and-pipeline rule (ids are random), so it gets that name.
fn write_err(e: tokio_postgres::Error) -> StoreError {
    match db_err(e) {
        StoreError::Conflict(_) => StoreError::Conflict(DUPLICATE),
        other => other,
    }
}

impl PgStore {
    /// The pipelines of `location` (only `only` when given), each with its stages in order.
    async fn load_pipelines(
        &self,
        location: &LocationId,
        only: Option<&PipelineId>,
    ) -> StoreResult<Vec<Pipeline>> {
        let only = only.map(PipelineId::as_str);
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT id, location_id, name, created_at, updated_at FROM pipelines \
                 WHERE location_id = $1 AND ($2::text IS NULL OR id = $2) \
                 ORDER BY created_at, id",
                &[&location.as_str(), &only],
            )
            .await
            .map_err(db_err)?;
        let mut pipelines = rows
            .iter()
            .map(|row| {
                Ok(Pipeline {
                    id: id(row, "id")?,
                    location_id: id(row, "location_id")?,
                    name: get(row, "name")?,
                    stages: Vec::new(),
                    created_at: ts(row, "created_at")?,
                    updated_at: ts(row, "updated_at")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let stages = client
            .query(
                "SELECT s.pipeline_id, s.id, s.name, s.position FROM pipeline_stages s \
                 JOIN pipelines p ON p.id = s.pipeline_id \
                 WHERE p.location_id = $1 AND ($2::text IS NULL OR p.id = $2) \
                 ORDER BY s.pipeline_id, s.position",
                &[&location.as_str(), &only],
            )
            .await
            .map_err(db_err)?;
        for row in &stages {
            let pipeline_id: &str = get(row, "pipeline_id")?;
            let position: i64 = get(row, "position")?;
            let stage = Stage {
                id: id(row, "id")?,
                name: get(row, "name")?,
                position: u32::try_from(position).map_err(|_| corrupt("stage position"))?,
            };
            if let Some(p) = pipelines.iter_mut().find(|p| p.id.as_str() == pipeline_id) {
                p.stages.push(stage);
            }
        }
        Ok(pipelines)
    }
}

#[async_trait]
impl OpportunityStore for PgStore {
    #[tracing::instrument(skip_all)]
    async fn create_pipeline(&self, p: &Pipeline) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_err)?;
        tx.execute(
            "INSERT INTO pipelines (id, location_id, name, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &p.id.as_str(),
                &p.location_id.as_str(),
                &p.name,
                &p.created_at.millis(),
                &p.updated_at.millis(),
            ],
        )
        .await
        .map_err(write_err)?;
        for s in &p.stages {
            tx.execute(
                "INSERT INTO pipeline_stages (id, pipeline_id, name, position) \
                 VALUES ($1, $2, $3, $4)",
                &[
                    &s.id.as_str(),
                    &p.id.as_str(),
                    &s.name,
                    &i64::from(s.position),
                ],
            )
            .await
            .map_err(write_err)?;
        }
        tx.commit().await.map_err(db_err)
    }

    #[tracing::instrument(skip_all)]
    async fn list_pipelines(&self, location: &LocationId) -> StoreResult<Vec<Pipeline>> {
        self.load_pipelines(location, None).await
    }

    #[tracing::instrument(skip_all)]
    async fn get_pipeline(
        &self,
        location: &LocationId,
        id: &PipelineId,
    ) -> StoreResult<Option<Pipeline>> {
        Ok(self.load_pipelines(location, Some(id)).await?.pop())
    }

    #[tracing::instrument(skip_all)]
    async fn insert_opportunity(&self, o: &Opportunity) -> StoreResult<()> {
        let client = self.client().await?;
        let sql = format!(
            "INSERT INTO opportunities ({COLUMNS}, search_text) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
        );
        client
            .execute(
                &sql,
                &[
                    &o.id.as_str(),
                    &o.location_id.as_str(),
                    &o.pipeline_id.as_str(),
                    &o.stage_id.as_str(),
                    &o.contact_id.as_str(),
                    &o.name,
                    &o.status.as_str(),
                    &o.monetary_value.minor(),
                    &o.assigned_to,
                    &o.source,
                    &o.lost_reason_id,
                    &o.created_at.millis(),
                    &o.updated_at.millis(),
                    &o.last_status_change_at.millis(),
                    &o.last_stage_change_at.millis(),
                    &o.search_text(),
                ],
            )
            .await
            .map_err(write_err)?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn get_opportunity(
        &self,
        location: &LocationId,
        id: &OpportunityId,
    ) -> StoreResult<Option<Opportunity>> {
        let client = self.client().await?;
        let sql = format!("SELECT {COLUMNS} FROM opportunities WHERE id = $1 AND location_id = $2");
        let row = client
            .query_opt(&sql, &[&id.as_str(), &location.as_str()])
            .await
            .map_err(db_err)?;
        row.as_ref().map(from_row).transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn find_opportunity(
        &self,
        location: &LocationId,
        contact: &ContactId,
        pipeline: &PipelineId,
    ) -> StoreResult<Option<Opportunity>> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT {COLUMNS} FROM opportunities \
             WHERE location_id = $1 AND contact_id = $2 AND pipeline_id = $3"
        );
        let row = client
            .query_opt(
                &sql,
                &[&location.as_str(), &contact.as_str(), &pipeline.as_str()],
            )
            .await
            .map_err(db_err)?;
        row.as_ref().map(from_row).transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn update_opportunity(&self, o: &Opportunity) -> StoreResult<()> {
        let client = self.client().await?;
        let changed = client
            .execute(
                "UPDATE opportunities SET pipeline_id = $3, stage_id = $4, name = $5, \
                 search_text = $6, status = $7, monetary_value = $8, assigned_to = $9, \
                 source = $10, lost_reason_id = $11, updated_at = $12, \
                 last_status_change_at = $13, last_stage_change_at = $14 \
                 WHERE id = $1 AND location_id = $2",
                &[
                    &o.id.as_str(),
                    &o.location_id.as_str(),
                    &o.pipeline_id.as_str(),
                    &o.stage_id.as_str(),
                    &o.name,
                    &o.search_text(),
                    &o.status.as_str(),
                    &o.monetary_value.minor(),
                    &o.assigned_to,
                    &o.source,
                    &o.lost_reason_id,
                    &o.updated_at.millis(),
                    &o.last_status_change_at.millis(),
                    &o.last_stage_change_at.millis(),
                ],
            )
            .await
            .map_err(write_err)?;
        if changed == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    #[tracing::instrument(skip_all)]
    async fn delete_opportunity(
        &self,
        location: &LocationId,
        id: &OpportunityId,
    ) -> StoreResult<()> {
        let client = self.client().await?;
        let deleted = client
            .execute(
                "DELETE FROM opportunities WHERE id = $1 AND location_id = $2",
                &[&id.as_str(), &location.as_str()],
            )
            .await
            .map_err(db_err)?;
        if deleted == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    #[tracing::instrument(skip_all)]
    async fn search_opportunities(
        &self,
        location: &LocationId,
        q: &OpportunityQuery,
    ) -> StoreResult<OpportunityPage> {
        let pipeline = q.pipeline_id.as_ref().map(|id| id.as_str());
        let stage = q.stage_id.as_ref().map(|id| id.as_str());
        let contact = q.contact_id.as_ref().map(|id| id.as_str());
        let status = q.status.map(OpportunityStatus::as_str);
        let assigned = q.assigned_to.as_deref();
        let pattern = q.query.as_deref().map(contains_pattern);
        let (after_at, after_id) = match &q.after {
            Some((at, id)) => (Some(at.millis()), Some(id.as_str())),
            None => (None, None),
        };
        let limit = i64::from(q.limit);
        let offset = i64::try_from(q.offset).unwrap_or(i64::MAX);
        let filters: [&(dyn ToSql + Sync); 7] = [
            &location.as_str(),
            &pipeline,
            &stage,
            &contact,
            &status,
            &assigned,
            &pattern,
        ];
        let client = self.client().await?;
        // The row comparison walks the (location_id, created_at, id) index; ids compare
        // bytewise because the column is COLLATE "C", as on SQLite.
        let page_sql = format!(
            "SELECT {COLUMNS} FROM opportunities WHERE {MATCHES} \
             AND ($8::bigint IS NULL OR (created_at, id) > ($8, $9::text)) \
             ORDER BY created_at, id LIMIT $10 OFFSET $11"
        );
        let mut params = filters.to_vec();
        params.extend_from_slice(&[&after_at, &after_id, &limit, &offset]);
        let rows = client.query(&page_sql, &params).await.map_err(db_err)?;
        let opportunities = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
        let total_sql = format!("SELECT count(*) FROM opportunities WHERE {MATCHES}");
        let row = client
            .query_one(&total_sql, &filters)
            .await
            .map_err(db_err)?;
        let total = from_db_count(row.try_get(0).map_err(db_err)?);
        Ok(OpportunityPage {
            opportunities,
            total,
        })
    }
}
