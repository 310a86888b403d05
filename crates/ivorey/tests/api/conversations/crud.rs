//! Conversation CRUD, search paging and filters, and message paging.

use std::collections::HashSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{contact, ok_call, tenant};
use crate::common::TestApp;

const ONE: &str = "/conversations/{conversationId}";

pub(crate) async fn a_conversation_has_the_highlevel_shapes_through_its_life(app: TestApp) {
    let t = tenant(&app).await;
    let body = json!({ "locationId": t.location, "contactId": t.contact });
    let (status, created) = ok_call(
        &app,
        &t.token,
        Method::POST,
        "/conversations/",
        "/conversations/",
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(created["success"], true);
    let id = created["conversation"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["conversation"]["contactId"], t.contact.as_str());

    let (status, again) = app
        .api(&t.token, Method::POST, "/conversations/", Some(body))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");

    let path = format!("/conversations/{id}");
    let (_, got) = ok_call(&app, &t.token, Method::GET, &path, ONE, None).await;
    assert_eq!(
        (got["id"].as_str(), got["unreadCount"].as_u64()),
        (Some(id.as_str()), Some(0))
    );
    assert_eq!(
        (got["type"].as_u64(), got["deleted"].as_bool()),
        (Some(1), Some(false))
    );

    let update = json!({ "locationId": t.location, "starred": true, "unreadCount": 3 });
    let (_, updated) = ok_call(&app, &t.token, Method::PUT, &path, ONE, Some(update)).await;
    assert_eq!(updated["conversation"]["starred"], true);
    let (_, got) = ok_call(&app, &t.token, Method::GET, &path, ONE, None).await;
    assert_eq!(
        (got["starred"].as_bool(), got["unreadCount"].as_u64()),
        (Some(true), Some(3))
    );

    let search = format!("/conversations/search?locationId={}", t.location);
    let (_, found) = ok_call(
        &app,
        &t.token,
        Method::GET,
        &search,
        "/conversations/search",
        None,
    )
    .await;
    assert_eq!(found["total"], 1);
    let listed = &found["conversations"][0];
    assert_eq!(listed["fullName"], "Ada Lovelace");
    assert_eq!(
        (listed["email"].as_str(), listed["phone"].as_str()),
        (Some("ada@example.com"), Some("+15550100"))
    );

    let (_, deleted) = ok_call(&app, &t.token, Method::DELETE, &path, ONE, None).await;
    assert_eq!(deleted["success"], true);
    let (status, _) = app.api(&t.token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.api(&t.token, Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn new_conversation(app: &TestApp, token: &str, location: &str, contact: &str) -> String {
    let body = json!({ "locationId": location, "contactId": contact });
    let (_, created) = ok_call(
        app,
        token,
        Method::POST,
        "/conversations/",
        "/conversations/",
        Some(body),
    )
    .await;
    created["conversation"]["id"].as_str().unwrap().to_owned()
}

async fn search(app: &TestApp, token: &str, query: &str) -> Value {
    let path = format!("/conversations/search?{query}");
    ok_call(
        app,
        token,
        Method::GET,
        &path,
        "/conversations/search",
        None,
    )
    .await
    .1
}

fn ids(page: &Value) -> Vec<String> {
    page["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

pub(crate) async fn search_pages_by_start_after_date_and_each_filter_narrows(app: TestApp) {
    let t = tenant(&app).await;
    let mut all = vec![new_conversation(&app, &t.token, &t.location, &t.contact).await];
    // The test clock stands still: every conversation has the same sort value, so paging
    // depends on the id tie-break.
    for i in 0..6 {
        let c = contact(
            &app,
            &t.token,
            &t.location,
            &format!("Person {i}"),
            None,
            Some(&format!("+1555020{i}")),
        )
        .await;
        all.push(new_conversation(&app, &t.token, &t.location, &c).await);
    }
    let base = format!("locationId={}&limit=3", t.location);
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = search(&app, &t.token, &format!("{base}{cursor}")).await;
        assert_eq!(page["total"], 7);
        let got = ids(&page);
        if got.is_empty() {
            break;
        }
        let last = &page["conversations"][got.len() - 1];
        cursor = format!(
            "&startAfterDate={}&startAfterId={}",
            last["sort"][0],
            last["id"].as_str().unwrap()
        );
        seen.extend(got);
    }
    assert_eq!(seen.len(), 7);
    assert_eq!(
        seen.iter().collect::<HashSet<_>>(),
        all.iter().collect::<HashSet<_>>()
    );
    let mut descending = seen.clone();
    descending.sort_by(|a, b| b.cmp(a));
    assert_eq!(
        seen, descending,
        "ties are ordered by id, newest sort first"
    );
    let asc = search(&app, &t.token, &format!("{base}&sort=asc")).await;
    let mut ascending = seen.clone();
    ascending.reverse();
    assert_eq!(ids(&asc), ascending[..3]);

    let by_contact = search(
        &app,
        &t.token,
        &format!("locationId={}&contactId={}", t.location, t.contact),
    )
    .await;
    assert_eq!(ids(&by_contact), vec![all[0].clone()]);
    let by_query = search(
        &app,
        &t.token,
        &format!("locationId={}&query=LOVELACE", t.location),
    )
    .await;
    assert_eq!(ids(&by_query), vec![all[0].clone()]);
    let star = json!({ "locationId": t.location, "starred": true });
    ok_call(
        &app,
        &t.token,
        Method::PUT,
        &format!("/conversations/{}", all[3]),
        "/conversations/{conversationId}",
        Some(star),
    )
    .await;
    let starred = search(
        &app,
        &t.token,
        &format!("locationId={}&status=starred", t.location),
    )
    .await;
    assert_eq!(
        (ids(&starred), starred["total"].as_u64()),
        (vec![all[3].clone()], Some(1))
    );
    let unread = search(
        &app,
        &t.token,
        &format!("locationId={}&status=unread", t.location),
    )
    .await;
    assert_eq!(unread["total"], 0);
    let (status, answer) = app
        .api(
            &t.token,
            Method::GET,
            &format!("/conversations/search?locationId={}&limit=0", t.location),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer["message"][0].as_str().unwrap().contains("limit"));
}

pub(crate) async fn messages_page_newest_first_by_last_message_id(app: TestApp) {
    let t = tenant(&app).await;
    let conversation = new_conversation(&app, &t.token, &t.location, &t.contact).await;
    let mut sent = Vec::new();
    for i in 0..5 {
        let body = json!({ "type": "SMS", "conversationId": conversation, "contactId": t.contact,
                           "conversationProviderId": "provider", "message": format!("reply {i}") });
        let (_, answer) = ok_call(
            &app,
            &t.token,
            Method::POST,
            "/conversations/messages/inbound",
            "/conversations/messages/inbound",
            Some(body),
        )
        .await;
        assert_eq!(answer["conversationId"], conversation.as_str());
        sent.push(answer["messageId"].as_str().unwrap().to_owned());
    }
    let (_, got) = ok_call(
        &app,
        &t.token,
        Method::GET,
        &format!("/conversations/{conversation}"),
        "/conversations/{conversationId}",
        None,
    )
    .await;
    assert_eq!(got["unreadCount"], 5, "inbound messages count as unread");
    let template = "/conversations/{conversationId}/messages";
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let path = format!("/conversations/{conversation}/messages?limit=2{cursor}");
        let (_, page) = ok_call(&app, &t.token, Method::GET, &path, template, None).await;
        for m in page["messages"].as_array().unwrap() {
            assert_eq!(
                (m["direction"].as_str(), m["messageType"].as_str()),
                (Some("inbound"), Some("TYPE_SMS"))
            );
            seen.push(m["id"].as_str().unwrap().to_owned());
        }
        if page["nextPage"] != true {
            break;
        }
        cursor = format!("&lastMessageId={}", page["lastMessageId"].as_str().unwrap());
    }
    // Same timestamp for all: newest first means descending id.
    let mut expected = sent.clone();
    expected.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, expected);
    let path = format!("/conversations/{conversation}/messages?type=TYPE_EMAIL");
    let (_, none) = ok_call(&app, &t.token, Method::GET, &path, template, None).await;
    assert_eq!(
        (
            none["messages"].as_array().unwrap().len(),
            none["nextPage"].as_bool()
        ),
        (0, Some(false))
    );
}
