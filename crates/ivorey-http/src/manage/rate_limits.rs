//! Settings > Rate limits: a location's own burst and daily limits (admins), shown with the
//! limits in force.

use axum::extract::State;
use ivorey_store::LocationRateLimits;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath};
use crate::reply::{Reply, ok};
use crate::session::SessionUser;
use crate::state::AppState;
use ivorey_app::rate_limits;

/// `{"rateLimits": {"burstMax", "dailyMax", "intervalMs", "defaults": {...}}}`: the limits in
/// force, each marked with whether it is the location's own.
fn body(state: &AppState, own: LocationRateLimits) -> Value {
    let defaults = state.limiter.defaults();
    json!({
        "rateLimits": {
            "burstMax": own.burst_max.unwrap_or(defaults.burst_max),
            "dailyMax": own.daily_max.unwrap_or(defaults.daily_max),
            "intervalMs": defaults.burst_interval.as_millis() as u64,
            "own": { "burstMax": own.burst_max, "dailyMax": own.daily_max },
            "defaults": { "burstMax": defaults.burst_max, "dailyMax": defaults.daily_max },
        }
    })
}

pub async fn get(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath(location): ApiPath<String>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    let own = state.store.location_rate_limits(&location).await?;
    Ok(ok(body(&state, own)))
}

/// Both fields replace the location's limits; `null` or absent means the server default.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RateLimitsBody {
    burst_max: Option<u64>,
    daily_max: Option<u64>,
}

pub async fn put(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath(location): ApiPath<String>,
    ApiJson(body_in): ApiJson<RateLimitsBody>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    let limits = LocationRateLimits {
        burst_max: body_in.burst_max,
        daily_max: body_in.daily_max,
    };
    let own = rate_limits::set_rate_limits(
        state.store.as_ref(),
        state.clock.now(),
        &location,
        limits,
        Some(state.limiter.defaults()),
        &session.actor(),
    )
    .await?;
    Ok(ok(body(&state, own)))
}
