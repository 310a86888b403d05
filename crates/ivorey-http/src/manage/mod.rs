//! The management API: JSON endpoints for signed-in users (session cookie + CSRF header), used
//! by the web UI and by tests. A Private Integration token can never call it.

mod forms;
mod integrations;
mod locations;
mod messaging;
mod payments;
mod pipelines;
mod rate_limits;
mod sign_in;
mod team;

use axum::Router;
use axum::extract::{FromRequestParts, RawPathParams, Request, State};
use axum::http::Method;
use axum::http::header::AUTHORIZATION;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};

use crate::error::ApiError;
use crate::session::SessionUser;
use crate::state::AppState;

pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/manage/setup",
            get(sign_in::setup_status).post(sign_in::setup),
        )
        .route("/manage/login", post(sign_in::login))
        .route("/manage/logout", post(sign_in::logout))
        .route("/manage/me", get(sign_in::me))
        .route("/manage/scopes", get(integrations::catalogue))
        .merge(
            location_routes()
                .route_layer(middleware::from_fn_with_state(state.clone(), location_gate)),
        )
        .route_layer(middleware::from_fn(refuse_tokens))
}

/// Everything under `/manage/locations/{locationId}`.
fn location_routes() -> Router<AppState> {
    let integration = "/manage/locations/{locationId}/integrations/{integrationId}";
    Router::new()
        .route(
            "/manage/locations/{locationId}",
            get(locations::get_profile).put(locations::put_profile),
        )
        .route(
            "/manage/locations/{locationId}/audit-log",
            get(locations::audit_log),
        )
        .route(
            "/manage/locations/{locationId}/integrations",
            get(integrations::list).post(integrations::create),
        )
        .route(
            integration,
            get(integrations::get)
                .patch(integrations::edit)
                .delete(integrations::delete),
        )
        .route(&format!("{integration}/rotate"), post(integrations::rotate))
        .route(
            &format!("{integration}/expire-old-token"),
            post(integrations::expire_old_token),
        )
        .route(&format!("{integration}/usage"), get(integrations::usage))
        .route(
            "/manage/locations/{locationId}/pipelines",
            get(pipelines::list).post(pipelines::create),
        )
        .route(
            "/manage/locations/{locationId}/forms",
            get(forms::list).post(forms::create),
        )
        .route(
            "/manage/locations/{locationId}/forms/{formId}",
            get(forms::get).put(forms::update).delete(forms::delete),
        )
        .route(
            "/manage/locations/{locationId}/rate-limits",
            get(rate_limits::get).put(rate_limits::put),
        )
        .route(
            "/manage/locations/{locationId}/messaging",
            get(messaging::get),
        )
        .route(
            "/manage/locations/{locationId}/messaging/smtp",
            put(messaging::put_smtp).delete(messaging::delete_smtp),
        )
        .route(
            "/manage/locations/{locationId}/messaging/webhook",
            put(messaging::put_webhook).delete(messaging::delete_webhook),
        )
        .route(
            "/manage/locations/{locationId}/orders",
            get(payments::list).post(payments::create),
        )
        .route(
            "/manage/locations/{locationId}/users",
            get(team::list).post(team::add),
        )
        .route(
            "/manage/locations/{locationId}/users/{userId}",
            patch(team::change_role).delete(team::remove),
        )
}

/// Authorization before the body: a request under `/manage/locations/{locationId}` needs a
/// session (and its CSRF token for unsafe methods), membership of the location to read and its
/// admin role to write, all checked before any extractor reads the body. So a plain user or an
/// outsider is refused the same way whatever the body holds (403, or 404 for a location they do
/// not belong to), never told which of its fields are wrong. Handlers still check their own role.
async fn location_gate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let checked = async {
        // A path that cannot be decoded is left to the handler's extractor to name.
        let Ok(params) = RawPathParams::from_request_parts(&mut parts, &state).await else {
            return Ok(());
        };
        let Some((_, location)) = params.iter().find(|(name, _)| *name == "locationId") else {
            return Ok(());
        };
        let location = location.to_owned();
        let session = SessionUser::from_request_parts(&mut parts, &state).await?;
        if matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
            session.role_in(&state, &location).await.map(drop)
        } else {
            session.admin_of(&state, &location).await.map(drop)
        }
    };
    match checked.await {
        Ok(()) => next.run(Request::from_parts(parts, body)).await,
        Err(refused) => refused.into_response(),
    }
}

/// A Private Integration token can never manage integrations, sign in or run setup: any request
/// to the management API that carries `Authorization` is refused before its handler runs.
async fn refuse_tokens(request: Request, next: Next) -> Response {
    if request.headers().contains_key(AUTHORIZATION) {
        return ApiError::Forbidden(
            "Private Integration tokens cannot call the management API. Sign in as an admin instead."
                .into(),
        )
        .into_response();
    }
    next.run(request).await
}
