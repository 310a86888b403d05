//! Contacts upsert (matching on email, then normalised phone, within the location) and tags add/remove, on both
//! backends, with every response checked against HighLevel's `contacts.json`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::spec;

on_both_backends!(
    upsert_creates_then_updates_the_contact_with_the_same_email,
    upsert_never_matches_a_contact_of_another_location,
    tags_are_added_normalised_and_removed,
    upsert_and_tags_need_contacts_write_and_stay_in_the_location,
    upsert_matches_on_the_normalised_phone_when_no_email_matches,
    upsert_prefers_the_email_match_over_the_phone_match,
);

async fn checked(
    app: &TestApp,
    token: &str,
    method: Method,
    template: &str,
    path: &str,
    body: Value,
) -> (StatusCode, Value) {
    let (status, answer) = app.api(token, method.clone(), path, Some(body)).await;
    spec::check("contacts.json", &method, template, status, &answer);
    (status, answer)
}

async fn upsert(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    checked(
        app,
        token,
        Method::POST,
        "/contacts/upsert",
        "/contacts/upsert",
        body,
    )
    .await
}

async fn upsert_creates_then_updates_the_contact_with_the_same_email(app: TestApp) {
    let admin = app.new_admin("Upsert").await;
    let (_, token) = app
        .integration(&admin, &["contacts.readonly", "contacts.write"])
        .await;
    let loc = admin.location.as_str();
    let (status, first) = upsert(&app, &token, json!({"locationId": loc, "email": "ada@example.com", "firstName": "Ada", "city": "London"})).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["new"], true);
    let id = first["contact"]["id"].as_str().unwrap().to_owned();
    let (status, second) = upsert(
        &app,
        &token,
        json!({"locationId": loc, "email": "ADA@Example.com", "lastName": "Lovelace"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second["new"], false);
    assert_eq!(second["contact"]["id"], id.as_str());
    assert_eq!(
        second["contact"]["city"], "London",
        "fields the upsert did not name are kept"
    );
    assert_eq!(second["contact"]["name"], "Ada Lovelace");
    let (_, list) = app
        .api(
            &token,
            Method::GET,
            &format!("/contacts/?locationId={loc}"),
            None,
        )
        .await;
    assert_eq!(list["count"], 1);
    // Without an email there is nothing to match: a new contact each time.
    let (_, third) = upsert(
        &app,
        &token,
        json!({"locationId": loc, "firstName": "NoEmail"}),
    )
    .await;
    assert_eq!(third["new"], true);
    let (status, bad) = upsert(
        &app,
        &token,
        json!({"locationId": loc, "email": "not-an-email"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
}

async fn upsert_never_matches_a_contact_of_another_location(app: TestApp) {
    let a = app.new_admin("A").await;
    let b = app.new_admin("B").await;
    let (_, token_a) = app
        .integration(&a, &["contacts.readonly", "contacts.write"])
        .await;
    let (_, token_b) = app
        .integration(&b, &["contacts.readonly", "contacts.write"])
        .await;
    let (_, in_a) = upsert(
        &app,
        &token_a,
        json!({"locationId": a.location, "email": "x@example.com", "firstName": "InA"}),
    )
    .await;
    let (_, in_b) = upsert(
        &app,
        &token_b,
        json!({"locationId": b.location, "email": "x@example.com", "firstName": "InB"}),
    )
    .await;
    assert_eq!(in_b["new"], true);
    assert_ne!(in_a["contact"]["id"], in_b["contact"]["id"]);
    let (_, still) = app
        .api(
            &token_a,
            Method::GET,
            &format!("/contacts/{}", in_a["contact"]["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(still["contact"]["firstName"], "InA");
}

async fn tags_are_added_normalised_and_removed(app: TestApp) {
    let admin = app.new_admin("Tags").await;
    let (_, token) = app
        .integration(&admin, &["contacts.readonly", "contacts.write"])
        .await;
    let id = app.contact(&token, &admin.location, "Tagged").await;
    let path = format!("/contacts/{id}/tags");
    let template = "/contacts/{contactId}/tags";
    let (status, added) = checked(
        &app,
        &token,
        Method::POST,
        template,
        &path,
        json!({"tags": ["VIP", " lead ", "vip"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["tags"], json!(["vip", "lead"]));
    let (_, more) = checked(
        &app,
        &token,
        Method::POST,
        template,
        &path,
        json!({"tags": ["Lead", "new"]}),
    )
    .await;
    assert_eq!(more["tags"], json!(["vip", "lead", "new"]));
    let (status, removed) = checked(
        &app,
        &token,
        Method::DELETE,
        template,
        &path,
        json!({"tags": ["VIP", "absent"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{removed}");
    assert_eq!(removed["tags"], json!(["lead", "new"]));
    let (_, contact) = app
        .api(&token, Method::GET, &format!("/contacts/{id}"), None)
        .await;
    assert_eq!(contact["contact"]["tags"], json!(["lead", "new"]));
    let too_many: Vec<String> = (0..101).map(|i| format!("t{i}")).collect();
    let (status, _) = app
        .api(&token, Method::POST, &path, Some(json!({"tags": too_many})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .api(&token, Method::POST, &path, Some(json!({"tag": ["x"]})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "unknown field");
}

async fn upsert_and_tags_need_contacts_write_and_stay_in_the_location(app: TestApp) {
    let a = app.new_admin("Owner").await;
    let b = app.new_admin("Intruder").await;
    let (_, writer_a) = app
        .integration(&a, &["contacts.readonly", "contacts.write"])
        .await;
    let (_, reader_a) = app.integration(&a, &["contacts.readonly"]).await;
    let (_, writer_b) = app
        .integration(&b, &["contacts.readonly", "contacts.write"])
        .await;
    let id = app.contact(&writer_a, &a.location, "Owned").await;
    let tags = format!("/contacts/{id}/tags");
    for (method, path, body) in [
        (
            Method::POST,
            "/contacts/upsert".to_owned(),
            json!({"locationId": a.location, "email": "r@example.com"}),
        ),
        (Method::POST, tags.clone(), json!({"tags": ["x"]})),
        (Method::DELETE, tags.clone(), json!({"tags": ["x"]})),
    ] {
        let (status, body) = app.api(&reader_a, method.clone(), &path, Some(body)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_eq!(
            body["message"],
            "The token is not authorized for this scope."
        );
    }
    let (status, _) = app
        .api(
            &writer_b,
            Method::POST,
            &tags,
            Some(json!({"tags": ["stolen"]})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app
        .api(
            &writer_b,
            Method::POST,
            "/contacts/upsert",
            Some(json!({"locationId": a.location, "email": "z@example.com"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (_, contact) = app
        .api(&writer_a, Method::GET, &format!("/contacts/{id}"), None)
        .await;
    assert_eq!(
        contact["contact"]["tags"],
        json!([]),
        "another location's token changed nothing"
    );
}

async fn upsert_matches_on_the_normalised_phone_when_no_email_matches(app: TestApp) {
    let admin = app.new_admin("Phones").await;
    let other = app.new_admin("Other phones").await;
    let (_, token) = app
        .integration(&admin, &["contacts.readonly", "contacts.write"])
        .await;
    let (_, foreign) = app
        .integration(&other, &["contacts.readonly", "contacts.write"])
        .await;
    let loc = admin.location.as_str();
    let (_, in_other) = upsert(
        &app,
        &foreign,
        json!({"locationId": other.location, "phone": "+1 888 555 0101", "firstName": "Far"}),
    )
    .await;
    let (status, first) = upsert(
        &app,
        &token,
        json!({"locationId": loc, "phone": "+1 (888) 555-0101", "firstName": "Grace"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["new"], true, "another location's phone never matches");
    let id = first["contact"]["id"].as_str().unwrap();
    assert_ne!(in_other["contact"]["id"].as_str(), Some(id));
    // Same digits written differently, with an email nobody has: the phone's contact is updated
    // and takes the email.
    let (status, second) = upsert(
        &app,
        &token,
        json!({"locationId": loc, "phone": "1.888.555.0101", "email": "grace@example.com"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second["new"], false);
    assert_eq!(second["contact"]["id"], id);
    assert_eq!(second["contact"]["firstName"], "Grace");
    assert_eq!(second["contact"]["email"], "grace@example.com");
    let (_, third) = upsert(
        &app,
        &token,
        json!({"locationId": loc, "phone": "+1 888 555 0102"}),
    )
    .await;
    assert_eq!(third["new"], true, "different digits are another contact");
}

async fn upsert_prefers_the_email_match_over_the_phone_match(app: TestApp) {
    let admin = app.new_admin("Precedence").await;
    let (_, token) = app
        .integration(&admin, &["contacts.readonly", "contacts.write"])
        .await;
    let loc = admin.location.as_str();
    let (_, by_email) = upsert(
        &app,
        &token,
        json!({"locationId": loc, "email": "e@example.com", "firstName": "ByEmail"}),
    )
    .await;
    let (_, by_phone) = upsert(
        &app,
        &token,
        json!({"locationId": loc, "phone": "+33 1 23 45 67 89", "firstName": "ByPhone"}),
    )
    .await;
    let (status, both) = upsert(
        &app,
        &token,
        json!({"locationId": loc, "email": "E@example.com", "phone": "+33123456789",
               "lastName": "Merged"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{both}");
    assert_eq!(both["new"], false);
    assert_eq!(both["contact"]["id"], by_email["contact"]["id"]);
    assert_eq!(both["contact"]["phone"], "+33123456789");
    let phone_id = by_phone["contact"]["id"].as_str().unwrap();
    let (_, untouched) = app
        .api(&token, Method::GET, &format!("/contacts/{phone_id}"), None)
        .await;
    assert_eq!(untouched["contact"]["firstName"], "ByPhone");
    assert!(untouched["contact"].get("lastName").is_none());
}
