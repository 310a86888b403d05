//! The thread's forms: replies through the webhook and SMTP (sent, or failed with the
//! reason), "Mark as read", and forms without their CSRF token.

use std::time::Duration;

use reqwest::StatusCode;

use super::{
    conversation_json, inbox, message_count, position, receive_sms, send_sms, thread_once,
    use_webhook,
};
use crate::browser_support::{get_page, post_form};
use crate::common::TestApp;
use crate::conversations::{tenant, with_fast_delivery};
use crate::support_smtp::SmtpSink;
use crate::support_webhook::receiver;

pub(crate) async fn a_reply_typed_on_the_page_goes_out_through_the_webhook(app: TestApp) {
    let t = tenant(&app).await;
    let mut r = receiver(Some(0)).await;
    use_webhook(&app, &t.admin, &r).await;
    let (conversation, _) = send_sms(&app, &t.token, &t.contact, "Hello from the API").await;
    receive_sms(&app, &t, &conversation, "Hi! Can I move my booking?").await;
    let first = r.bodies.recv().await.expect("the API's message");
    assert_eq!(first["message"], "Hello from the API");

    let session = &t.admin.session;
    let thread = inbox(&t.location, &format!("/{conversation}"));
    let (_, _, page) = get_page(&app, &session.cookie, &thread).await;
    assert!(
        page.contains("<label for=\"f-type\">Channel</label>"),
        "{page}"
    );
    assert!(
        page.contains("<option value=\"SMS\" selected>SMS</option>"),
        "{page}"
    );
    assert!(
        !page.contains("value=\"Email\""),
        "no SMTP server: no Email choice"
    );

    let reply = "Of course <b>Ada</b>, Tuesday works.";
    let fields = [
        ("csrf", session.csrf.as_str()),
        ("type", "SMS"),
        ("subject", ""),
        ("message", reply),
    ];
    let (status, headers, body) =
        post_form(&app, &session.cookie, &format!("{thread}/reply"), &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let target = headers["location"].to_str().unwrap();
    assert!(
        target.starts_with(&format!("{thread}?done=sent#message-")),
        "{target}"
    );
    let message = target.rsplit("#message-").next().unwrap().to_owned();
    let c = conversation_json(&app, &t.token, &conversation).await;
    assert_eq!(
        c["unreadCount"], 0,
        "answering reads the customer's message: {c}"
    );

    let delivered = tokio::time::timeout(Duration::from_secs(10), r.bodies.recv())
        .await
        .expect("the reply reaches the webhook")
        .expect("a body");
    assert_eq!(delivered["message"], reply);
    assert_eq!(delivered["toNumber"], "+15550100");
    assert_eq!(delivered["messageId"], message.as_str());
    let page = thread_once(&app, &t, &thread, &message, "sent").await;
    assert!(
        page.contains("Of course &lt;b&gt;Ada&lt;/b&gt;, Tuesday works."),
        "escaped"
    );
    let item = &page[position(&page, &format!("id=\"message-{message}\""))..];
    // Each outbound message names who sent it: the team member, or the integration by name.
    let by_admin = format!("Sent by <strong>{}</strong>", t.admin.email);
    assert!(item.contains(&by_admin), "{item}");
    let first = &page[position(&page, "Hello from the API").saturating_sub(600)
        ..position(&page, "Hello from the API")];
    assert!(first.contains("Sent by <a href="), "{first}");
    assert!(first.contains("<strong>Test tool</strong>"), "{first}");
    assert_eq!(message_count(&app, &t.token, &conversation).await, 3);

    // An empty message is refused beside its field, and nothing is sent.
    let fields = [
        ("csrf", session.csrf.as_str()),
        ("type", "SMS"),
        ("message", ""),
    ];
    let (status, _, body) =
        post_form(&app, &session.cookie, &format!("{thread}/reply"), &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("Message is required."), "{body}");
    assert_eq!(message_count(&app, &t.token, &conversation).await, 3);
}

pub(crate) async fn an_email_reply_carries_its_subject_through_smtp(app: TestApp) {
    let t = tenant(&app).await;
    let mut sink = SmtpSink::start().await;
    let s = &t.admin.session;
    let port = sink.port.to_string();
    let smtp = [
        ("csrf", s.csrf.as_str()),
        ("host", "127.0.0.1"),
        ("port", port.as_str()),
        ("tls", "none"),
        ("from", "office@example.com"),
    ];
    let path = format!("/l/{}/settings/messaging/smtp", t.location);
    let (status, _, body) = post_form(&app, &s.cookie, &path, &smtp).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (conversation, _) = send_sms(&app, &t.token, &t.contact, "Hello").await;
    let thread = inbox(&t.location, &format!("/{conversation}"));
    let (_, _, page) = get_page(&app, &s.cookie, &thread).await;
    // Only SMTP is set up: Email is the one choice, chosen.
    assert!(
        page.contains("<option value=\"Email\" selected>Email</option>"),
        "{page}"
    );
    assert!(!page.contains("value=\"SMS\""), "{page}");
    let fields = [
        ("csrf", s.csrf.as_str()),
        ("type", "Email"),
        ("subject", "Your quote"),
        ("message", "Dear Ada, the quote is attached."),
    ];
    let (status, headers, body) =
        post_form(&app, &s.cookie, &format!("{thread}/reply"), &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let message = headers["location"]
        .to_str()
        .unwrap()
        .rsplit("#message-")
        .next()
        .unwrap()
        .to_owned();
    let mail = tokio::time::timeout(Duration::from_secs(10), sink.received.recv())
        .await
        .expect("the reply reaches the SMTP server")
        .expect("a message");
    assert_eq!(mail.to, ["ada@example.com"], "the contact's address");
    assert!(mail.data.contains("Subject: Your quote"), "{}", mail.data);
    assert!(
        mail.data.contains("Dear Ada, the quote is attached."),
        "{}",
        mail.data
    );
    let page = thread_once(&app, &t, &thread, &message, "sent").await;
    assert!(page.contains("<strong>Your quote</strong>"), "{page}");
}

pub(crate) async fn a_refused_reply_shows_failed_with_the_reason(app: TestApp) {
    let app = with_fast_delivery(app, 2).await;
    let t = tenant(&app).await;
    // Every request is answered 503: two attempts, then failed.
    let r = receiver(None).await;
    use_webhook(&app, &t.admin, &r).await;
    let (conversation, _) = send_sms(&app, &t.token, &t.contact, "First").await;
    let session = &t.admin.session;
    let thread = inbox(&t.location, &format!("/{conversation}"));
    let fields = [
        ("csrf", session.csrf.as_str()),
        ("type", "SMS"),
        ("message", "Are you there?"),
    ];
    let (status, headers, _) =
        post_form(&app, &session.cookie, &format!("{thread}/reply"), &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let target = headers["location"].to_str().unwrap();
    let message = target.rsplit("#message-").next().unwrap().to_owned();
    let c = conversation_json(&app, &t.token, &conversation).await;
    assert_eq!(
        c["unreadCount"], 0,
        "answering reads the customer's message: {c}"
    );
    let page = thread_once(&app, &t, &thread, &message, "failed").await;
    let item = &page[position(&page, &format!("id=\"message-{message}\""))..];
    assert!(
        item.contains("the webhook answered HTTP 503"),
        "the reason is shown: {item}"
    );
}

pub(crate) async fn mark_as_read_clears_the_unread_badge(app: TestApp) {
    let t = tenant(&app).await;
    let (conversation, _) = send_sms(&app, &t.token, &t.contact, "Hello").await;
    receive_sms(&app, &t, &conversation, "Reply one").await;
    receive_sms(&app, &t, &conversation, "Reply two").await;
    let session = &t.admin.session;
    let (_, _, body) = get_page(&app, &session.cookie, &inbox(&t.location, "")).await;
    assert!(body.contains("data-unread=\"2\""), "{body}");

    let thread = inbox(&t.location, &format!("/{conversation}"));
    let fields = [("csrf", session.csrf.as_str())];
    let (status, headers, _) =
        post_form(&app, &session.cookie, &format!("{thread}/read"), &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], format!("{thread}?done=read").as_str());
    let c = conversation_json(&app, &t.token, &conversation).await;
    assert_eq!(c["unreadCount"], 0, "{c}");
    let (_, _, body) = get_page(&app, &session.cookie, &inbox(&t.location, "")).await;
    assert!(!body.contains("data-unread"), "{body}");
    let (_, _, page) = get_page(&app, &session.cookie, &format!("{thread}?done=read")).await;
    assert!(page.contains("marked as read"), "{page}");
    assert!(!page.contains("id=\"mark-read\""), "{page}");
}

pub(crate) async fn thread_forms_without_the_csrf_token_change_nothing(app: TestApp) {
    let t = tenant(&app).await;
    let (conversation, _) = send_sms(&app, &t.token, &t.contact, "Hello").await;
    receive_sms(&app, &t, &conversation, "Hi").await;
    let cookie = &t.admin.session.cookie;
    let thread = inbox(&t.location, &format!("/{conversation}"));
    for csrf in ["", "forged-token"] {
        let reply = [("csrf", csrf), ("type", "SMS"), ("message", "forged")];
        let (status, _, body) = post_form(&app, cookie, &format!("{thread}/reply"), &reply).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let read = [("csrf", csrf)];
        let (status, _, _) = post_form(&app, cookie, &format!("{thread}/read"), &read).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    assert_eq!(message_count(&app, &t.token, &conversation).await, 2);
    let c = conversation_json(&app, &t.token, &conversation).await;
    assert_eq!(c["unreadCount"], 1, "{c}");
}
