//! Sign-in sessions: a random id in an HttpOnly, SameSite cookie (only its SHA-256 is stored),
//! and a synchronizer CSRF token that every state-changing request must echo in `X-CSRF-Token`
//! (the web app reads the same cookie and takes the token from a `csrf` form field instead).

pub(crate) mod throttle;

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use ivorey_core::audit::Actor;
use ivorey_core::user::{Membership, Role, User};
use ivorey_core::{LocationId, random};
use ivorey_store::SessionRecord;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::reply::{Reply, json_response, ok};
use crate::state::AppState;
use ivorey_app::accounts;
use throttle::{ClientIp, LoginThrottle};

pub const SESSION_COOKIE: &str = "ivorey_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A signed-in user whose request passed the CSRF check.
#[derive(Debug)]
pub struct SessionUser {
    pub user: User,
    pub session: SessionRecord,
    pub ip: Option<String>,
}

impl FromRequestParts<AppState> for SessionUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let session = SessionUser::from_cookie(parts, state).await?;
        if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .map(HeaderValue::as_bytes)
                .unwrap_or_default();
            if !session.csrf_matches(sent) {
                return Err(ApiError::Forbidden("Missing or invalid CSRF token.".into()));
            }
        }
        Ok(session)
    }
}

/// Shared with the web app, which reads the same cookie but takes the CSRF token from a form
/// field instead of a header.
impl SessionUser {
    /// The signed-in user of the session cookie, without any CSRF check.
    pub(crate) async fn from_cookie(parts: &Parts, state: &AppState) -> ApiResult<Self> {
        let id = session_cookie(parts).ok_or(ApiError::Unauthorized("Sign in first."))?;
        let now = state.clock.now();
        let (session, user) = state
            .store
            .find_session(&hash_session_id(id), now)
            .await?
            .ok_or(ApiError::Unauthorized(
                "Your session has ended. Sign in again.",
            ))?;
        Ok(SessionUser {
            user,
            session,
            ip: client_ip(parts),
        })
    }

    /// Whether `sent` is this session's CSRF token (compared in constant time).
    pub(crate) fn csrf_matches(&self, sent: &[u8]) -> bool {
        bool::from(sent.ct_eq(self.session.csrf_token.as_bytes()))
    }

    /// The client address of a request, as the audit log records it.
    pub(crate) fn client_ip(parts: &Parts) -> Option<String> {
        client_ip(parts)
    }

    /// Starts a session for `user`: the `Set-Cookie` value and the stored record (which holds
    /// the CSRF token).
    pub(crate) async fn open(
        state: &AppState,
        user: &User,
    ) -> ApiResult<(HeaderValue, SessionRecord)> {
        open_session(state, user).await
    }

    /// Ends this session; returns the `Set-Cookie` value that clears the cookie.
    pub(crate) async fn close(&self, state: &AppState) -> ApiResult<HeaderValue> {
        state.store.delete_session(&self.session.id_hash).await?;
        Ok(cookie(state, "", 0))
    }
}

impl SessionUser {
    /// Who to name in the audit log.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.user.id.clone()),
            label: self.user.email.clone(),
            ip: self.ip.clone(),
        }
    }

    /// The user's role in `location`; a location they don't belong to is "not found".
    pub async fn role_in(&self, state: &AppState, location: &str) -> ApiResult<(LocationId, Role)> {
        let memberships = state.store.memberships(&self.user.id).await?;
        memberships
            .into_iter()
            .find(|m| m.location_id.as_str() == location)
            .map(|m| (m.location_id, m.role))
            .ok_or(ApiError::NotFound("Location not found"))
    }

    /// The location, if the user is one of its admins.
    pub async fn admin_of(&self, state: &AppState, location: &str) -> ApiResult<LocationId> {
        match self.role_in(state, location).await? {
            (id, Role::Admin) => Ok(id),
            (_, Role::User) => Err(ApiError::Forbidden(
                "Only admins of this location can manage Private Integrations and the business profile.".into(),
            )),
        }
    }
}

fn client_ip(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
}

fn session_cookie(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
}

fn hash_session_id(id: &str) -> [u8; 32] {
    Sha256::digest(id.as_bytes()).into()
}

fn cookie(state: &AppState, value: &str, max_age_secs: u64) -> HeaderValue {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let text = format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    );
    HeaderValue::from_str(&text).expect("cookie is built from base62 and fixed text")
}

async fn open_session(state: &AppState, user: &User) -> ApiResult<(HeaderValue, SessionRecord)> {
    let id = random::base62(43);
    let now = state.clock.now();
    let ttl = state.config.session_ttl;
    let session = SessionRecord {
        id_hash: hash_session_id(&id),
        user_id: user.id.clone(),
        csrf_token: random::base62(32),
        created_at: now,
        expires_at: now.plus(ttl),
    };
    state.store.create_session(&session).await?;
    Ok((cookie(state, &id, ttl.as_secs()), session))
}

/// Starts a session for `user`: the response sets the cookie and carries the CSRF token.
async fn start_session(state: &AppState, user: User, status: StatusCode) -> ApiResult<Response> {
    let (set_cookie, session) = open_session(state, &user).await?;
    let memberships = state.store.memberships(&user.id).await?;
    let mut response = json_response(status, &me_body(&user, &memberships, &session.csrf_token));
    response.headers_mut().insert(SET_COOKIE, set_cookie);
    Ok(response)
}

fn me_body(user: &User, memberships: &[Membership], csrf: &str) -> serde_json::Value {
    json!({ "user": user, "memberships": memberships, "csrfToken": csrf })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    email: String,
    password: String,
}

/// Sign-in behind the throttle shared with the web app's sign-in page: after repeated failures
/// for an email or from an address, the answer is 429 with `Retry-After` without a password check.
pub async fn login(
    State(state): State<AppState>,
    Extension(throttle): Extension<LoginThrottle>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<LoginBody>,
) -> ApiResult<Response> {
    let checked = throttle
        .check_password(&state, ip.as_deref(), &body.email, &body.password)
        .await?;
    match checked {
        Some(user) => start_session(&state, user, StatusCode::OK).await,
        None => Err(ApiError::Unauthorized("Wrong email or password.")),
    }
}

pub async fn logout(State(state): State<AppState>, session: SessionUser) -> ApiResult<Response> {
    let clear = session.close(&state).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(SET_COOKIE, clear);
    Ok(response)
}

pub async fn me(
    State(state): State<AppState>,
    session: SessionUser,
) -> ApiResult<Reply<serde_json::Value>> {
    let memberships = state.store.memberships(&session.user.id).await?;
    Ok(ok(me_body(
        &session.user,
        &memberships,
        &session.session.csrf_token,
    )))
}

pub async fn setup_status(State(state): State<AppState>) -> ApiResult<Reply<serde_json::Value>> {
    let needed = state.store.count_locations().await? == 0;
    Ok(ok(json!({ "setupNeeded": needed })))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetupBody {
    business_name: String,
    email: String,
    password: String,
    name: Option<String>,
}

/// First-run setup: only while the install has no location at all. Creates the first location
/// and its admin, and signs the admin in.
pub async fn setup(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<SetupBody>,
) -> ApiResult<Response> {
    let user = accounts::first_run_setup(
        state.store.as_ref(),
        state.clock.now(),
        body.business_name,
        &body.email,
        &body.password,
        body.name.as_deref(),
    )
    .await?;
    start_session(&state, user, StatusCode::CREATED).await
}
