//! Who did what, beyond the contact itself, on both backends: a note, a task and a message name
//! the integration or team member that wrote, added or sent them (stored with the record, shown
//! on its page), and every time on those pages is written on the business's own wall clock, a
//! typed due time read back on it.

use ivorey_core::changed_by::ChangedBy;
use ivorey_core::ids::ConversationId;
use ivorey_core::{ContactId, IntegrationId, LocationId, Timestamp, UserId};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::browser_support::{get_page, post_form};
use crate::common::{Admin, TestApp};

on_both_backends!(
    notes_tasks_and_messages_remember_who_made_them,
    times_are_written_and_read_in_the_business_time_zone,
);

const NEW_YORK: &str = "America/New_York";

fn location(admin: &Admin) -> LocationId {
    LocationId::parse(&admin.location).expect("location id")
}

async fn in_zone(app: &TestApp, admin: &Admin, zone: &str) {
    let profile = json!({ "name": "Zone Co", "timezone": zone });
    let path = format!("/manage/locations/{}", admin.location);
    let (status, body) = app
        .manage(&admin.session, Method::PUT, &path, Some(profile))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The admin's user id, as the web app records it.
async fn admin_id(app: &TestApp, admin: &Admin) -> UserId {
    let users = app.store.location_users(&location(admin)).await.unwrap();
    let (user, _) = users
        .into_iter()
        .find(|(u, _)| u.email == admin.email)
        .expect("the admin is a member");
    user.id
}

async fn notes_tasks_and_messages_remember_who_made_them(app: TestApp) {
    let admin = app.new_admin("Records Co").await;
    let (integration, token) = app
        .integration(
            &admin,
            &[
                "contacts.readonly",
                "contacts.write",
                "conversations/message.write",
            ],
        )
        .await;
    let by_tool = ChangedBy::Integration(IntegrationId::parse(&integration).unwrap());
    let contact = app.contact(&token, &admin.location, "Rosa Parks").await;
    let contact_id = ContactId::parse(&contact).unwrap();
    let loc = location(&admin);
    let tick = || app.clock.advance(std::time::Duration::from_secs(1));
    tick();

    // The integration writes a note and adds a task through the API.
    let note = json!({ "body": "Asked for a quote" });
    let (status, body) = app
        .api(
            &token,
            Method::POST,
            &format!("/contacts/{contact}/notes"),
            Some(note),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    tick();
    let task =
        json!({ "title": "Send the quote", "dueDate": "2030-01-02T15:00:00Z", "completed": false });
    let (status, body) = app
        .api(
            &token,
            Method::POST,
            &format!("/contacts/{contact}/tasks"),
            Some(task),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let task_id = body["task"]["id"].as_str().unwrap().to_owned();
    let notes = app.store.list_notes(&loc, &contact_id).await.unwrap();
    assert_eq!(notes[0].created_by.as_ref(), Some(&by_tool));
    let tasks = app.store.list_tasks(&loc, &contact_id).await.unwrap();
    assert_eq!(tasks[0].created_by.as_ref(), Some(&by_tool));

    // What the integration did, on its own page and on the dashboard: the contact, the note
    // and the task, newest first, each linked.
    let cookie = admin.session.cookie.as_str();
    let its_page = format!("/l/{}/settings/integrations/{integration}", admin.location);
    let (_, _, page) = get_page(&app, cookie, &its_page).await;
    let did = &page[page.find("id=\"did-title\"").expect("what it did")..];
    let order = ["added the task", "wrote a note on", "created the contact"]
        .map(|text| did.find(text).unwrap_or_else(|| panic!("{text}: {did}")));
    assert!(order.is_sorted(), "newest first: {did}");
    assert!(did.contains("“Asked for a quote”"), "{did}");
    assert!(did.contains(&format!("/contacts/{contact}#notes")), "{did}");
    let (_, _, dashboard) =
        get_page(&app, cookie, &format!("/l/{}/dashboard", admin.location)).await;
    assert!(dashboard.contains("added the task"), "{dashboard}");

    // The contact's page names the integration on both.
    let page_path = format!("/l/{}/contacts/{contact}", admin.location);
    let (_, _, page) = get_page(&app, cookie, &page_path).await;
    let notes_card = &page[page.find("id=\"notes\"").expect("notes card")..];
    assert!(notes_card.contains("Written by <a href="), "{notes_card}");
    assert!(
        notes_card.contains("<strong>Test tool</strong>"),
        "{notes_card}"
    );
    let tasks_card = &page[page.find("id=\"tasks\"").expect("tasks card")..];
    let tasks_card = &tasks_card[..tasks_card.find("id=\"notes\"").unwrap_or(tasks_card.len())];
    assert!(tasks_card.contains("added by <a href="), "{tasks_card}");

    // A team member completes the task in the app: who added it stays, who changed it is theirs.
    let csrf = admin.session.csrf.as_str();
    let complete = format!("{page_path}/tasks/{task_id}/complete");
    let (status, _, _) = post_form(
        &app,
        cookie,
        &complete,
        &[("csrf", csrf), ("completed", "true")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let me = ChangedBy::User(admin_id(&app, &admin).await);
    let tasks = app.store.list_tasks(&loc, &contact_id).await.unwrap();
    assert!(tasks[0].completed);
    assert_eq!(tasks[0].created_by.as_ref(), Some(&by_tool));
    assert_eq!(tasks[0].updated_by.as_ref(), Some(&me));
    let (_, _, page) = get_page(&app, cookie, &page_path).await;
    let change_line = format!("last changed by <strong>{}</strong>", admin.email);
    assert!(page.contains(&change_line), "{page}");

    // The same member edits the integration's note: the note says who edited it.
    let note_id = notes[0].id.to_string();
    let edit = [("csrf", csrf), ("body", "Asked for a quote, twice")];
    post_form(&app, cookie, &format!("{page_path}/notes/{note_id}"), &edit).await;
    let notes = app.store.list_notes(&loc, &contact_id).await.unwrap();
    assert_eq!(notes[0].created_by.as_ref(), Some(&by_tool));
    assert_eq!(notes[0].updated_by.as_ref(), Some(&me));
    let (_, _, page) = get_page(&app, cookie, &page_path).await;
    let edited = format!("edited by <strong>{}</strong>", admin.email);
    assert!(page.contains(&edited), "{page}");

    // A message the integration sends records it as the sender.
    let message =
        json!({ "type": "Custom", "contactId": contact, "message": "Your quote is ready" });
    let (status, body) = app
        .api(
            &token,
            Method::POST,
            "/conversations/messages",
            Some(message),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let conversation = body["conversationId"].as_str().unwrap();
    let conversation_id = ConversationId::parse(conversation).unwrap();
    let query = ivorey_store::MessageQuery {
        before: None,
        types: Vec::new(),
        limit: 10,
    };
    let messages = app
        .store
        .list_messages(&loc, &conversation_id, &query)
        .await
        .unwrap();
    assert_eq!(messages[0].sent_by.as_ref(), Some(&by_tool));
    let (_, _, page) = get_page(&app, cookie, &its_page).await;
    let did = &page[page.find("id=\"did-title\"").expect("what it did")..];
    assert!(did.contains("sent a message to"), "{did}");
    assert!(
        did.contains(&format!("/conversations/{conversation}")),
        "{did}"
    );
    assert!(
        !did.contains("added the task"),
        "the member changed the task last: {did}"
    );
}

async fn times_are_written_and_read_in_the_business_time_zone(app: TestApp) {
    let admin = app.new_admin("Zone Co").await;
    in_zone(&app, &admin, NEW_YORK).await;
    let (_, token) = app
        .integration(&admin, &["contacts.readonly", "contacts.write"])
        .await;
    let contact = app.contact(&token, &admin.location, "Ida Wells").await;
    let contact_id = ContactId::parse(&contact).unwrap();
    let cookie = admin.session.cookie.as_str();
    let csrf = admin.session.csrf.as_str();
    let page_path = format!("/l/{}/contacts/{contact}", admin.location);

    // The form names the zone, and a due time typed on it is read on New York's clock.
    let (_, _, page) = get_page(&app, cookie, &page_path).await;
    assert!(page.contains("Due (America/New_York time)"), "{page}");
    let task = [
        ("csrf", csrf),
        ("title", "Call back"),
        ("due", "2030-01-15T09:30"),
    ];
    let (status, _, body) = post_form(&app, cookie, &format!("{page_path}/tasks"), &task).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let tasks = app
        .store
        .list_tasks(&location(&admin), &contact_id)
        .await
        .unwrap();
    let due = Timestamp::parse_rfc3339("2030-01-15T14:30:00Z").unwrap();
    assert_eq!(tasks[0].due_date, due, "09:30 EST is 14:30 UTC");
    let (_, _, page) = get_page(&app, cookie, &page_path).await;
    assert!(page.contains("Due 15 Jan 2030, 09:30 EST"), "{page}");

    // A business without a zone keeps UTC, and says so.
    let other = app.new_admin("UTC Co").await;
    let (_, token) = app
        .integration(&other, &["contacts.readonly", "contacts.write"])
        .await;
    let contact = app.contact(&token, &other.location, "Ada").await;
    let path = format!("/l/{}/contacts/{contact}", other.location);
    let (_, _, page) = get_page(&app, &other.session.cookie, &path).await;
    assert!(page.contains("Due (UTC time)"), "{page}");
}
