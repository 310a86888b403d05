//! Successful JSON replies and the per-request trace id. Every response carries the trace id in
//! the `X-Trace-Id` header, and every JSON object body also carries it as `traceId`.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

tokio::task_local! {
    static TRACE_ID: HeaderValue;
}

pub const TRACE_HEADER: HeaderName = HeaderName::from_static("x-trace-id");

/// The current request's trace id, or `-` outside a request.
pub fn current_trace_id() -> String {
    TRACE_ID
        .try_with(|id| id.to_str().unwrap_or("-").to_owned())
        .unwrap_or_else(|_| "-".to_owned())
}

/// Middleware: gives each request a fresh trace id (never one chosen by the client, so logs
/// can't be spoofed), runs it inside that id's scope, and stamps the response header.
pub async fn with_trace_id(request: Request, next: Next) -> Response {
    let id = HeaderValue::from_str(&ivorey_core::random::hex128())
        .expect("hex characters are valid header bytes");
    // `integration` is filled in once the token is verified (public/auth.rs).
    let span = tracing::info_span!("request", trace_id = %id.to_str().unwrap_or("-"),
        method = %request.method(), path = %request.uri().path(),
        integration = tracing::field::Empty);
    let started = std::time::Instant::now();
    let handled = tracing::Instrument::instrument(next.run(request), span.clone());
    let mut response = TRACE_ID.scope(id.clone(), handled).await;
    // Method, path and status only: headers (tokens, cookies) and query strings are never logged.
    span.in_scope(|| {
        tracing::debug!(
            status = response.status().as_u16(),
            micros = started.elapsed().as_micros() as u64,
            "request done"
        );
    });
    response.headers_mut().insert(TRACE_HEADER, id);
    response
}

/// A JSON body with a status; the trace id is added to the top-level object.
#[derive(Debug)]
pub struct Reply<T>(pub StatusCode, pub T);

/// 200 with `body`.
pub fn ok<T: Serialize>(body: T) -> Reply<T> {
    Reply(StatusCode::OK, body)
}

impl<T: Serialize> IntoResponse for Reply<T> {
    fn into_response(self) -> Response {
        json_response(self.0, &self.1)
    }
}

/// Serializes `body`, adding `"traceId"` when it is a JSON object. Splicing the bytes avoids
/// building an intermediate `Value` on every response; bodies therefore never set `traceId`
/// themselves.
pub fn json_response<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response {
    let mut bytes = match serde_json::to_vec(body) {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "response serialization failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
        }
    };
    if bytes.first() == Some(&b'{') && bytes.last() == Some(&b'}') {
        let trace = current_trace_id();
        bytes.pop();
        if bytes.len() > 1 {
            bytes.push(b',');
        }
        bytes.extend_from_slice(b"\"traceId\":\"");
        bytes.extend_from_slice(trace.as_bytes());
        bytes.extend_from_slice(b"\"}");
    }
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}
