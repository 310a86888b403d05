//! Assembles the router (public API, management API, health) with the layers every request
//! passes through, and serves it with graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::json;
use tokio::net::TcpListener;

use crate::error::ApiError;
use crate::reply::{Reply, ok, with_trace_id};
use crate::state::AppState;
use crate::{manage, metrics, public, session, web};

/// The whole HTTP surface.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(public::routes(&state))
        .merge(manage::routes())
        .merge(web::routes())
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::render))
        .route("/openapi.json", get(crate::openapi::serve))
        .fallback(|| async { ApiError::NotFound("No such endpoint") })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::record,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            request_timeout,
        ))
        // Sign-in throttling, shared by the web sign-in page and POST /manage/login.
        .layer(Extension(session::throttle::LoginThrottle::default()))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(with_trace_id))
        .with_state(state)
}

/// A request that takes longer than the configured limit is answered 503 (in the API's error
/// shape) instead of holding its connection; its work is dropped at the next await point.
async fn request_timeout(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limit = state.config.request_timeout;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(limit_ms = limit.as_millis() as u64, "request timed out");
            ApiError::Unavailable.into_response()
        }
    }
}

/// Responses may carry tokens or personal data: never cache them, never sniff them.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

async fn healthz() -> Reply<serde_json::Value> {
    ok(json!({ "status": "ok" }))
}

async fn readyz(State(state): State<AppState>) -> Result<Reply<serde_json::Value>, ApiError> {
    state.store.ping().await?;
    Ok(ok(
        json!({ "status": "ready", "database": state.store.backend() }),
    ))
}

/// Serves until `shutdown` completes, then finishes in-flight requests and flushes usage.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let flusher = state
        .usage
        .spawn_flusher(state.store.clone(), std::time::Duration::from_secs(5));
    // Delivers what earlier runs left pending, then whatever requests queue.
    let deliveries = tokio::spawn(ivorey_app::delivery::run_worker(
        state.store.clone(),
        state.clock.clone(),
        state.config.delivery.clone(),
        state.outbox.clone(),
    ));
    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    flusher.abort();
    deliveries.abort();
    state.usage.flush(state.store.as_ref()).await;
    result
}
