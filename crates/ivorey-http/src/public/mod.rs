//! The public API: HighLevel v2 paths and shapes, called by external tools with a Private
//! Integration token. Every handler's first line names the scope it needs.

mod auth;
mod contacts;
mod introspect;
mod locations;

use axum::Router;
use axum::middleware;
use axum::routing::get;

pub use auth::Authed;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/locations/{locationId}", get(locations::get_location))
        .route("/contacts/", get(contacts::list).post(contacts::create))
        .route(
            "/contacts/{contactId}",
            get(contacts::get)
                .put(contacts::update)
                .delete(contacts::delete),
        )
        .route("/token/introspect", get(introspect::introspect))
        .route_layer(middleware::from_fn(crate::ratelimit::rate_limit_headers))
}
