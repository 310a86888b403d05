//! Opportunities: create, get, update, delete, status changes and upsert, in HighLevel v2
//! shapes; the searches and pipelines are in `search`. An opportunity of another location
//! answers exactly like one that does not exist, and its contact, pipeline and stage must be
//! the caller's location's (else a 422 naming the field).

mod body;
mod search;

use axum::extract::State;
use axum::http::StatusCode;
use ivorey_app::{AppError, opportunities};
use ivorey_core::changed_by::ChangedBy;
use ivorey_core::opportunity::{Opportunity, OpportunityChange, OpportunityStatus};
use ivorey_core::{LocationId, OpportunityId, ValidationErrors};
use serde_json::{Value, json};

use self::body::{CreateBody, StatusBody, UpdateBody, UpsertBody};
pub use self::search::{PipelineParams, SearchParams, pipelines, search, search_post};
use super::Granted;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::reply::{Reply, ok};
use crate::state::AppState;

const CREATE_REQUIRED: &[&str] = &["pipelineId", "contactId", "name", "status"];
const UPSERT_REQUIRED: &[&str] = &["pipelineId", "contactId"];

fn opportunity_id(raw: &str) -> ApiResult<OpportunityId> {
    OpportunityId::parse(raw)
        .map_err(|_| ApiError::BadRequest("id must be a 20-character alphanumeric id".into()))
}

async fn load(state: &AppState, location: &LocationId, raw_id: &str) -> ApiResult<Opportunity> {
    let id = opportunity_id(raw_id)?;
    Ok(opportunities::load(state.store.as_ref(), location, &id).await?)
}

/// `current` with `change` applied and saved.
async fn changed(
    state: &AppState,
    current: Opportunity,
    change: OpportunityChange,
    by: &ChangedBy,
) -> ApiResult<Opportunity> {
    let now = state.clock.now();
    Ok(opportunities::update(state.store.as_ref(), now, current, change, by).await?)
}

pub async fn create(
    State(state): State<AppState>,
    granted: Granted,
    ApiJson(body): ApiJson<CreateBody>,
) -> ApiResult<Reply<Value>> {
    let location = granted.check_location(body.location_id.as_deref(), "locationId")?;
    let change = body.input().validate(CREATE_REQUIRED)?;
    let now = state.clock.now();
    let store = state.store.as_ref();
    let opportunity =
        opportunities::create(store, now, location, change, &granted.changer()).await?;
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
    Ok(ok(json!({ "opportunity": updated.to_json() })))
}

pub async fn delete(
    State(state): State<AppState>,
    granted: Granted,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Reply<Value>> {
    let location = granted.location();
    let id = opportunity_id(&id)?;
    opportunities::delete(state.store.as_ref(), location, &id).await?;
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
    changed(&state, current, change, &granted.changer()).await?;
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
            return Ok(ok(
                json!({ "opportunity": updated.to_json(), "new": false }),
            ));
        }
        let mut create = change.clone();
        create.status.get_or_insert(OpportunityStatus::Open);
        if create.name.is_none() {
            return Err(ValidationErrors::single("name", "should not be empty").into());
        }
        let store = state.store.as_ref();
        let now = state.clock.now();
        let opportunity =
            opportunities::build(store, now, location, create, &granted.changer()).await?;
        match opportunities::insert(store, &opportunity).await {
            Ok(()) => {
                return Ok(ok(
                    json!({ "opportunity": opportunity.to_json(), "new": true }),
                ));
            }
            Err(AppError::Invalid(_)) if attempt == 0 => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(opportunities::duplicate().into())
}
