//! Opportunities, for every face alike: a new one checked against the location's contacts and
//! pipelines, a change applied and saved, a delete. The public API and the web board call the
//! same functions, so both refuse and attribute the same way.

use ivorey_core::changed_by::ChangedBy;
use ivorey_core::opportunity::{Opportunity, OpportunityChange, Pipeline};
use ivorey_core::{LocationId, OpportunityId, PipelineId, Timestamp, ValidationErrors};
use ivorey_store::{Store, StoreError};

use crate::error::{AppError, AppResult};

pub const NOT_FOUND: AppError = AppError::NotFound("Opportunity not found");

/// The refusal of a second opportunity for one contact in one pipeline.
pub fn duplicate() -> AppError {
    ValidationErrors::single(
        "contactId",
        "already has an opportunity in this pipeline (POST /opportunities/upsert updates it)",
    )
    .into()
}

/// The location's pipeline `id`, if it has one.
async fn pipeline(
    store: &dyn Store,
    location: &LocationId,
    id: Option<&PipelineId>,
) -> AppResult<Option<Pipeline>> {
    match id {
        Some(id) => Ok(store.get_pipeline(location, id).await?),
        None => Ok(None),
    }
}

/// A new opportunity from a validated change, its references checked against the location;
/// not stored yet (see `insert`).
pub async fn build(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    change: OpportunityChange,
    by: &ChangedBy,
) -> AppResult<Opportunity> {
    let pipeline = pipeline(store, location, change.pipeline_id.as_ref()).await?;
    let contact_found = match &change.contact_id {
        Some(id) => store.get_contact(location, id).await?.is_some(),
        None => false,
    };
    Ok(change.create(location, pipeline.as_ref(), contact_found, now, by)?)
}

/// Stores a new opportunity. The checks in `build` ran before; the database repeats them, so
/// a contact deleted in between is still refused, with the same answer.
pub async fn insert(store: &dyn Store, opportunity: &Opportunity) -> AppResult<()> {
    store
        .insert_opportunity(opportunity)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => {
                ValidationErrors::single("contactId", "must be a contact of this location").into()
            }
            StoreError::Conflict(_) => duplicate(),
            other => other.into(),
        })
}

/// `build`, then `insert`.
pub async fn create(
    store: &dyn Store,
    now: Timestamp,
    location: &LocationId,
    change: OpportunityChange,
    by: &ChangedBy,
) -> AppResult<Opportunity> {
    let opportunity = build(store, now, location, change, by).await?;
    insert(store, &opportunity).await?;
    Ok(opportunity)
}

/// The location's opportunity `id`, or `NOT_FOUND`.
pub async fn load(
    store: &dyn Store,
    location: &LocationId,
    id: &OpportunityId,
) -> AppResult<Opportunity> {
    store.get_opportunity(location, id).await?.ok_or(NOT_FOUND)
}

/// `current` with `change` applied (its pipeline and stage checked against the location), and
/// saved.
pub async fn update(
    store: &dyn Store,
    now: Timestamp,
    current: Opportunity,
    change: OpportunityChange,
    by: &ChangedBy,
) -> AppResult<Opportunity> {
    let pipeline_id = change.pipeline_id.as_ref().unwrap_or(&current.pipeline_id);
    let pipeline = pipeline(store, &current.location_id, Some(pipeline_id)).await?;
    let updated = change.apply_to(current, pipeline.as_ref(), now, by)?;
    store
        .update_opportunity(&updated)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => NOT_FOUND,
            StoreError::Conflict(_) => duplicate(),
            other => other.into(),
        })?;
    Ok(updated)
}

pub async fn delete(store: &dyn Store, location: &LocationId, id: &OpportunityId) -> AppResult<()> {
    store
        .delete_opportunity(location, id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => NOT_FOUND,
            other => other.into(),
        })
}
