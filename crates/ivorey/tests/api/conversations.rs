//! Conversations and messages over real HTTP, on both backends, in HighLevel v2 shapes: CRUD,
//! search and message paging, real delivery (a local SMTP sink and a local webhook receiver
//! that checks the signature), retries and failures, validation, another location's records,
//! and every endpoint without its scope. Every successful body is checked against HighLevel's
//! schema (`spec`).

mod crud;
mod delivery;
mod refusals;

use std::time::Duration;

use crud::*;
use delivery::*;
use ivorey_app::delivery::DeliveryConfig;
use ivorey_app::ratelimit::RateLimits;
use ivorey_http::HttpConfig;
use refusals::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Admin, TestApp};
use crate::spec;

on_both_backends!(
    a_conversation_has_the_highlevel_shapes_through_its_life,
    search_pages_by_start_after_date_and_each_filter_narrows,
    messages_page_newest_first_by_last_message_id,
    an_email_reaches_the_smtp_server_and_is_marked_sent,
    an_sms_is_retried_until_the_webhook_accepts_it,
    a_webhook_that_always_fails_leaves_the_message_failed,
    without_a_provider_the_message_fails_with_the_reason,
    messages_queued_before_a_restart_are_delivered_after_it,
    invalid_messages_are_refused_naming_the_field,
    another_locations_records_answer_like_missing_ones,
    every_endpoint_refuses_a_token_without_its_scope,
);

pub(crate) const ALL_SCOPES: [&str; 6] = [
    "contacts.readonly",
    "contacts.write",
    "conversations.readonly",
    "conversations.write",
    "conversations/message.readonly",
    "conversations/message.write",
];

/// A location with an admin, a full-scope token and a contact with email and phone.
pub(crate) struct Tenant {
    pub(crate) admin: Admin,
    pub(crate) token: String,
    pub(crate) location: String,
    pub(crate) contact: String,
}

pub(crate) async fn tenant(app: &TestApp) -> Tenant {
    let admin = app.new_admin("Conversations Inc").await;
    let (_, token) = app.integration(&admin, &ALL_SCOPES).await;
    let location = admin.location.clone();
    let contact = contact(
        app,
        &token,
        &location,
        "Ada Lovelace",
        Some("ada@example.com"),
        Some("+15550100"),
    )
    .await;
    Tenant {
        admin,
        token,
        location,
        contact,
    }
}

pub(crate) async fn contact(
    app: &TestApp,
    token: &str,
    location: &str,
    name: &str,
    email: Option<&str>,
    phone: Option<&str>,
) -> String {
    let body = json!({ "locationId": location, "name": name, "email": email, "phone": phone });
    let (status, answer) = app.api(token, Method::POST, "/contacts/", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    answer["contact"]["id"].as_str().expect("id").to_owned()
}

/// A public call that must succeed (2xx); its body is checked against the spec at `template`.
pub(crate) async fn ok_call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    template: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let (status, answer) = app.api(token, method.clone(), path, body).await;
    assert!(status.is_success(), "{method} {path} -> {status}: {answer}");
    spec::check("conversations.json", &method, template, status, &answer);
    (status, answer)
}

/// Sends a message; returns (conversationId, messageId).
pub(crate) async fn send(app: &TestApp, token: &str, body: Value) -> (String, String) {
    let (_, answer) = ok_call(
        app,
        token,
        Method::POST,
        "/conversations/messages",
        "/conversations/messages",
        Some(body),
    )
    .await;
    assert_eq!(answer["status"], "pending", "{answer}");
    (
        answer["conversationId"].as_str().unwrap().to_owned(),
        answer["messageId"].as_str().unwrap().to_owned(),
    )
}

/// The message once its status is no longer `pending` (at most 15 s).
pub(crate) async fn settled(app: &TestApp, token: &str, message: &str) -> Value {
    let path = format!("/conversations/messages/{message}");
    for _ in 0..300 {
        let (_, body) = ok_call(
            app,
            token,
            Method::GET,
            &path,
            "/conversations/messages/{id}",
            None,
        )
        .await;
        if body["status"] != "pending" {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("message {message} is still pending");
}

/// The same store served with fast delivery retries.
pub(crate) async fn with_fast_delivery(app: TestApp, max_attempts: u32) -> TestApp {
    let store = app.store.clone();
    app.stop().await;
    let config = HttpConfig {
        rate_limits: RateLimits {
            burst_max: 1 << 40,
            daily_max: 1 << 40,
            ..RateLimits::default()
        },
        delivery: DeliveryConfig {
            max_attempts,
            initial_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(100),
            attempt_timeout: Duration::from_secs(5),
            ..DeliveryConfig::default()
        },
        ..HttpConfig::default()
    };
    TestApp::start_with(store, config).await
}

pub(crate) fn without_trace(mut body: Value) -> Value {
    if let Some(map) = body.as_object_mut() {
        map.remove("traceId");
    }
    body
}
