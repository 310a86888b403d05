//! Opportunities: create, get, update, delete, status changes and upsert, in HighLevel v2
//! shapes; the searches and pipelines are in `search`. An opportunity of another location
//! answers exactly like one that does not exist, and its contact, pipeline and stage must be
//! the caller's location's (else a 422 naming the field).

mod body;
mod search;

use axum::extract::State;
use axum::http::StatusCode;
use ivorey_core::changed_by::ChangedBy;
use ivorey_core::opportunity::{Opportunity, OpportunityChange, OpportunityStatus, Pipeline};
use ivorey_core::{LocationId, OpportunityId, PipelineId, ValidationErrors};
use ivorey_store::StoreError;
use serde_json::{Value, json};

use self::body::{CreateBody, StatusBody, UpdateBody, UpsertBody};
pub use self::search::{PipelineParams, SearchParams, pipelines, search, search_post};
use super::Granted;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::reply::{Reply, ok};
use crate::state::AppState;

const NOT_FOUND: ApiError = ApiError::NotFound("Opportunity not found");
const CREATE_REQUIRED: &[&str] = &["pipelineId", "contactId", "name", "status"];
const UPSERT_REQUIRED: &[&str] = &["pipelineId", "contactId"];

fn opportunity_id(raw: &str) -> ApiResult<OpportunityId> {
    OpportunityId::parse(raw)
        .map_err(|_| ApiError::BadRequest("id must be a 20-character alphanumeric id".into()))
}

/// The location's pipeline `id`, if it has one.
async fn pipeline(
    state: &AppState,
    location: &LocationId,
    id: Option<&PipelineId>,
) -> ApiResult<Option<Pipeline>> {
    match id {
        Some(id) => Ok(state.store.get_pipeline(location, id).await?),
        None => Ok(None),
    }
}

/// A new opportunity from a validated change, its references checked against the location.
async fn build(
    state: &AppState,
    location: &LocationId,
    change: OpportunityChange,
    by: &ChangedBy,
) -> ApiResult<Opportunity> {
    let pipeline = pipeline(state, location, change.pipeline_id.as_ref()).await?;
    let contact_found = match &change.contact_id {
        Some(id) => state.store.get_contact(location, id).await?.is_some(),
        None => false,
    };
    Ok(change.create(
        location,
        pipeline.as_ref(),
        contact_found,
        state.clock.now(),
        by,
    )?)
}

/// `current` with `change` applied, its pipeline and stage checked against the location.
async fn changed(
    state: &AppState,
    current: Opportunity,
    change: OpportunityChange,
    by: &ChangedBy,
) -> ApiResult<Opportunity> {
    let pipeline_id = change.pipeline_id.as_ref().unwrap_or(&current.pipeline_id);
    let pipeline = pipeline(state, &current.location_id, Some(pipeline_id)).await?;
    Ok(change.apply_to(current, pipeline.as_ref(), state.clock.now(), by)?)
}

fn duplicate() -> ApiError {
    ValidationErrors::single(
        "contactId",
        "already has an opportunity in this pipeline (POST /opportunities/upsert updates it)",
    )
    .into()
}

/// Stores a new opportunity. The checks in `build` ran before; the database repeats them, so
/// a contact deleted in between is still refused, with the same answer.
async fn insert(state: &AppState, opportunity: &Opportunity) -> ApiResult<()> {
    state
        .store
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

async fn save(state: &AppState, opportunity: &Opportunity) -> ApiResult<()> {
    state
        .store
        .update_opportunity(opportunity)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => NOT_FOUND,
            StoreError::Conflict(_) => duplicate(),
            other => other.into(),
        })
}

async fn load(state: &AppState, location: &LocationId, raw_id: &str) -> ApiResult<Opportunity> {
    let id = opportunity_id(raw_id)?;
    state
        .store
        .get_opportunity(location, &id)
        .await?
        .ok_or(NOT_FOUND)
}

pub async fn create(
    State(state): State<AppState>,
    granted: Granted,
    ApiJson(body): ApiJson<CreateBody>,
) -> ApiResult<Reply<Value>> {
    let location = granted.check_location(body.location_id.as_deref(), "locationId")?;
    let change = body.input().validate(CREATE_REQUIRED)?;
    let opportunity = build(&state, location, change, &granted.changer()).await?;
    insert(&state, &opportunity).await?;
    Ok(Reply(
        StatusCode::CREATED,
        json!({ "opportunity": opportunity.to_json() }),
    ))
}

pub async fn get(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let opportunity = load(&state, location, &id).await?;
    Ok(ok(json!({ "opportunity": opportunity.to_json() })))
}

pub async fn update(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<UpdateBody>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let current = load(&state, location, &id).await?;
    let change = body.input().validate(&[])?;
    let updated = changed(&state, current, change, &granted.changer()).await?;
    save(&state, &updated).await?;
    Ok(ok(json!({ "opportunity": updated.to_json() })))
}

pub async fn delete(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let id = opportunity_id(&id)?;
    state
        .store
        .delete_opportunity(location, &id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => NOT_FOUND,
            other => other.into(),
        })?;
    Ok(ok(json!({ "succeded": true })))
}

pub async fn update_status(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<StatusBody>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let current = load(&state, location, &id).await?;
    let change = body.input().validate(&["status"])?;
    let updated = changed(&state, current, change, &granted.changer()).await?;
    save(&state, &updated).await?;
    Ok(ok(json!({ "succeded": true })))
}

pub async fn upsert(
    State(state): State<AppState>,
    granted: Granted,
    ApiJson(body): ApiJson<UpsertBody>,
) -> ApiResult<Reply<Value>> {
    let location = granted.check_location(body.location_id.as_deref(), "locationId")?;
    let change = body.input().validate(UPSERT_REQUIRED)?;
    // `validate` refused a body without either; a 500 here would mean that check broke.
    let (Some(contact), Some(pipeline_id)) = (&change.contact_id, &change.pipeline_id) else {
        return Err(ApiError::Internal(
            "upsert key unset after validation".into(),
        ));
    };
    // A concurrent upsert may create the opportunity between the lookup and the insert; the
    // unique key refuses the second insert, and the retry then finds and updates it.
    for attempt in 0..2 {
        let existing = state
            .store
            .find_opportunity(location, contact, pipeline_id)
            .await?;
        if let Some(current) = existing {
            let updated = changed(&state, current, change.clone(), &granted.changer()).await?;
            save(&state, &updated).await?;
            return Ok(ok(
                json!({ "opportunity": updated.to_json(), "new": false }),
            ));
        }
        let mut create = change.clone();
        create.status.get_or_insert(OpportunityStatus::Open);
        if create.name.is_none() {
            return Err(ValidationErrors::single("name", "should not be empty").into());
        }
        let opportunity = build(&state, location, create, &granted.changer()).await?;
        match insert(&state, &opportunity).await {
            Ok(()) => {
                return Ok(ok(
                    json!({ "opportunity": opportunity.to_json(), "new": true }),
                ));
            }
            Err(ApiError::Unprocessable(_)) if attempt == 0 => continue,
            Err(e) => return Err(e),
        }
    }
    Err(duplicate())
}
