//! The public API: HighLevel v2 paths and shapes, called by external tools with a Private
//! Integration token. Every handler's first line names the scope it needs.

mod auth;
mod calendar_events;
mod calendars;
pub mod catalog;
mod contact_notes;
mod contact_reply;
mod contact_search;
mod contact_tags;
mod contact_tasks;
mod contact_upsert;
mod contacts;
mod conversations;
mod custom_fields;
mod forms;
mod gate;
mod introspect;
mod locations;
mod message_body;
mod messages;
mod opportunities;
mod payments;
mod users;

use axum::Router;
use axum::middleware;
use axum::routing::post;

pub use auth::Authed;

use crate::AppState;

/// The public routes, built from the catalogue (which `/openapi.json` documents). Each operation
/// that names a scope sits behind the scope gate, which enforces that scope (and the token's
/// location) before the handler's extractors read anything.
pub fn routes(state: &AppState) -> Router<AppState> {
    catalog::endpoints()
        .into_iter()
        .fold(Router::new(), |router, e| {
            let route = match e.scope {
                Some(scope) => (e.route)().route_layer(middleware::from_fn_with_state(
                    state.clone(),
                    move |state, request, next| gate::scope_gate(state, scope, request, next),
                )),
                None => (e.route)(),
            };
            router.route(e.path, route)
        })
        .route_layer(middleware::from_fn(crate::ratelimit::rate_limit_headers))
        // A website's form posts here without a token; it has its own per-address throttle.
        .route("/forms/submit/{formId}", post(forms::submit))
}
