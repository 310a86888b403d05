//! Conversations in the web app over plain HTTP, on both backends: an integration sends and
//! records messages through the API; the inbox lists them unread first with keyset pages and a
//! channel filter; the thread shows both directions and each outbound status; a reply typed on
//! the page goes out through the location's webhook (sent, or failed with the reason); "Mark as
//! read"; another location's conversation is not found; a form without its CSRF token changes
//! nothing.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser_support::{get_page, post_form};
use crate::common::{Admin, TestApp};
use crate::conversations::{Tenant, contact, tenant, with_fast_delivery};
use crate::support_webhook::{Receiver, receiver};

on_both_backends!(
    the_inbox_puts_unread_first_and_the_thread_shows_both_directions,
    a_reply_typed_on_the_page_goes_out_through_the_webhook,
    a_refused_reply_shows_failed_with_the_reason,
    mark_as_read_clears_the_unread_badge,
    the_channel_filter_and_next_page_links_walk_the_whole_inbox,
    another_locations_conversation_is_not_found,
    thread_forms_without_the_csrf_token_change_nothing,
    an_empty_inbox_says_where_messages_come_from,
);

fn inbox(location: &str, rest: &str) -> String {
    format!("/l/{location}/conversations{rest}")
}

/// Points the location's webhook at `r` through the management API; the secret goes to `r`.
async fn use_webhook(app: &TestApp, admin: &Admin, r: &Receiver) {
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
async fn send_sms(app: &TestApp, token: &str, contact: &str, text: &str) -> (String, String) {
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
async fn receive_sms(app: &TestApp, t: &Tenant, conversation: &str, text: &str) -> String {
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

async fn conversation_json(app: &TestApp, token: &str, id: &str) -> Value {
    let (status, body) = app
        .api(token, Method::GET, &format!("/conversations/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn message_count(app: &TestApp, token: &str, conversation: &str) -> usize {
    let path = format!("/conversations/{conversation}/messages?limit=100");
    let (status, body) = app.api(token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["messages"].as_array().map_or(0, Vec::len)
}

/// The thread page once the message's status badge shows `status` (at most 15 s).
async fn thread_once(app: &TestApp, t: &Tenant, path: &str, message: &str, status: &str) -> String {
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
fn position(body: &str, text: &str) -> usize {
    body.find(text)
        .unwrap_or_else(|| panic!("{text:?} not in {body}"))
}

/// The `href` of the "Next page" link, if the page has one.
fn next_page(body: &str) -> Option<String> {
    let at = body.find("id=\"next-page\"")?;
    let start = body[..at].rfind("<a")?;
    let tag = &body[start..at + body[at..].find('>')?];
    let href = tag.split("href=\"").nth(1)?;
    Some(href[..href.find('"')?].replace("&amp;", "&"))
}

async fn the_inbox_puts_unread_first_and_the_thread_shows_both_directions(app: TestApp) {
    let t = tenant(&app).await;
    let grace = contact(
        &app,
        &t.token,
        &t.location,
        "Grace Hopper",
        None,
        Some("+15550111"),
    )
    .await;
    let (ada_conversation, sent) = send_sms(&app, &t.token, &t.contact, "Your order shipped").await;
    app.clock.advance(Duration::from_secs(60));
    receive_sms(&app, &t, &ada_conversation, "Thanks, when does it arrive?").await;
    // Grace's conversation has the newest message but nothing unread.
    app.clock.advance(Duration::from_secs(60));
    let (grace_conversation, _) = send_sms(&app, &t.token, &grace, "Welcome aboard").await;

    let cookie = &t.admin.session.cookie;
    let (status, headers, body) = get_page(&app, cookie, &inbox(&t.location, "")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(!body.contains(" style="), "no inline style");
    let ada_row = position(&body, &format!("id=\"conversation-{ada_conversation}\""));
    let grace_row = position(&body, &format!("id=\"conversation-{grace_conversation}\""));
    assert!(ada_row < grace_row, "unread Ada comes before newer Grace");
    let ada_item = &body[ada_row..grace_row];
    assert!(ada_item.contains("Ada Lovelace"), "{ada_item}");
    assert!(ada_item.contains("aria-label=\"1 unread\""), "{ada_item}");
    assert!(
        ada_item.contains("Thanks, when does it arrive?"),
        "{ada_item}"
    );
    assert!(ada_item.contains(">SMS<"), "{ada_item}");
    let grace_item = &body[grace_row..];
    assert!(grace_item.contains("Grace Hopper"));
    assert!(!grace_item[..grace_item.find("</li>").unwrap()].contains("unread"));
    // The channel filter is a labelled GET form.
    assert!(
        body.contains("<label for=\"f-channel\">Channel</label>"),
        "{body}"
    );

    let thread = inbox(&t.location, &format!("/{ada_conversation}"));
    let (status, _, page) = get_page(&app, cookie, &thread).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let outbound = position(&page, "Your order shipped");
    let inbound = position(&page, "Thanks, when does it arrive?");
    assert!(outbound < inbound, "oldest first");
    assert!(page.contains("data-direction=\"outbound\""));
    assert!(page.contains("data-direction=\"inbound\""));
    let sent_item = &page[position(&page, &format!("id=\"message-{sent}\""))..];
    // No provider yet: the message failed with the worker's reason, shown beside its badge.
    assert!(sent_item.contains("data-status="), "{sent_item}");
    assert!(page.contains(&format!(
        "href=\"/l/{}/contacts/{}\"",
        t.location, t.contact
    )));
    assert!(
        page.contains("id=\"mark-read\""),
        "unread threads offer Mark as read"
    );
    // Opening the thread did not mark it read.
    let c = conversation_json(&app, &t.token, &ada_conversation).await;
    assert_eq!(c["unreadCount"], 1, "{c}");
}

async fn a_reply_typed_on_the_page_goes_out_through_the_webhook(app: TestApp) {
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
    assert!(item.contains("Sent from Ivorey"), "{item}");
    assert!(page.contains("Sent by an integration"), "the API's message");
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

async fn a_refused_reply_shows_failed_with_the_reason(app: TestApp) {
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
    let page = thread_once(&app, &t, &thread, &message, "failed").await;
    let item = &page[position(&page, &format!("id=\"message-{message}\""))..];
    assert!(
        item.contains("the webhook answered HTTP 503"),
        "the reason is shown: {item}"
    );
}

async fn mark_as_read_clears_the_unread_badge(app: TestApp) {
    let t = tenant(&app).await;
    let (conversation, _) = send_sms(&app, &t.token, &t.contact, "Hello").await;
    receive_sms(&app, &t, &conversation, "Reply one").await;
    receive_sms(&app, &t, &conversation, "Reply two").await;
    let session = &t.admin.session;
    let (_, _, body) = get_page(&app, &session.cookie, &inbox(&t.location, "")).await;
    assert!(body.contains("aria-label=\"2 unread\""), "{body}");

    let thread = inbox(&t.location, &format!("/{conversation}"));
    let fields = [("csrf", session.csrf.as_str())];
    let (status, headers, _) =
        post_form(&app, &session.cookie, &format!("{thread}/read"), &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], format!("{thread}?done=read").as_str());
    let c = conversation_json(&app, &t.token, &conversation).await;
    assert_eq!(c["unreadCount"], 0, "{c}");
    let (_, _, body) = get_page(&app, &session.cookie, &inbox(&t.location, "")).await;
    assert!(!body.contains(" unread\""), "{body}");
    let (_, _, page) = get_page(&app, &session.cookie, &format!("{thread}?done=read")).await;
    assert!(page.contains("marked as read"), "{page}");
    assert!(!page.contains("id=\"mark-read\""), "{page}");
}

async fn the_channel_filter_and_next_page_links_walk_the_whole_inbox(app: TestApp) {
    let t = tenant(&app).await;
    let mut expected = Vec::new();
    for n in 0..27 {
        app.clock.advance(Duration::from_secs(1));
        let who = contact(
            &app,
            &t.token,
            &t.location,
            &format!("Person {n}"),
            Some(&format!("p{n}@example.com")),
            Some(&format!("+1555020{n:02}")),
        )
        .await;
        let kind = if n % 3 == 0 { "Email" } else { "SMS" };
        let body = json!({ "type": kind, "contactId": who, "message": format!("note {n}"),
                           "subject": "Hi" });
        let (status, answer) = app
            .api(
                &t.token,
                Method::POST,
                "/conversations/messages",
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        expected.push(answer["conversationId"].as_str().unwrap().to_owned());
    }
    // The oldest one gets an unread inbound message, so it leads the inbox.
    let oldest = expected[0].clone();
    let body = json!({ "type": "Email", "conversationId": oldest, "message": "me first",
                       "contactId": conversation_json(&app, &t.token, &oldest).await["contactId"] });
    let (status, answer) = app
        .api(
            &t.token,
            Method::POST,
            "/conversations/messages/inbound",
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");

    let cookie = &t.admin.session.cookie;
    let mut seen: Vec<String> = Vec::new();
    let mut path = inbox(&t.location, "");
    let mut pages = 0;
    loop {
        let (status, _, body) = get_page(&app, cookie, &path).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        pages += 1;
        for part in body.split("id=\"conversation-").skip(1) {
            seen.push(part[..20].to_owned());
        }
        match next_page(&body) {
            Some(next) => path = next,
            None => break,
        }
    }
    assert_eq!(pages, 2);
    assert_eq!(seen.first(), Some(&oldest), "unread first");
    // Then newest first: the reverse of creation, without the unread one.
    let mut rest: Vec<String> = expected[1..].to_vec();
    rest.reverse();
    assert_eq!(&seen[1..], &rest[..]);

    // Email only: conversations 0, 3, 6, ... (the unread one's last message is Email too).
    let (_, _, body) = get_page(&app, cookie, &inbox(&t.location, "?channel=email")).await;
    let emails: Vec<&str> = body
        .split("id=\"conversation-")
        .skip(1)
        .map(|p| &p[..20])
        .collect();
    assert_eq!(emails.len(), 9, "{body}");
    assert_eq!(emails[0], oldest.as_str());
    assert!(body.contains("<option value=\"email\" selected>Email</option>"));
    let (_, _, body) = get_page(&app, cookie, &inbox(&t.location, "?channel=custom")).await;
    assert!(body.contains("No Custom conversations"), "{body}");
    // Bad filters and cursors are a clear 400, never a 500.
    for bad in [
        "?channel=fax",
        "?after=1.x.y",
        "?after=2.5.abcdefghijabcdefghij",
    ] {
        let (status, _, body) = get_page(&app, cookie, &inbox(&t.location, bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
}

async fn another_locations_conversation_is_not_found(app: TestApp) {
    let a = tenant(&app).await;
    let b = tenant(&app).await;
    let (theirs, _) = send_sms(&app, &b.token, &b.contact, "B's secret note").await;
    let cookie = &a.admin.session.cookie;
    let missing = "AAAAAAAAAAAAAAAAAAAA";
    let mut answers = Vec::new();
    for id in [theirs.as_str(), missing] {
        let (status, _, body) =
            get_page(&app, cookie, &inbox(&a.location, &format!("/{id}"))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert!(!body.contains("B's secret note"));
        answers.push(body);
    }
    assert_eq!(
        answers[0], answers[1],
        "another location's answers like a missing one"
    );
    // B's location under A's session: not A's business.
    for path in [
        inbox(&b.location, ""),
        inbox(&b.location, &format!("/{theirs}")),
    ] {
        let (status, _, body) = get_page(&app, cookie, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
    // Posting to it changes nothing.
    let csrf = a.admin.session.csrf.as_str();
    let reply = [("csrf", csrf), ("type", "SMS"), ("message", "intrusion")];
    for path in [
        inbox(&a.location, &format!("/{theirs}/reply")),
        inbox(&b.location, &format!("/{theirs}/reply")),
    ] {
        let (status, _, _) = post_form(&app, cookie, &path, &reply).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(message_count(&app, &b.token, &theirs).await, 1);
}

async fn thread_forms_without_the_csrf_token_change_nothing(app: TestApp) {
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

async fn an_empty_inbox_says_where_messages_come_from(app: TestApp) {
    let t = tenant(&app).await;
    let (status, _, body) = get_page(&app, &t.admin.session.cookie, &inbox(&t.location, "")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("id=\"inbox-empty\""), "{body}");
    assert!(
        body.contains("Messages arrive here from your integrations"),
        "{body}"
    );
    assert!(body.contains(&format!("href=\"/l/{}/settings/messaging\"", t.location)));
    assert!(
        body.contains("aria-current=\"page\""),
        "the menu marks Conversations"
    );
}
