//! The public API: HighLevel v2 paths and shapes, called by external tools with a Private
//! Integration token. Every handler's first line names the scope it needs.

mod auth;
mod contact_notes;
mod contact_tags;
mod contact_upsert;
mod contacts;
mod conversations;
mod introspect;
mod locations;
mod message_body;
mod messages;
mod opportunities;
mod users;

use axum::Router;
use axum::middleware;
use axum::routing::{get, post, put};

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
        .route("/contacts/upsert", post(contact_upsert::upsert))
        .route(
            "/contacts/{contactId}/tags",
            post(contact_tags::add).delete(contact_tags::remove),
        )
        .route(
            "/contacts/{contactId}/notes",
            get(contact_notes::list).post(contact_notes::create),
        )
        .route(
            "/contacts/{contactId}/notes/{id}",
            get(contact_notes::get)
                .put(contact_notes::update)
                .delete(contact_notes::delete),
        )
        .route("/opportunities/", post(opportunities::create))
        .route("/opportunities/pipelines", get(opportunities::pipelines))
        .route(
            "/opportunities/search",
            get(opportunities::search).post(opportunities::search_post),
        )
        .route("/opportunities/upsert", post(opportunities::upsert))
        .route(
            "/opportunities/{id}",
            get(opportunities::get)
                .put(opportunities::update)
                .delete(opportunities::delete),
        )
        .route(
            "/opportunities/{id}/status",
            put(opportunities::update_status),
        )
        .route("/users/", get(users::list))
        .route("/users/{userId}", get(users::get))
        .route("/token/introspect", get(introspect::introspect))
        .route("/conversations/", post(conversations::create))
        .route("/conversations/search", get(conversations::search))
        .route(
            "/conversations/{conversationId}",
            get(conversations::get)
                .put(conversations::update)
                .delete(conversations::delete),
        )
        .route(
            "/conversations/{conversationId}/messages",
            get(messages::list),
        )
        .route("/conversations/messages", post(messages::send))
        .route("/conversations/messages/inbound", post(messages::inbound))
        .route("/conversations/messages/{messageId}", get(messages::get))
        .route(
            "/conversations/messages/{messageId}/status",
            put(messages::update_status),
        )
        .route_layer(middleware::from_fn(crate::ratelimit::rate_limit_headers))
}
