//! Pipelines for signed-in users: members read them, admins create them. HighLevel's public API
//! only reads pipelines (`GET /opportunities/pipelines`), so this is where they are made.

use axum::extract::State;
use axum::http::StatusCode;
use ivorey_core::opportunity::Pipeline;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath};
use crate::reply::{Reply, ok};
use crate::session::SessionUser;
use crate::state::AppState;
use ivorey_app::pipelines;

/// `{"name": "Sales", "stages": ["New lead", "Proposal", "Won"]}`: stages in board order.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineBody {
    name: String,
    stages: Vec<String>,
}

pub async fn list(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath(location): ApiPath<String>,
) -> ApiResult<Reply<Value>> {
    let (location, _) = session.role_in(&state, &location).await?;
    let found = state.store.list_pipelines(&location).await?;
    let found: Vec<Value> = found.iter().map(Pipeline::to_json).collect();
    Ok(ok(json!({ "pipelines": found })))
}

pub async fn create(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath(location): ApiPath<String>,
    ApiJson(body): ApiJson<PipelineBody>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    let stages: Vec<&str> = body.stages.iter().map(String::as_str).collect();
    let now = state.clock.now();
    let pipeline =
        pipelines::create_pipeline(state.store.as_ref(), now, &location, &body.name, &stages)
            .await?;
    Ok(Reply(
        StatusCode::CREATED,
        json!({ "pipeline": pipeline.to_json() }),
    ))
}
