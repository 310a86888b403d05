//! The scope gate: every catalogued operation that names a scope passes through it before its
//! handler's extractors run. It authenticates the token (the `Authed` extractor's work, done once:
//! the result is handed to the handler through the request's extensions), then refuses, in the
//! contract's order, an unserved `Version`, a missing scope (401) and a `locationId` / `altId` of
//! another location in the path or the query (403). So a token that may not call an operation is
//! refused the same way whatever its body or parameters hold, and authorization is enforced from
//! the catalogue (deny by default); handlers still name their scope, which records usage.
//! Operations without a scope (introspection) pass the same gate for the token alone. The gate
//! also writes HighLevel's `X-RateLimit-*` headers on whatever the request is answered with.

use axum::extract::{FromRequestParts, RawPathParams, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ivorey_app::ratelimit::RateInfo;
use ivorey_core::Scope;

use super::Authed;
use crate::error::{ApiError, ApiResult, WRONG_LOCATION};
use crate::state::AppState;

/// Path and query parameters that name the location an operation acts on.
const LOCATION_PARAMS: [&str; 3] = ["locationId", "location_id", "altId"];

pub async fn scope_gate(
    State(state): State<AppState>,
    scope: Option<Scope>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let (authed, rate) = Authed::authenticate(&parts, &state).await;
    let checked = async {
        let auth = authed?;
        if let Some(scope) = scope {
            auth.check_scope(scope)?;
        }
        refuse_other_locations(&mut parts, &state, &auth).await?;
        ApiResult::Ok(auth)
    };
    let mut response = match checked.await {
        Ok(auth) => {
            parts.extensions.insert(auth);
            next.run(Request::from_parts(parts, body)).await
        }
        Err(refused) => refused.into_response(),
    };
    if let Some(info) = rate {
        write_headers(response.headers_mut(), &info);
    }
    response
}

async fn refuse_other_locations(
    parts: &mut axum::http::request::Parts,
    state: &AppState,
    auth: &Authed,
) -> ApiResult<()> {
    let mine = auth.grant().location_id.as_str();
    let foreign = |name: &str, value: &str| {
        LOCATION_PARAMS.contains(&name) && !value.trim().is_empty() && value.trim() != mine
    };
    if let Ok(params) = RawPathParams::from_request_parts(parts, state).await
        && params.iter().any(|(name, value)| foreign(name, value))
    {
        return Err(ApiError::Forbidden(WRONG_LOCATION.into()));
    }
    let query = parts.uri.query().unwrap_or("");
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    if pairs.iter().any(|(name, value)| foreign(name, value)) {
        return Err(ApiError::Forbidden(WRONG_LOCATION.into()));
    }
    Ok(())
}

/// HighLevel's names, parsed once at compile time rather than on every response.
const LIMIT_DAILY: HeaderName = HeaderName::from_static("x-ratelimit-limit-daily");
const DAILY_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-daily-remaining");
const INTERVAL_MS: HeaderName = HeaderName::from_static("x-ratelimit-interval-milliseconds");
const MAX: HeaderName = HeaderName::from_static("x-ratelimit-max");
const REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");

/// Writes HighLevel's `X-RateLimit-*` headers, on every answer once the limiter has counted
/// the request.
fn write_headers(headers: &mut HeaderMap, info: &RateInfo) {
    let mut put = |name: HeaderName, value: u64| {
        headers.insert(name, HeaderValue::from(value));
    };
    put(LIMIT_DAILY, info.limits.daily_max);
    put(DAILY_REMAINING, info.daily_remaining);
    put(INTERVAL_MS, info.limits.burst_interval.as_millis() as u64);
    put(MAX, info.limits.burst_max);
    put(REMAINING, info.burst_remaining);
}
