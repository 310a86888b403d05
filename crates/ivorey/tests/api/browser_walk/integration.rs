//! The connected tool's side of the walk: plain API calls with the integration's token, as a
//! tool such as Zapier makes them (contacts, an outbound SMS, the customer's inbound reply).

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::TestApp;
use crate::support_webhook::Receiver;

/// What the owner ticks for the tool: contacts, and messages both ways.
pub const SCOPES: [&str; 5] = [
    "contacts.readonly",
    "contacts.write",
    "conversations.readonly",
    "conversations/message.readonly",
    "conversations/message.write",
];

/// The tool's text to Ada, and her reply.
pub const SENT: &str = "Hi Ada, thanks for your enquiry! Want a tasting?";
pub const REPLY: &str = "Yes please, a three-tier one!";

/// What the tool left behind for the owner to find.
pub struct Done {
    pub conversation: String,
}

/// Creates three contacts (a minute apart), texts Ada through the location's webhook, and
/// records her reply.
pub async fn work(app: &TestApp, token: &str, location: &str, hook: &mut Receiver) -> Done {
    let people = [
        ("Grace", "Hopper", "grace@example.com", "+15550101"),
        ("Alan", "Turing", "alan@example.com", "+15550102"),
        ("Ada", "Lovelace", "ada@example.com", "+15550100"),
    ];
    let mut ada = String::new();
    for (first, last, email, phone) in people {
        let body = json!({
            "locationId": location, "firstName": first, "lastName": last, "email": email,
            "phone": phone, "source": "Website form", "tags": ["wedding"],
        });
        let (status, answer) = app.api(token, Method::POST, "/contacts/", Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        ada = answer["contact"]["id"].as_str().expect("id").to_owned();
        app.clock.advance(Duration::from_secs(60));
    }

    let text = json!({ "type": "SMS", "contactId": ada, "message": SENT });
    let path = "/conversations/messages";
    let (status, sent) = app.api(token, Method::POST, path, Some(text)).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(sent["status"], "pending", "{sent}");
    let conversation = sent["conversationId"].as_str().expect("id").to_owned();
    let out = tokio::time::timeout(Duration::from_secs(10), hook.bodies.recv()).await;
    let out = out.expect("the SMS reaches the webhook").expect("a body");
    assert_eq!(out["conversationId"], conversation.as_str(), "{out}");
    hook.release();

    // Ada answers a few minutes later (the manual clock gives every message of an instant the
    // same time, and the thread would then order them by id).
    app.clock.advance(Duration::from_secs(180));
    let inbound = json!({ "type": "SMS", "conversationId": conversation, "contactId": ada,
                          "message": REPLY });
    let path = "/conversations/messages/inbound";
    let (status, answer) = app.api(token, Method::POST, path, Some(inbound)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    // The owner gets to it a little later still.
    app.clock.advance(Duration::from_secs(120));
    Done { conversation }
}
