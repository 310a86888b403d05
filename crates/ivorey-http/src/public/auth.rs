//! Token authentication for the public API: the per-request hot path. Parse and checksum the
//! bearer token (no I/O), hash it, look the hash up in the store, check expiry and IP allowlist;
//! the scope gate (`gate.rs`) runs this once per request, then checks the `Version` header (also
//! here), the catalogue's scope and the request's location.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use ivorey_app::ratelimit::RateInfo;
use ivorey_core::access::{Denial, TokenGrant};
use ivorey_core::{Timestamp, TokenHash};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// `Version` header values served with the v2 shapes (contract, section 8).
pub const ACCEPTED_VERSIONS: [&str; 3] = ["2021-07-28", "2021-04-15", "2023-02-21"];

const INVALID_TOKEN: &str = "Invalid token: access token is invalid";
const MISSING_TOKEN: &str =
    "Missing token: send the header Authorization: Bearer <Private Integration token>";
const EXPIRED_TOKEN: &str = "Invalid token: access token has expired";

/// The token check: the grant of the presented token, admitted and counted by the rate limiter.
/// Also returns what the rate limiter said, once it has run (the token was admitted), for the
/// response's `X-RateLimit-*` headers, refusal or not.
pub(super) async fn authenticate(
    parts: &Parts,
    state: &AppState,
    now: Timestamp,
) -> (ApiResult<TokenGrant>, Option<RateInfo>) {
    let grant = match admitted_grant(parts, state, now).await {
        Ok(grant) => grant,
        Err(refused) => return (Err(refused), None),
    };
    // Logs of this request name the integration (never the token).
    tracing::Span::current().record("integration", grant.integration_id.as_str());
    let limits = state.limiter.check(&grant, now).await;
    if let Some(retry_after_secs) = limits.retry_after_secs {
        return (
            Err(ApiError::TooManyRequests { retry_after_secs }),
            Some(limits),
        );
    }
    (Ok(grant), Some(limits))
}

/// The grant of the presented token, if it exists and may be used now from this address.
async fn admitted_grant(parts: &Parts, state: &AppState, now: Timestamp) -> ApiResult<TokenGrant> {
    let header = parts
        .headers
        .get(AUTHORIZATION)
        .ok_or(ApiError::Unauthorized(MISSING_TOKEN))?;
    let presented = header
        .to_str()
        .ok()
        .and_then(|h| h.split_once([' ', '\t']))
        // The scheme name is case-insensitive (RFC 9110, section 11.1).
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .ok_or(ApiError::Unauthorized(INVALID_TOKEN))?;
    // Typos and truncations fail here, before any database work.
    let hash =
        TokenHash::from_presented(presented).map_err(|_| ApiError::Unauthorized(INVALID_TOKEN))?;
    let grant = state
        .store
        .token_grant(&hash)
        .await?
        .ok_or(ApiError::Unauthorized(INVALID_TOKEN))?;
    grant
        .admit(now, client_ip(parts))
        .map_err(|denial| match denial {
            Denial::Expired => ApiError::Unauthorized(EXPIRED_TOKEN),
            Denial::AddressNotAllowed => {
                ApiError::Forbidden("The token may not be used from this IP address.".into())
            }
        })?;
    Ok(grant)
}

fn client_ip(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip())
}

/// A served `Version` header (checked for operations that name a scope; introspection needs
/// none).
pub(super) fn check_version(parts: &Parts) -> ApiResult<()> {
    // Built only for the error message: a served version costs no allocation.
    let accepted = || ACCEPTED_VERSIONS.join(", ");
    let served = match parts
        .headers
        .get("version")
        .map(|v| v.to_str().unwrap_or(""))
    {
        Some(v) if ACCEPTED_VERSIONS.contains(&v) => Ok(()),
        Some("v3") => Err(format!(
            "API version v3 is not served yet. Send a Version header with one of: {}.",
            accepted()
        )),
        Some(other) => Err(format!(
            "Unsupported Version header {other:?}. Send one of: {}.",
            accepted()
        )),
        None => Err(format!(
            "Missing Version header. Send one of: {}.",
            accepted()
        )),
    };
    served.map_err(ApiError::BadRequest)
}
