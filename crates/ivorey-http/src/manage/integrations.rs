//! Managing Private Integrations: list, create (token shown once), get, edit, rotate, expire the
//! old token, delete, and usage. Admins of the location only.

use crate::extract::ApiPath;
use axum::extract::State;
use axum::http::StatusCode;
use ivorey_core::integration::{IntegrationInput, IntegrationPatchInput, RotationExpiry};
use ivorey_core::scope::CATALOGUE;
use ivorey_core::{IntegrationId, Timestamp};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::reply::{Reply, ok};
use crate::session::SessionUser;
use crate::state::AppState;
use ivorey_app::integrations::{self as ops, Issued};
use ivorey_app::usage::summary as usage;

fn integration_id(raw: &str) -> ApiResult<IntegrationId> {
    IntegrationId::parse(raw).map_err(|_| ApiError::NotFound("Private Integration not found"))
}

fn issued_body(issued: Issued) -> Value {
    json!({
        "integration": issued.integration,
        "token": issued.token.expose_secret(),
        "locationId": issued.integration.location_id,
        "notice": "This token is shown only once. Store it securely now.",
    })
}

pub async fn catalogue(_session: SessionUser) -> Reply<Value> {
    ok(json!({ "areas": CATALOGUE }))
}

pub async fn list(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath(location): ApiPath<String>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    let integrations = state
        .store
        .list_integrations(&location, state.clock.now())
        .await?;
    Ok(ok(json!({ "integrations": integrations })))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateBody {
    name: String,
    description: Option<String>,
    scopes: Vec<String>,
    expires_at: Option<String>,
    #[serde(default)]
    ip_allowlist: Vec<String>,
}

pub async fn create(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath(location): ApiPath<String>,
    ApiJson(body): ApiJson<CreateBody>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    let input = IntegrationInput {
        name: body.name,
        description: body.description,
        scopes: body.scopes,
        expires_at: body.expires_at,
        ip_allowlist: body.ip_allowlist,
    };
    let issued = ops::create(
        state.store.as_ref(),
        state.clock.now(),
        &location,
        &input,
        &session.actor(),
    )
    .await?;
    Ok(Reply(StatusCode::CREATED, issued_body(issued)))
}

pub async fn get(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath((location, id)): ApiPath<(String, String)>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    let integration = ops::get(
        state.store.as_ref(),
        state.clock.now(),
        &location,
        &integration_id(&id)?,
    )
    .await?;
    Ok(ok(json!({ "integration": integration })))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EditBody {
    name: Option<String>,
    #[serde(default, deserialize_with = "ivorey_core::serde_util::double_option")]
    description: Option<Option<String>>,
    scopes: Option<Vec<String>>,
    #[serde(default, deserialize_with = "ivorey_core::serde_util::double_option")]
    expires_at: Option<Option<String>>,
    ip_allowlist: Option<Vec<String>>,
}

pub async fn edit(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath((location, id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<EditBody>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    let input = IntegrationPatchInput {
        name: body.name,
        description: body.description,
        scopes: body.scopes,
        expires_at: body.expires_at,
        ip_allowlist: body.ip_allowlist,
    };
    let now = state.clock.now();
    let integration = ops::edit(
        state.store.as_ref(),
        now,
        &location,
        &integration_id(&id)?,
        &input,
        &session.actor(),
    )
    .await?;
    Ok(ok(json!({ "integration": integration })))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Expire {
    Later,
    Now,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotateBody {
    expire: Expire,
}

pub async fn rotate(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath((location, id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<RotateBody>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    let expiry = match body.expire {
        Expire::Later => RotationExpiry::Later(state.config.rotation_grace),
        Expire::Now => RotationExpiry::Now,
    };
    let now = state.clock.now();
    let issued = ops::rotate(
        state.store.as_ref(),
        now,
        &location,
        &integration_id(&id)?,
        expiry,
        &session.actor(),
    )
    .await?;
    Ok(ok(issued_body(issued)))
}

pub async fn expire_old_token(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath((location, id)): ApiPath<(String, String)>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    let now = state.clock.now();
    let integration = ops::expire_old_token(
        state.store.as_ref(),
        now,
        &location,
        &integration_id(&id)?,
        &session.actor(),
    )
    .await?;
    Ok(ok(json!({ "integration": integration })))
}

pub async fn delete(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath((location, id)): ApiPath<(String, String)>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    let now = state.clock.now();
    let deleted = ops::delete(
        state.store.as_ref(),
        now,
        &location,
        &integration_id(&id)?,
        &session.actor(),
    )
    .await?;
    Ok(ok(json!({ "deleted": true, "id": deleted.id })))
}

#[derive(Debug, Deserialize)]
pub struct UsageParams {
    days: Option<u16>,
}

/// Requests per day (oldest first, days without requests included as zero) and per scope.
pub async fn usage(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath((location, id)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<UsageParams>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    let days = i64::from(params.days.unwrap_or(30));
    if !(1..=366).contains(&days) {
        return Err(ApiError::Unprocessable(vec![
            "days must be between 1 and 366".into(),
        ]));
    }
    let id = integration_id(&id)?;
    let now = state.clock.now();
    let integration = ops::get(state.store.as_ref(), now, &location, &id).await?;
    let usage = usage::summarize(
        state.store.as_ref(),
        &state.usage,
        now,
        &location,
        &id,
        days,
    )
    .await?;
    let daily: Vec<Value> = usage
        .daily
        .iter()
        .map(|&(day, count)| {
            json!({ "date": &Timestamp(day * 86_400_000).to_rfc3339()[..10], "count": count })
        })
        .collect();
    Ok(ok(json!({
        "integrationId": integration.id,
        "lastUsedAt": usage.last_used_at,
        "daily": daily,
        "byScope": usage.by_scope,
    })))
}
