//! Settings > Business: the business profile (any member reads, admins edit) and the location's
//! audit log (admins).

use crate::extract::ApiPath;
use axum::extract::State;
use ivorey_core::IntegrationId;
use ivorey_core::location::BusinessProfile;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::reply::{Reply, ok};
use crate::session::SessionUser;
use crate::state::AppState;
use ivorey_app::accounts;

pub async fn get_profile(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath(location): ApiPath<String>,
) -> ApiResult<Reply<Value>> {
    let (location, role) = session.role_in(&state, &location).await?;
    let found = state
        .store
        .get_location(&location)
        .await?
        .ok_or(ApiError::NotFound("Location not found"))?;
    Ok(ok(json!({ "location": found, "role": role })))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileBody {
    name: String,
    email: Option<String>,
    phone: Option<String>,
    address: Option<String>,
    city: Option<String>,
    state: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
    website: Option<String>,
    timezone: Option<String>,
}

pub async fn put_profile(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath(location): ApiPath<String>,
    ApiJson(body): ApiJson<ProfileBody>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    let profile = BusinessProfile {
        name: body.name,
        email: body.email,
        phone: body.phone,
        address: body.address,
        city: body.city,
        state: body.state,
        postal_code: body.postal_code,
        country: body.country,
        website: body.website,
        timezone: body.timezone,
    };
    let now = state.clock.now();
    let updated = accounts::update_profile(
        state.store.as_ref(),
        now,
        &location,
        profile,
        &session.actor(),
    )
    .await?;
    Ok(ok(json!({ "location": updated })))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditParams {
    integration_id: Option<String>,
    limit: Option<u32>,
}

pub async fn audit_log(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath(location): ApiPath<String>,
    ApiQuery(params): ApiQuery<AuditParams>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    let limit = params.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::Unprocessable(vec![
            "limit must be between 1 and 500".into(),
        ]));
    }
    let integration = match params.integration_id {
        Some(raw) => Some(IntegrationId::parse(&raw).map_err(|_| {
            ApiError::Unprocessable(vec!["integrationId must be a 20-character id".into()])
        })?),
        None => None,
    };
    let events = state
        .store
        .audit_log(&location, integration.as_ref(), limit)
        .await?;
    Ok(ok(json!({ "events": events })))
}
