//! Real delivery: an Email through a local SMTP sink, SMS through a local webhook receiver that
//! checks the HMAC signature (failing first to prove retries), permanent failures, a missing
//! provider, and messages left pending across a restart.

use std::sync::atomic::Ordering;

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{Tenant, send, settled, tenant, with_fast_delivery};
use crate::common::TestApp;
use crate::support_smtp::SmtpSink;
use crate::support_webhook::{Receiver, receiver};

/// Points the location's webhook at `r`; the secret is shown once and stored in `r`.
async fn configure_webhook(app: &TestApp, t: &Tenant, r: &Receiver) {
    let path = format!("/manage/locations/{}/messaging/webhook", t.location);
    let (status, body) = app
        .manage(
            &t.admin.session,
            Method::PUT,
            &path,
            Some(json!({ "url": r.url })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let secret = body["messaging"]["webhookSecret"]
        .as_str()
        .expect("secret shown once");
    *r.secret.lock().unwrap() = secret.to_owned();
    let (_, shown) = app
        .manage(
            &t.admin.session,
            Method::GET,
            &format!("/manage/locations/{}/messaging", t.location),
            None,
        )
        .await;
    assert!(
        !shown.to_string().contains(secret),
        "the secret is never shown again: {shown}"
    );
}

pub(crate) async fn an_email_reaches_the_smtp_server_and_is_marked_sent(app: TestApp) {
    let t = tenant(&app).await;
    let mut sink = SmtpSink::start().await;
    let smtp = json!({ "host": "127.0.0.1", "port": sink.port, "tls": "none",
                       "username": "mailer", "password": "s3cret-pass", "from": "office@example.com" });
    let path = format!("/manage/locations/{}/messaging/smtp", t.location);
    let (status, body) = app
        .manage(&t.admin.session, Method::PUT, &path, Some(smtp))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!body.to_string().contains("s3cret-pass"));
    assert_eq!(body["messaging"]["smtp"]["hasPassword"], true);
    // Without AUTH support in the sink, credentials would fail: drop them for the delivery.
    let smtp = json!({ "host": "127.0.0.1", "port": sink.port, "tls": "none", "from": "office@example.com" });
    app.manage(&t.admin.session, Method::PUT, &path, Some(smtp))
        .await;

    let (conversation, message) = send(
        &app,
        &t.token,
        json!({
            "type": "Email", "contactId": t.contact, "subject": "Your invoice",
            "message": "Hello Ada, here is your invoice.", "html": "<p>Hello Ada</p>",
        }),
    )
    .await;
    let done = settled(&app, &t.token, &message).await;
    assert_eq!(done["status"], "sent", "{done}");
    assert_eq!(
        (
            done["conversationId"].as_str(),
            done["messageType"].as_str()
        ),
        (Some(conversation.as_str()), Some("TYPE_EMAIL"))
    );
    let mail = tokio::time::timeout(std::time::Duration::from_secs(5), sink.received.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (mail.from.as_str(), mail.to.clone()),
        ("office@example.com", vec!["ada@example.com".to_owned()])
    );
    assert!(mail.data.contains("Subject: Your invoice"), "{}", mail.data);
    assert!(
        mail.data.contains("Hello Ada, here is your invoice."),
        "{}",
        mail.data
    );
    assert!(mail.data.contains("<p>Hello Ada</p>"), "{}", mail.data);
    let (_, c) = app
        .api(
            &t.token,
            Method::GET,
            &format!("/conversations/{conversation}"),
            None,
        )
        .await;
    assert_eq!(
        (c["lastMessageType"].as_str(), c["type"].as_u64()),
        (Some("TYPE_EMAIL"), Some(2))
    );
}

pub(crate) async fn an_sms_is_retried_until_the_webhook_accepts_it(app: TestApp) {
    let app = with_fast_delivery(app, 5).await;
    let t = tenant(&app).await;
    let mut r = receiver(Some(2)).await;
    configure_webhook(&app, &t, &r).await;
    let (conversation, message) = send(
        &app,
        &t.token,
        json!({ "type": "SMS", "contactId": t.contact, "message": "Your table is ready" }),
    )
    .await;
    let done = settled(&app, &t.token, &message).await;
    assert_eq!(done["status"], "sent", "{done}");
    assert_eq!(r.hits.load(Ordering::SeqCst), 3, "two 503s, then accepted");
    let body = r.bodies.recv().await.unwrap();
    assert_eq!(
        (body["messageId"].as_str(), body["conversationId"].as_str()),
        (Some(message.as_str()), Some(conversation.as_str()))
    );
    assert_eq!(
        (body["toNumber"].as_str(), body["message"].as_str()),
        (Some("+15550100"), Some("Your table is ready"))
    );
    assert_eq!(
        (body["type"].as_str(), body["attempt"].as_u64()),
        (Some("SMS"), Some(3))
    );
}

pub(crate) async fn a_webhook_that_always_fails_leaves_the_message_failed(app: TestApp) {
    let app = with_fast_delivery(app, 3).await;
    let t = tenant(&app).await;
    let r = receiver(None).await;
    configure_webhook(&app, &t, &r).await;
    let (_, message) = send(
        &app,
        &t.token,
        json!({ "type": "Custom", "contactId": t.contact, "message": "ping" }),
    )
    .await;
    let done = settled(&app, &t.token, &message).await;
    assert_eq!(done["status"], "failed", "{done}");
    assert!(
        done["error"].as_str().unwrap().contains("HTTP 503"),
        "{done}"
    );
    assert_eq!(
        r.hits.load(Ordering::SeqCst),
        3,
        "exactly max_attempts tries"
    );
}

pub(crate) async fn without_a_provider_the_message_fails_with_the_reason(app: TestApp) {
    let t = tenant(&app).await;
    let (_, sms) = send(
        &app,
        &t.token,
        json!({ "type": "SMS", "contactId": t.contact, "message": "hi" }),
    )
    .await;
    let done = settled(&app, &t.token, &sms).await;
    assert_eq!(done["status"], "failed");
    assert_eq!(
        done["error"],
        "no webhook provider is configured for this location"
    );
    let (_, email) = send(
        &app,
        &t.token,
        json!({ "type": "Email", "contactId": t.contact, "subject": "s", "message": "m" }),
    )
    .await;
    let done = settled(&app, &t.token, &email).await;
    assert_eq!(
        done["error"],
        "no SMTP server is configured for this location"
    );
}

pub(crate) async fn messages_queued_before_a_restart_are_delivered_after_it(app: TestApp) {
    use ivorey_core::conversation::{Channel, Conversation, Direction, Message, MessageStatus};
    let t = tenant(&app).await;
    let mut r = receiver(Some(0)).await;
    configure_webhook(&app, &t, &r).await;
    let store = app.store.clone();
    app.stop().await;
    // Written to the outbox while no server runs, as if one stopped right after the commit.
    let location = ivorey_core::LocationId::parse(&t.location).unwrap();
    let contact = ivorey_core::ContactId::parse(&t.contact).unwrap();
    let now = ivorey_core::Clock::now(&ivorey_core::SystemClock);
    let fresh = Conversation::new(&location, &contact, now);
    let message = Message {
        id: ivorey_core::ids::MessageId::generate(),
        location_id: location.clone(),
        conversation_id: fresh.id.clone(),
        contact_id: contact,
        channel: Channel::Sms,
        direction: Direction::Outbound,
        status: MessageStatus::Pending,
        body: "left pending".into(),
        content: ivorey_core::conversation::MessageContent {
            to_number: Some("+15550100".into()),
            ..Default::default()
        },
        source: "api".into(),
        error: None,
        attempts: 0,
        date_added: now,
        date_updated: now,
        sent_by: None,
    };
    store.add_message(&message, &fresh).await.unwrap();
    let restarted = TestApp::start(store).await;
    let done = settled(&restarted, &t.token, message.id.as_str()).await;
    assert_eq!(done["status"], "sent", "{done}");
    let body = r.bodies.recv().await.unwrap();
    assert_eq!(
        (body["messageId"].as_str(), body["message"].as_str()),
        (Some(message.id.as_str()), Some("left pending"))
    );
}
