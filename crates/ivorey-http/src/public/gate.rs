//! The scope gate: every catalogued operation passes through it before its handler's extractors
//! run, and it is where the catalogue's scope is enforced (handlers name none). It authenticates
//! the token (`auth.rs`), then refuses, in the contract's order, an unserved `Version`, a
//! missing scope (401) and a `locationId` / `altId` of another location in the path or the query
//! (403). So a token that may not call an operation is refused the same way whatever its body or
//! parameters hold (deny by default). A request it lets through is counted in usage, under the
//! catalogue's scope, and its grant is moved to the handler as `Granted`. Operations without a
//! scope (introspection) pass for the token alone, with no `Version` check. The gate also
//! writes HighLevel's `X-RateLimit-*` headers on whatever the request is answered with.

use axum::extract::{FromRequestParts, RawPathParams, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ivorey_app::ratelimit::RateInfo;
use ivorey_core::Scope;
use ivorey_core::access::TokenGrant;

use super::Granted;
use super::auth::{authenticate, check_version};
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
    let now = state.clock.now();
    let (admitted, rate) = authenticate(&parts, &state, now).await;
    let checked = async {
        let grant = admitted?;
        if let Some(scope) = scope {
            check_version(&parts)?;
            if !grant.allows(scope) {
                return Err(ApiError::MissingScope);
            }
        }
        refuse_other_locations(&mut parts, &state, &grant).await?;
        ApiResult::Ok(grant)
    };
    let mut response = match checked.await {
        Ok(grant) => {
            // A call the integration made, whatever the handler then answers (a body it
            // rejects with 422 included); refusals above are not usage of the operation.
            state.usage.record(&grant.integration_id, scope, now);
            parts.extensions.insert(Granted::new(grant));
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
    grant: &TokenGrant,
) -> ApiResult<()> {
    let mine = grant.location_id.as_str();
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
