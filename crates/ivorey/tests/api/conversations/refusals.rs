//! What the conversation endpoints refuse: invalid messages (422 naming the field, nothing
//! stored), another location's records (404 exactly like a missing id; 403 for its locationId)
//! and tokens without the endpoint's scope (401, nothing changed).

use ivorey_core::ids::{ConversationId, MessageId};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{ALL_SCOPES, Tenant, contact, ok_call, send, tenant, without_trace};
use crate::common::TestApp;

/// Everything the location shows: conversations, and the messages of each.
async fn snapshot(app: &TestApp, t: &Tenant) -> Value {
    let path = format!("/conversations/search?locationId={}&limit=100", t.location);
    let (_, found) = ok_call(
        app,
        &t.token,
        Method::GET,
        &path,
        "/conversations/search",
        None,
    )
    .await;
    let mut all = vec![without_trace(found.clone())];
    for c in found["conversations"].as_array().unwrap() {
        let path = format!(
            "/conversations/{}/messages?limit=100",
            c["id"].as_str().unwrap()
        );
        let (_, messages) = app.api(&t.token, Method::GET, &path, None).await;
        all.push(without_trace(messages));
    }
    Value::Array(all)
}

/// A location with one conversation holding one (undeliverable) SMS; returns both ids.
async fn populated(app: &TestApp) -> (Tenant, String, String) {
    let t = tenant(app).await;
    let (conversation, message) = send(
        app,
        &t.token,
        json!({ "type": "SMS", "contactId": t.contact, "message": "hi" }),
    )
    .await;
    super::settled(app, &t.token, &message).await;
    (t, conversation, message)
}

/// Every endpoint: (method, path, body, scope it needs).
fn endpoints(
    t: &Tenant,
    conversation: &str,
    message: &str,
) -> Vec<(Method, String, Option<Value>, &'static str)> {
    let loc = &t.location;
    vec![
        (
            Method::POST,
            "/conversations/".into(),
            Some(json!({"locationId": loc, "contactId": t.contact})),
            "conversations.write",
        ),
        (
            Method::GET,
            format!("/conversations/search?locationId={loc}"),
            None,
            "conversations.readonly",
        ),
        (
            Method::GET,
            format!("/conversations/{conversation}"),
            None,
            "conversations.readonly",
        ),
        (
            Method::PUT,
            format!("/conversations/{conversation}"),
            Some(json!({"locationId": loc, "starred": true})),
            "conversations.write",
        ),
        (
            Method::DELETE,
            format!("/conversations/{conversation}"),
            None,
            "conversations.write",
        ),
        (
            Method::GET,
            format!("/conversations/{conversation}/messages"),
            None,
            "conversations/message.readonly",
        ),
        (
            Method::GET,
            format!("/conversations/messages/{message}"),
            None,
            "conversations/message.readonly",
        ),
        (
            Method::POST,
            "/conversations/messages".into(),
            Some(json!({"type": "SMS", "contactId": t.contact, "message": "x"})),
            "conversations/message.write",
        ),
        (
            Method::POST,
            "/conversations/messages/inbound".into(),
            Some(
                json!({"type": "SMS", "conversationId": conversation, "contactId": t.contact, "conversationProviderId": "p", "message": "x"}),
            ),
            "conversations/message.write",
        ),
        (
            Method::PUT,
            format!("/conversations/messages/{message}/status"),
            Some(json!({"status": "read"})),
            "conversations/message.write",
        ),
    ]
}

pub(crate) async fn every_endpoint_refuses_a_token_without_its_scope(app: TestApp) {
    let (t, conversation, message) = populated(&app).await;
    let before = snapshot(&app, &t).await;
    for (method, path, body, scope) in endpoints(&t, &conversation, &message) {
        let others: Vec<&str> = ALL_SCOPES.iter().copied().filter(|s| *s != scope).collect();
        let (_, token) = app.integration(&t.admin, &others).await;
        let (status, answer) = app.api(&token, method.clone(), &path, body).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{method} {path}: {answer}"
        );
        assert_eq!(answer["message"], ivorey_http::MISSING_SCOPE);
        let get = Method::GET;
        crate::spec::check(
            "conversations.json",
            &get,
            "/conversations/search",
            status,
            &answer,
        );
    }
    assert_eq!(snapshot(&app, &t).await, before);
}

