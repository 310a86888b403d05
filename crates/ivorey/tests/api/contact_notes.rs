//! Notes on contacts: create, list, get, update and delete, on both backends, with every
//! success, 401 and 422 checked against HighLevel's `contacts.json`.

use std::time::Duration;

use ivorey_core::{ContactId, LocationId};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{self, TestApp};
use crate::spec;

on_both_backends!(
    notes_are_created_read_updated_and_deleted,
    notes_are_listed_oldest_first,
    invalid_note_bodies_are_refused_with_422,
    notes_need_their_scopes,
    another_locations_contacts_and_notes_are_not_found_and_stay_unchanged,
    notes_are_deleted_with_their_contact,
);

const LIST: &str = "/contacts/{contactId}/notes";
const ONE: &str = "/contacts/{contactId}/notes/{id}";
const USER: &str = "abcdefghij0123456789";

async fn checked(
    app: &TestApp,
    token: &str,
    method: Method,
    template: &str,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let (status, answer) = app.api(token, method.clone(), path, body).await;
    spec::check("contacts.json", &method, template, status, &answer);
    (status, answer)
}

/// A writer (contacts.readonly + contacts.write) of a fresh location, its location and a contact.
async fn setup(app: &TestApp, business: &str) -> (common::Admin, String, String) {
    let admin = app.new_admin(business).await;
    let (_, token) = app
        .integration(&admin, &["contacts.readonly", "contacts.write"])
        .await;
    let contact = app.contact(&token, &admin.location, "Noted").await;
    (admin, token, contact)
}

async fn create(app: &TestApp, token: &str, contact: &str, body: Value) -> (StatusCode, Value) {
    let path = format!("/contacts/{contact}/notes");
    checked(app, token, Method::POST, LIST, &path, Some(body)).await
}

async fn new_note(app: &TestApp, token: &str, contact: &str, body: &str) -> String {
    let (status, answer) = create(app, token, contact, json!({ "body": body })).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    answer["note"]["id"].as_str().expect("note id").to_owned()
}

