//! Assembles the router (public API, management API, health) with the layers every request
//! passes through, and serves it with graceful shutdown.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use hyper::body::{Body as HttpBody, Frame, SizeHint};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::time::{Instant, Sleep};

use crate::error::ApiError;
use crate::reply::{Reply, ok, with_trace_id};
use crate::state::AppState;
use crate::{manage, metrics, public, session, web};

/// The whole HTTP surface.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(public::routes(&state))
        .merge(manage::routes(&state))
        .merge(web::routes())
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::render))
        .route("/openapi.json", get(crate::openapi::serve))
        .fallback(|| async { ApiError::NotFound("No such endpoint") })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), body_deadline))
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

/// A request's body must arrive within the body-read limit of its head. Past it the body ends
/// in an error (whatever the handler made of that), the request is answered 408 in the error
/// shape and the connection is closed: a client trickling a body cannot hold a worker for the
/// whole request time limit.
async fn body_deadline(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.body().is_end_stream() {
        return next.run(request).await;
    }
    let limit = state.config.connections.body_read_timeout;
    let expired = Arc::new(AtomicBool::new(false));
    let deadline = Instant::now() + limit;
    let request = request.map(|inner| {
        Body::new(DeadlineBody {
            inner,
            deadline,
            sleep: None,
            expired: expired.clone(),
        })
    });
    let response = next.run(request).await;
    if !expired.load(Ordering::Acquire) {
        return response;
    }
    state.metrics.connections().body_timed_out();
    tracing::warn!(
        limit_ms = limit.as_millis() as u64,
        "request body not received in time"
    );
    let mut response = ApiError::RequestTimeout.into_response();
    let close = HeaderValue::from_static("close");
    response.headers_mut().insert(header::CONNECTION, close);
    response
}

/// A body that fails once its deadline passes (the timer starts only if the body is waited
/// for).
struct DeadlineBody {
    inner: Body,
    deadline: Instant,
    sleep: Option<Pin<Box<Sleep>>>,
    expired: Arc<AtomicBool>,
}

impl HttpBody for DeadlineBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame);
        }
        let deadline = self.deadline;
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.expired.store(true, Ordering::Release);
                let late =
                    std::io::Error::new(std::io::ErrorKind::TimedOut, "request body too slow");
                Poll::Ready(Some(Err(axum::Error::new(late))))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
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
    // Applies started contact imports, resuming any that an earlier run left unfinished.
    let imports = tokio::spawn(ivorey_app::imports::run_worker(
        state.store.clone(),
        state.clock.clone(),
        state.config.imports.clone(),
        state.imports.clone(),
    ));
    let limits = state.config.connections;
    tracing::info!(
        max_connections = limits.max_connections,
        header_read_timeout_ms = limits.header_read_timeout.as_millis() as u64,
        keep_alive_timeout_ms = limits.keep_alive_timeout.as_millis() as u64,
        body_read_timeout_ms = limits.body_read_timeout.as_millis() as u64,
        "connection limits"
    );
    let app = router(state.clone());
    crate::connections::accept_loop(listener, app, limits, state.metrics.clone(), shutdown).await;
    flusher.abort();
    deliveries.abort();
    imports.abort();
    state.usage.flush(state.store.as_ref()).await;
    Ok(())
}
