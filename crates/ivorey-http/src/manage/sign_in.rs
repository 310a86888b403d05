//! The management API's sign-in endpoints: `/manage/login` (behind the sign-in throttle shared
//! with the web app), `/manage/logout`, `/manage/me` and the first-run `/manage/setup`.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};
use ivorey_app::accounts;
use ivorey_core::user::{Membership, User};
use serde::Deserialize;
use serde_json::json;

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::reply::{Reply, json_response, ok};
use crate::session::SessionUser;
use crate::session::throttle::{ClientIp, LoginThrottle};
use crate::state::AppState;

/// Starts a session for `user`: the response sets the cookie and carries the CSRF token.
async fn start_session(state: &AppState, user: User, status: StatusCode) -> ApiResult<Response> {
    let (set_cookie, session) = SessionUser::open(state, &user).await?;
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
