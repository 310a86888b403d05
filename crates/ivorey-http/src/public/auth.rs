//! Token authentication for the public API: the per-request hot path. Parse and checksum the
//! bearer token (no I/O), hash it, look the hash up in the store, check expiry and IP allowlist;
//! the scope gate (`gate.rs`) runs this once per request, then checks the operation's scope and
//! the request's location; handlers name their scope again, which records usage.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use ivorey_core::access::{Denial, TokenGrant};
use ivorey_core::{LocationId, Scope, Timestamp, TokenHash};

use crate::error::{ApiError, ApiResult, WRONG_LOCATION};
use crate::state::AppState;
use ivorey_app::ratelimit::RateInfo;
use ivorey_app::usage::UsageRecorder;

/// `Version` header values served with the v2 shapes (contract, section 8).
pub const ACCEPTED_VERSIONS: [&str; 3] = ["2021-07-28", "2021-04-15", "2023-02-21"];

const INVALID_TOKEN: &str = "Invalid token: access token is invalid";
const MISSING_TOKEN: &str =
    "Missing token: send the header Authorization: Bearer <Private Integration token>";
const EXPIRED_TOKEN: &str = "Invalid token: access token has expired";

/// A request whose token is valid right now. Scopes and location are checked by the handler.
#[derive(Debug, Clone)]
pub struct Authed {
    grant: TokenGrant,
    version: Result<(), String>,
    usage: UsageRecorder,
    now: Timestamp,
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        // Already authenticated by the scope gate in front of this route: use its result, so
        // the token is looked up and counted against the rate limit once.
        if let Some(authed) = parts.extensions.remove::<Authed>() {
            return Ok(authed);
        }
        Authed::authenticate(parts, state).await.0
    }
}

impl Authed {
    /// The token check. Also returns what the rate limiter said, once it has run (the token
    /// was admitted), for the response's `X-RateLimit-*` headers, refusal or not.
    pub(crate) async fn authenticate(
        parts: &Parts,
        state: &AppState,
    ) -> (ApiResult<Authed>, Option<RateInfo>) {
        let now = state.clock.now();
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
        let authed = Authed {
            grant,
            version: check_version(parts),
            usage: state.usage.clone(),
            now,
        };
        (Ok(authed), Some(limits))
    }
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

fn check_version(parts: &Parts) -> Result<(), String> {
    // Built only for the error message: a served version costs no allocation.
    let accepted = || ACCEPTED_VERSIONS.join(", ");
    match parts
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
    }
}

impl Authed {
    /// The endpoint's check: a served `Version`, then the scope. Returns the token's location,
    /// the only one the handler may touch, and counts the call toward usage.
    pub fn require(&self, scope: Scope) -> ApiResult<&LocationId> {
        self.check_scope(scope)?;
        self.usage
            .record(&self.grant.integration_id, Some(scope), self.now);
        Ok(&self.grant.location_id)
    }

    /// A served `Version`, then the scope; records nothing (the scope gate's check).
    pub fn check_scope(&self, scope: Scope) -> ApiResult<()> {
        self.version.clone().map_err(ApiError::BadRequest)?;
        if !self.grant.allows(scope) {
            return Err(ApiError::MissingScope);
        }
        Ok(())
    }

    /// Refuses a request that names another location (403, as HighLevel does). A missing
    /// locationId is the client's validation error.
    pub fn check_location(
        &self,
        requested: Option<&str>,
        field: &'static str,
    ) -> ApiResult<&LocationId> {
        match requested.map(str::trim) {
            None | Some("") => Err(ApiError::Unprocessable(vec![format!(
                "{field} should not be empty"
            )])),
            Some(id) if id == self.grant.location_id.as_str() => Ok(&self.grant.location_id),
            Some(_) => Err(ApiError::Forbidden(WRONG_LOCATION.into())),
        }
    }

    pub fn grant(&self) -> &TokenGrant {
        &self.grant
    }

    /// Counts a scope-less call (introspection) toward usage.
    pub fn record_unscoped(&self) {
        self.usage
            .record(&self.grant.integration_id, None, self.now);
    }
}
