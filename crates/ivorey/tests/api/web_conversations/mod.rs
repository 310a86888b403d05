//! Conversations in the web app over plain HTTP, on both backends: an integration sends and
//! records messages through the API; the inbox lists them unread first with keyset pages and a
//! channel filter (`inbox.rs`); the thread shows both directions and each outbound status, a
//! reply typed on the page goes out through the location's webhook or SMTP server (sent, or
//! failed with the reason), "Mark as read", and forms without their CSRF token change nothing
//! (`thread.rs`); another location's conversation is not found.

mod inbox;
mod thread;

use std::time::Duration;

use inbox::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use thread::*;

use crate::browser_support::get_page;
use crate::common::{Admin, TestApp};
use crate::conversations::Tenant;
use crate::support_webhook::Receiver;

on_both_backends!(
    the_inbox_puts_unread_first_and_the_thread_shows_both_directions,
    the_channel_filter_and_next_page_links_walk_the_whole_inbox,
    an_empty_inbox_says_where_messages_come_from,
    another_locations_conversation_is_not_found,
    a_reply_typed_on_the_page_goes_out_through_the_webhook,
    an_email_reply_carries_its_subject_through_smtp,
    a_refused_reply_shows_failed_with_the_reason,
    mark_as_read_clears_the_unread_badge,
    thread_forms_without_the_csrf_token_change_nothing,
);

pub(crate) fn inbox(location: &str, rest: &str) -> String {
    format!("/l/{location}/conversations{rest}")
}

/// Points the location's webhook at `r` through the management API; the secret goes to `r`.
pub(crate) async fn use_webhook(app: &TestApp, admin: &Admin, r: &Receiver) {
    let path = format!("/manage/locations/{}/messaging/webhook", admin.location);
    let (status, body) = app
        .manage(
            &admin.session,
            Method::PUT,
            &path,
            Some(json!({ "url": r.url })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let secret = body["messaging"]["webhookSecret"].as_str().expect("secret");
    *r.secret.lock().unwrap() = secret.to_owned();
}

/// Sends an outbound SMS through the API; returns (conversationId, messageId).
pub(crate) async fn send_sms(
    app: &TestApp,
    token: &str,
    contact: &str,
    text: &str,
) -> (String, String) {
    let body = json!({ "type": "SMS", "contactId": contact, "message": text });
    let (status, answer) = app
        .api(token, Method::POST, "/conversations/messages", Some(body))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    (
        answer["conversationId"].as_str().unwrap().to_owned(),
        answer["messageId"].as_str().unwrap().to_owned(),
    )
}

/// Records an inbound SMS in the conversation through the API; returns its id.
pub(crate) async fn receive_sms(
    app: &TestApp,
    t: &Tenant,
    conversation: &str,
    text: &str,
) -> String {
    let body = json!({ "type": "SMS", "conversationId": conversation,
                       "contactId": t.contact, "message": text });
    let (status, answer) = app
        .api(
            &t.token,
            Method::POST,
            "/conversations/messages/inbound",
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer["messageId"].as_str().unwrap().to_owned()
}

pub(crate) async fn conversation_json(app: &TestApp, token: &str, id: &str) -> Value {
    let (status, body) = app
        .api(token, Method::GET, &format!("/conversations/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

pub(crate) async fn message_count(app: &TestApp, token: &str, conversation: &str) -> usize {
    let path = format!("/conversations/{conversation}/messages?limit=100");
    let (status, body) = app.api(token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["messages"].as_array().map_or(0, Vec::len)
}

/// The thread page once the message's status badge shows `status` (at most 15 s).
pub(crate) async fn thread_once(
    app: &TestApp,
    t: &Tenant,
    path: &str,
    message: &str,
    status: &str,
) -> String {
    for _ in 0..300 {
        let (code, _, body) = get_page(app, &t.admin.session.cookie, path).await;
        assert_eq!(code, StatusCode::OK, "{body}");
        let at = body
            .find(&format!("id=\"message-{message}\""))
            .expect("the message is on the page");
        let rest = &body[at..];
        let end = rest.find("</li>").unwrap_or(rest.len());
        if rest[..end].contains(&format!("data-status=\"{status}\"")) {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("message {message} never showed {status}");
}

/// Where `text` is in the page (it must be there).
pub(crate) fn position(body: &str, text: &str) -> usize {
    body.find(text)
        .unwrap_or_else(|| panic!("{text:?} not in {body}"))
}

/// The `href` of the "Next page" link, if the page has one.
pub(crate) fn next_page(body: &str) -> Option<String> {
    let at = body.find("id=\"next-page\"")?;
    let start = body[..at].rfind("<a")?;
    let tag = &body[start..at + body[at..].find('>')?];
    let href = tag.split("href=\"").nth(1)?;
    Some(href[..href.find('"')?].replace("&amp;", "&"))
}
