//! Sign-in sessions: a random id in an HttpOnly, SameSite cookie (only its SHA-256 is stored),
//! and a synchronizer CSRF token that every state-changing request must echo in `X-CSRF-Token`
//! (the web app reads the same cookie and takes the token from a `csrf` form field instead).
//! `throttle.rs` limits sign-in attempts for both faces. The faces' sign-in endpoints are their
//! own (`manage/sign_in.rs`, `web/login.rs`).

pub(crate) mod throttle;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method};
use ivorey_core::audit::Actor;
use ivorey_core::user::{Role, User};
use ivorey_core::{LocationId, random};
use ivorey_store::SessionRecord;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

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