pub(crate) async fn another_locations_records_answer_like_missing_ones(app: TestApp) {
    let (a, conversation, message) = populated(&app).await;
    let b = tenant(&app).await;
    let before = snapshot(&app, &a).await;
    let (missing_c, missing_m) = (
        ConversationId::generate().to_string(),
        MessageId::generate().to_string(),
    );
    // B's token on A's ids answers exactly as on ids that exist nowhere.
    let theirs = endpoints(&b, &conversation, &message);
    let nowhere = endpoints(&b, &missing_c, &missing_m);
    for (i, ((method, path, body, _), (_, missing_path, missing_body, _))) in
        theirs.into_iter().zip(nowhere).enumerate()
    {
        if !path.contains(&conversation) && !path.contains(&message) && i != 8 {
            continue;
        }
        let (status, answer) = app.api(&b.token, method.clone(), &path, body).await;
        let (missing_status, missing) = app
            .api(&b.token, method.clone(), &missing_path, missing_body)
            .await;
        assert_eq!(status, missing_status, "{method} {path}: {answer}");
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::UNPROCESSABLE_ENTITY,
            "{method} {path}: {answer}"
        );
        assert_eq!(
            without_trace(answer),
            without_trace(missing),
            "{method} {path}"
        );
    }
    // A's locationId in B's request is refused outright.
    let foreign = [
        (
            Method::POST,
            "/conversations/".to_owned(),
            Some(json!({"locationId": a.location, "contactId": a.contact})),
        ),
        (
            Method::GET,
            format!("/conversations/search?locationId={}", a.location),
            None,
        ),
        (
            Method::PUT,
            format!("/conversations/{conversation}"),
            Some(json!({"locationId": a.location, "starred": true})),
        ),
    ];
    for (method, path, body) in foreign {
        let (status, answer) = app.api(&b.token, method.clone(), &path, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {answer}");
    }
    // A's contact cannot receive a message through B's token.
    let body = json!({"type": "SMS", "contactId": a.contact, "message": "x"});
    let (status, answer) = app
        .api(
            &b.token,
            Method::POST,
            "/conversations/messages",
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(answer["message"][0].as_str().unwrap().contains("contactId"));
    assert_eq!(snapshot(&app, &a).await, before);
}

pub(crate) async fn invalid_messages_are_refused_naming_the_field(app: TestApp) {
    let t = tenant(&app).await;
    let silent = contact(&app, &t.token, &t.location, "No Channels", None, None).await;
    let before = snapshot(&app, &t).await;
    let cases = [
        (
            "toNumber",
            json!({"type": "SMS", "contactId": silent, "message": "hi"}),
        ),
        (
            "emailTo",
            json!({"type": "Email", "contactId": silent, "subject": "s", "message": "hi"}),
        ),
        (
            "emailTo",
            json!({"type": "Email", "contactId": t.contact, "emailTo": "not-an-address", "message": "hi"}),
        ),
        ("message", json!({"type": "SMS", "contactId": t.contact})),
        (
            "type",
            json!({"type": "WhatsApp", "contactId": t.contact, "message": "hi"}),
        ),
        ("type", json!({"contactId": t.contact, "message": "hi"})),
        ("contactId", json!({"type": "SMS", "message": "hi"})),
        (
            "contactId",
            json!({"type": "SMS", "contactId": MessageId::generate(), "message": "hi"}),
        ),
        (
            "templateId",
            json!({"type": "SMS", "contactId": t.contact, "message": "hi", "templateId": "x"}),
        ),
    ];
    for (field, body) in cases {
        let (status, answer) = app
            .api(
                &t.token,
                Method::POST,
                "/conversations/messages",
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        let messages = answer["message"].as_array().expect("a list of messages");
        assert!(
            messages.iter().any(|m| m.as_str().unwrap().contains(field)),
            "{field} not named: {answer}"
        );
    }
    assert_eq!(snapshot(&app, &t).await, before, "nothing was stored");
    let (_, message) = send(
        &app,
        &t.token,
        json!({"type": "SMS", "contactId": t.contact, "message": "hi"}),
    )
    .await;
    let path = format!("/conversations/messages/{message}/status");
    let (status, answer) = app
        .api(
            &t.token,
            Method::PUT,
            &path,
            Some(json!({"status": "sent"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let (_, updated) = ok_call(
        &app,
        &t.token,
        Method::PUT,
        &path,
        "/conversations/messages/{messageId}/status",
        Some(json!({"status": "delivered"})),
    )
    .await;
    assert_eq!(updated["status"], "delivered");
}
