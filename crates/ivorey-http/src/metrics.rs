//! `GET /metrics` and the middleware that times every routed request; the counters themselves
//! are `ivorey_app::metrics::Metrics` (the rate limiter counts there too), and the token grant
//! cache's are read from the store when rendered.

use std::fmt::Write as _;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

/// Middleware: times every routed request and counts it under its route template.
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    state
        .metrics
        .observe(&route, &method, response.status().as_u16(), seconds);
    response
}

/// The token grant cache's counters (hits answered from memory, misses read from the
/// database and then cached, bypasses read from the database while the cache is not trusted).
fn render_grant_cache(out: &mut String, stats: &ivorey_store::grant_cache::GrantCacheStats) {
    out.push_str(
        "# HELP ivorey_token_cache_lookups_total Token lookups by how the cache answered.\n",
    );
    out.push_str("# TYPE ivorey_token_cache_lookups_total counter\n");
    for (result, n) in [
        ("hit", stats.hits),
        ("miss", stats.misses),
        ("bypass", stats.bypasses),
    ] {
        let _ = writeln!(
            out,
            "ivorey_token_cache_lookups_total{{result=\"{result}\"}} {n}"
        );
    }
    out.push_str(
        "# HELP ivorey_token_cache_invalidations_total Evictions and clears of the cache.\n",
    );
    out.push_str("# TYPE ivorey_token_cache_invalidations_total counter\n");
    let _ = writeln!(
        out,
        "ivorey_token_cache_invalidations_total {}",
        stats.invalidations
    );
    out.push_str("# HELP ivorey_token_cache_entries Grants held in the cache.\n");
    out.push_str("# TYPE ivorey_token_cache_entries gauge\n");
    let _ = writeln!(out, "ivorey_token_cache_entries {}", stats.entries);
    out.push_str("# HELP ivorey_token_cache_trusted 1 while the cache may answer, else 0.\n");
    out.push_str("# TYPE ivorey_token_cache_trusted gauge\n");
    let _ = writeln!(
        out,
        "ivorey_token_cache_trusted {}",
        u8::from(stats.trusted)
    );
}

/// `GET /metrics`.
pub async fn render(State(state): State<AppState>) -> Response {
    let mut text = state.metrics.render();
    if let Some(cache) = state.store.grant_cache() {
        render_grant_cache(&mut text, &cache.stats());
    }
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}