async fn list(app: &TestApp, token: &str, contact: &str) -> Vec<Value> {
    let path = format!("/contacts/{contact}/notes");
    let (status, answer) = checked(app, token, Method::GET, LIST, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer["notes"].as_array().expect("notes").clone()
}

async fn notes_are_created_read_updated_and_deleted(app: TestApp) {
    let (_, token, contact) = setup(&app, "Crud").await;
    let (status, created) = create(
        &app,
        &token,
        &contact,
        json!({ "body": "  Called, left a voicemail  ", "userId": USER }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let note = &created["note"];
    assert_eq!(note["body"], "Called, left a voicemail", "trimmed");
    assert_eq!(note["userId"], USER);
    assert_eq!(note["contactId"], contact.as_str());
    assert!(note["dateAdded"].as_str().is_some_and(|d| d.ends_with('Z')));
    let id = note["id"].as_str().unwrap().to_owned();
    let path = format!("/contacts/{contact}/notes/{id}");

    let (status, got) = checked(&app, &token, Method::GET, ONE, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(&got["note"], note);
    assert_eq!(list(&app, &token, &contact).await, vec![note.clone()]);

    app.clock.advance(Duration::from_secs(60));
    let (status, updated) = checked(
        &app,
        &token,
        Method::PUT,
        ONE,
        &path,
        Some(json!({ "body": "Called back, interested" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["note"]["body"], "Called back, interested");
    assert_eq!(updated["note"]["userId"], USER, "an absent userId is kept");
    assert_eq!(updated["note"]["dateAdded"], note["dateAdded"]);
    let (_, got) = checked(&app, &token, Method::GET, ONE, &path, None).await;
    assert_eq!(got["note"], updated["note"]);

    let (status, deleted) = checked(&app, &token, Method::DELETE, ONE, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{deleted}");
    assert_eq!(deleted["succeded"], true);
    let (status, gone) = app.api(&token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{gone}");
    assert_eq!(gone["message"], "Note not found");
    let (status, _) = app.api(&token, Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .api(&token, Method::PUT, &path, Some(json!({ "body": "x" })))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(list(&app, &token, &contact).await.is_empty());

    let missing = ContactId::generate();
    let (status, answer) = app
        .api(
            &token,
            Method::GET,
            &format!("/contacts/{missing}/notes"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["message"], "Contact not found");
    let (status, _) = app
        .api(&token, Method::GET, "/contacts/short/notes", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app
        .api(
            &token,
            Method::GET,
            &format!("/contacts/{contact}/notes/bad"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn notes_are_listed_oldest_first(app: TestApp) {
    let (admin, token, contact) = setup(&app, "Order").await;
    let second_contact = app.contact(&token, &admin.location, "Other").await;
    let mut ids = Vec::new();
    for body in ["first", "second", "third"] {
        ids.push(new_note(&app, &token, &contact, body).await);
        new_note(&app, &token, &second_contact, "elsewhere").await;
        app.clock.advance(Duration::from_millis(5));
    }
    // An update does not move a note.
    let path = format!("/contacts/{contact}/notes/{}", ids[0]);
    let (status, _) = app
        .api(
            &token,
            Method::PUT,
            &path,
            Some(json!({ "body": "first, edited" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let notes = list(&app, &token, &contact).await;
    let listed: Vec<&str> = notes.iter().map(|n| n["id"].as_str().unwrap()).collect();
    assert_eq!(listed, ids);
    let bodies: Vec<&str> = notes.iter().map(|n| n["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["first, edited", "second", "third"]);
    assert_eq!(list(&app, &token, &second_contact).await.len(), 3);
}

async fn invalid_note_bodies_are_refused_with_422(app: TestApp) {
    let (_, token, contact) = setup(&app, "Valid").await;
    for bad in [
        json!({}),
        json!({ "body": "" }),
        json!({ "body": "   \n " }),
        json!({ "body": "x".repeat(5001) }),
        json!({ "body": "ok\u{0007}" }),
        json!({ "body": 12 }),
        json!({ "body": "ok", "userId": "not-a-user" }),
        json!({ "body": "ok", "title": "unknown field" }),
    ] {
        let (status, answer) = create(&app, &token, &contact, bad.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad} -> {answer}"
        );
    }
    // 5000 characters (after trimming) is the most a body may hold.
    let longest = format!("  {}  ", "é".repeat(5000));
    let (status, answer) = create(&app, &token, &contact, json!({ "body": longest })).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(
        answer["note"]["body"].as_str().unwrap().chars().count(),
        5000
    );
    let id = answer["note"]["id"].as_str().unwrap();
    let path = format!("/contacts/{contact}/notes/{id}");
    for bad in [
        json!({ "body": " " }),
        json!({ "body": "x".repeat(5001) }),
        json!({ "userId": "short" }),
        json!({ "pinned": true }),
    ] {
        let (status, answer) =
            checked(&app, &token, Method::PUT, ONE, &path, Some(bad.clone())).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad} -> {answer}"
        );
    }
    let (_, got) = app.api(&token, Method::GET, &path, None).await;
    assert_eq!(
        got["note"], answer["note"],
        "refused updates change nothing"
    );
    assert_eq!(list(&app, &token, &contact).await.len(), 1);
}

async fn notes_need_their_scopes(app: TestApp) {
    let (admin, writer, contact) = setup(&app, "Scopes").await;
    let id = new_note(&app, &writer, &contact, "secret").await;
    let (_, reader) = app.integration(&admin, &["contacts.readonly"]).await;
    let (_, stranger) = app.integration(&admin, &["opportunities.readonly"]).await;
    let notes = format!("/contacts/{contact}/notes");
    let one = format!("/contacts/{contact}/notes/{id}");
    let refusals = [
        (
            &reader,
            Method::POST,
            LIST,
            &notes,
            Some(json!({ "body": "x" })),
        ),
        (
            &reader,
            Method::PUT,
            ONE,
            &one,
            Some(json!({ "body": "x" })),
        ),
        (&reader, Method::DELETE, ONE, &one, None),
        (&stranger, Method::GET, LIST, &notes, None),
        (&stranger, Method::GET, ONE, &one, None),
    ];
    for (token, method, template, path, body) in refusals {
        let (status, answer) = checked(&app, token, method.clone(), template, path, body).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_eq!(
            answer["message"],
            "The token is not authorized for this scope."
        );
    }
    let (status, _) = checked(&app, &reader, Method::GET, ONE, &one, None).await;
    assert_eq!(status, StatusCode::OK);
    let notes = list(&app, &reader, &contact).await;
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["body"], "secret", "nothing was changed");
}

async fn another_locations_contacts_and_notes_are_not_found_and_stay_unchanged(app: TestApp) {
    let (_, token_a, contact_a) = setup(&app, "Owner").await;
    let (_, token_b, contact_b) = setup(&app, "Intruder").await;
    let id = new_note(&app, &token_a, &contact_a, "private").await;
    let before = list(&app, &token_a, &contact_a).await;
    let notes_a = format!("/contacts/{contact_a}/notes");
    let one_a = format!("/contacts/{contact_a}/notes/{id}");
    // The same note id under B's own contact is not B's either.
    let crossed = format!("/contacts/{contact_b}/notes/{id}");
    for (method, path, body, message) in [
        (Method::GET, &notes_a, None, "Contact not found"),
        (
            Method::POST,
            &notes_a,
            Some(json!({ "body": "planted" })),
            "Contact not found",
        ),
        (Method::GET, &one_a, None, "Contact not found"),
        (
            Method::PUT,
            &one_a,
            Some(json!({ "body": "defaced" })),
            "Contact not found",
        ),
        (Method::DELETE, &one_a, None, "Contact not found"),
        (Method::GET, &crossed, None, "Note not found"),
        (
            Method::PUT,
            &crossed,
            Some(json!({ "body": "defaced" })),
            "Note not found",
        ),
        (Method::DELETE, &crossed, None, "Note not found"),
    ] {
        let (status, answer) = app.api(&token_b, method.clone(), path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {answer}");
        assert_eq!(answer["message"], message, "{method} {path}");
    }
    // Exactly the answer a missing contact gets.
    let missing = format!("/contacts/{}/notes", ContactId::generate());
    let (foreign_status, mut foreign) = app.api(&token_b, Method::GET, &notes_a, None).await;
    let (absent_status, mut absent) = app.api(&token_b, Method::GET, &missing, None).await;
    assert_eq!(foreign_status, absent_status);
    for answer in [&mut foreign, &mut absent] {
        answer.as_object_mut().unwrap().remove("traceId");
    }
    assert_eq!(foreign, absent);
    assert_eq!(list(&app, &token_a, &contact_a).await, before);
    assert!(list(&app, &token_b, &contact_b).await.is_empty());
}

async fn notes_are_deleted_with_their_contact(app: TestApp) {
    let (admin, token, contact) = setup(&app, "Cascade").await;
    let kept_contact = app.contact(&token, &admin.location, "Kept").await;
    let id = new_note(&app, &token, &contact, "goes").await;
    new_note(&app, &token, &contact, "goes too").await;
    let kept = new_note(&app, &token, &kept_contact, "stays").await;
    let (status, _) = app
        .api(
            &token,
            Method::DELETE,
            &format!("/contacts/{contact}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, answer) = app
        .api(
            &token,
            Method::GET,
            &format!("/contacts/{contact}/notes/{id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["message"], "Contact not found");
    let location = LocationId::parse(&admin.location).unwrap();
    let contact = ContactId::parse(&contact).unwrap();
    let rows = app.store.list_notes(&location, &contact).await.unwrap();
    assert!(rows.is_empty(), "the rows are gone, not just hidden");
    let remaining = list(&app, &token, &kept_contact).await;
    assert_eq!(remaining.len(), 1);
    assert_eq!(remaining[0]["id"], kept.as_str());
}
