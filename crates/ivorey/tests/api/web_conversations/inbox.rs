//! The inbox: unread first, then by last message; next-page links; the channel filter; the
//! empty state; another location's conversations.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{conversation_json, inbox, message_count, next_page, position, receive_sms, send_sms};
use crate::browser_support::{get_page, post_form};
use crate::common::TestApp;
use crate::conversations::{contact, tenant};

pub(crate) async fn the_inbox_puts_unread_first_and_the_thread_shows_both_directions(app: TestApp) {
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
    assert!(ada_item.contains("data-unread=\"1\""), "{ada_item}");
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

pub(crate) async fn the_channel_filter_and_next_page_links_walk_the_whole_inbox(app: TestApp) {
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

pub(crate) async fn an_empty_inbox_says_where_messages_come_from(app: TestApp) {
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

pub(crate) async fn another_locations_conversation_is_not_found(app: TestApp) {
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
