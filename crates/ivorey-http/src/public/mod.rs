//! The public API: HighLevel v2 paths and shapes, called by external tools with a Private
//! Integration token. Each operation's scope is stated once, in the catalogue, and enforced by
//! the scope gate; handlers take the gate's `Granted`.

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
mod granted;
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

pub use granted::Granted;

use crate::state::AppState;

/// The public routes, built from the catalogue (which `/openapi.json` documents). Every
/// operation sits behind the scope gate, which checks the token, enforces the operation's scope
/// (if it names one) and the token's location before the handler's extractors read anything,
/// and writes the rate-limit headers.
pub fn routes(state: &AppState) -> Router<AppState> {
    catalog::endpoints()
        .into_iter()
        .fold(Router::new(), |router, e| {
            let scope = e.scope;
            let route = (e.route)().route_layer(middleware::from_fn_with_state(
                state.clone(),
                move |state, request, next| gate::scope_gate(state, scope, request, next),
            ));
            router.route(e.path, route)
        })
        // A website's form posts here without a token; it has its own per-address throttle.
        .route("/forms/submit/{formId}", post(forms::submit))
}
