//! Public submissions and the submissions listing.

use std::time::Duration;

use ivorey_core::Clock;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{create_form, get_ok, submit, tenant};
use crate::common::TestApp;

fn valid(first: &str, email: &str) -> Value {
    json!({"first_name": first, "email": email, "topic": "Sales", "consent": "on", "extra": "ignored"})
}

async fn contacts(app: &TestApp, token: &str, loc: &str) -> Value {
    let (status, body) = app
        .api(
            token,
            Method::GET,
            &format!("/contacts/?locationId={loc}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

pub async fn a_submission_creates_then_updates_the_contact(app: TestApp) {
    let t = tenant(&app).await;
    let form = create_form(&app, &t, "Contact us").await;
    let (status, body) = submit(&app, &form, valid("Ada", "Ada@Example.com")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["success"], true);
    assert!(body.get("contactId").is_none(), "{body}");
    let listed = contacts(&app, &t.token, &t.location).await;
    assert_eq!(listed["count"], 1);
    assert_eq!(listed["contacts"][0]["firstName"], "Ada");
    app.clock.advance(Duration::from_millis(5));
    // The same email, urlencoded as a plain HTML form posts it: the contact's empty phone is
    // filled, its name is kept.
    let response = app
        .http
        .post(app.url(&format!("/forms/submit/{form}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("first_name=Augusta&email=ada%40example.com&phone=%2B1+555+0100&consent=on")
        .send()
        .await
        .expect("submit");
    assert_eq!(response.status(), StatusCode::CREATED);
    let listed = contacts(&app, &t.token, &t.location).await;
    assert_eq!(listed["count"], 1, "{listed}");
    let contact = &listed["contacts"][0];
    assert_eq!(contact["firstName"], "Ada");
    assert_eq!(contact["phone"], "+1 555 0100");
    let path = format!("/forms/submissions?locationId={}", t.location);
    let subs = get_ok(&app, &t.token, &path, "/forms/submissions").await;
    assert_eq!(subs["meta"]["total"], 2);
    let newest = &subs["submissions"][0];
    assert_eq!(newest["contactId"], contact["id"]);
    assert_eq!(newest["formId"], form.as_str());
    assert_eq!(newest["others"]["phone"], "+1 555 0100");
    assert!(subs["submissions"][1]["others"].get("extra").is_none());
}

/// Whoever knows a contact's email or phone must not be able to change it by posting a form: a
/// matched contact keeps every value it holds and only gets its empty fields filled; the
/// submission is recorded, with what was posted, and attached to that contact.
pub async fn a_public_submission_never_overwrites_a_contact(app: TestApp) {
    let t = tenant(&app).await;
    let form = create_form(&app, &t, "Contact us").await;
    let owned = json!({"locationId": t.location, "firstName": "Ada", "lastName": "Lovelace",
        "email": "ada@example.com", "phone": "+1 555 0100", "tags": ["vip"]});
    let (status, body) = app
        .api(&t.token, Method::POST, "/contacts/", Some(owned))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["contact"]["id"].as_str().expect("id").to_owned();
    let path = format!("/contacts/{id}");
    let (_, before) = app.api(&t.token, Method::GET, &path, None).await;
    let before = before["contact"].clone();
    app.clock.advance(Duration::from_millis(5));
    // By email (another case), then by phone alone: both match, neither overwrites.
    let mut by_email = valid("Mallory", "ADA@example.com");
    by_email["phone"] = json!("+1 555 9999");
    let mut by_phone = json!({"first_name": "Eve", "phone": "+1 (555) 0100", "consent": "on"});
    by_phone["email"] = json!("eve@example.com");
    for (posted, name) in [(by_email, "Mallory"), (by_phone, "Eve")] {
        app.clock.advance(Duration::from_millis(5));
        let (status, body) = submit(&app, &form, posted).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let listed = contacts(&app, &t.token, &t.location).await;
        assert_eq!(listed["count"], 1, "attached, not a new contact: {listed}");
        let (_, after) = app.api(&t.token, Method::GET, &path, None).await;
        let after = &after["contact"];
        for key in ["firstName", "lastName", "name", "email", "phone", "tags"] {
            assert_eq!(after[key], before[key], "{key} after {name}'s post");
        }
        let subs = format!("/forms/submissions?locationId={}", t.location);
        let newest = get_ok(&app, &t.token, &subs, "/forms/submissions").await;
        let newest = &newest["submissions"][0];
        assert_eq!(newest["contactId"], id.as_str(), "{newest}");
        assert_eq!(newest["name"], name, "the submission keeps what was posted");
    }
}

pub async fn invalid_submissions_are_refused_naming_each_field(app: TestApp) {
    let t = tenant(&app).await;
    let form = create_form(&app, &t, "Contact us").await;
    let bad = json!({"email": "nope", "topic": "Other", "message": "x".repeat(21)});
    let (status, body) = submit(&app, &form, bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let text = body["message"].to_string();
    for key in ["first_name", "email", "topic", "message", "consent"] {
        assert!(text.contains(key), "{key}: {body}");
    }
    let (status, _) = submit(&app, &form, json!([1])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let response = app
        .http
        .post(app.url(&format!("/forms/submit/{form}")))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .expect("submit");
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = json!({"first_name": "x".repeat(70 * 1024)});
    let (status, _) = submit(&app, &form, huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, body) = submit(&app, "abcdefghij0123456789", valid("A", "a@example.com")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(contacts(&app, &t.token, &t.location).await["count"], 0);
}

pub async fn honeypot_posts_are_dropped_silently(app: TestApp) {
    let t = tenant(&app).await;
    let form = create_form(&app, &t, "Contact us").await;
    let mut bot = valid("Bot", "bot@example.com");
    bot["_hp"] = json!("http://spam.example");
    let (status, body) = submit(&app, &form, bot).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["success"], true);
    assert_eq!(contacts(&app, &t.token, &t.location).await["count"], 0);
    let path = format!("/forms/submissions?locationId={}", t.location);
    assert_eq!(
        get_ok(&app, &t.token, &path, "/forms/submissions").await["meta"]["total"],
        0
    );
    let mut human = valid("Human", "human@example.com");
    human["_hp"] = json!("");
    let (status, _) = submit(&app, &form, human).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(contacts(&app, &t.token, &t.location).await["count"], 1);
}

pub async fn submissions_are_rate_limited_per_client_and_form(app: TestApp) {
    let t = tenant(&app).await;
    let form = create_form(&app, &t, "Contact us").await;
    let other = create_form(&app, &t, "Other").await;
    for i in 0..10 {
        let (status, body) = submit(&app, &form, valid("A", &format!("a{i}@example.com"))).await;
        assert_eq!(status, StatusCode::CREATED, "{i}: {body}");
    }
    let response = app
        .http
        .post(app.url(&format!("/forms/submit/{form}")))
        .json(&valid("A", "late@example.com"))
        .send()
        .await
        .expect("submit");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=600).contains(&retry), "{retry}");
    let (status, _) = submit(&app, &other, valid("A", "other@example.com")).await;
    assert_eq!(status, StatusCode::CREATED);
    app.clock.advance(Duration::from_secs(601));
    let (status, _) = submit(&app, &form, valid("A", "later@example.com")).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(contacts(&app, &t.token, &t.location).await["count"], 12);
}

pub async fn submissions_are_listed_newest_first_with_filters_and_stable_pages(app: TestApp) {
    let t = tenant(&app).await;
    let (f1, f2) = (
        create_form(&app, &t, "One").await,
        create_form(&app, &t, "Two").await,
    );
    let start = app.clock.now().millis();
    for i in 0..5 {
        let form = if i % 2 == 0 { &f1 } else { &f2 };
        let (status, _) = submit(
            &app,
            form,
            valid(&format!("P{i}"), &format!("p{i}@example.com")),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        app.clock.advance(Duration::from_millis(10));
    }
    let loc = &t.location;
    let snapshot = app.clock.now().millis();
    let base = format!("/forms/submissions?locationId={loc}&limit=2&endAt={snapshot}");
    let first = get_ok(
        &app,
        &t.token,
        &format!("{base}&page=1"),
        "/forms/submissions",
    )
    .await;
    assert_eq!(
        first["meta"],
        json!({"total": 5, "currentPage": 1, "nextPage": 2, "prevPage": null})
    );
    // A submission arriving between pages does not shift a snapshot's pages.
    let (status, _) = submit(&app, &f1, valid("New", "new@example.com")).await;
    assert_eq!(status, StatusCode::CREATED);
    let mut names: Vec<String> = Vec::new();
    for page in 1..=3 {
        let body = get_ok(
            &app,
            &t.token,
            &format!("{base}&page={page}"),
            "/forms/submissions",
        )
        .await;
        for s in body["submissions"].as_array().unwrap() {
            names.push(s["name"].as_str().unwrap().to_owned());
        }
        assert_eq!(
            body["meta"]["nextPage"],
            if page < 3 {
                json!(page + 1)
            } else {
                json!(null)
            }
        );
    }
    assert_eq!(names, ["P4", "P3", "P2", "P1", "P0"]);
    let by_form = format!("/forms/submissions?locationId={loc}&formId={f2}");
    assert_eq!(
        get_ok(&app, &t.token, &by_form, "/forms/submissions").await["meta"]["total"],
        2
    );
    let by_q = format!("/forms/submissions?locationId={loc}&q=P3%40EXAMPLE");
    let found = get_ok(&app, &t.token, &by_q, "/forms/submissions").await;
    assert_eq!(found["submissions"][0]["email"], "p3@example.com");
    let window = format!(
        "/forms/submissions?locationId={loc}&startAt={}&endAt={}",
        start + 10,
        start + 30
    );
    assert_eq!(
        get_ok(&app, &t.token, &window, "/forms/submissions").await["meta"]["total"],
        2
    );
    for bad in ["limit=101", "page=0", "startAt=yesterday"] {
        let path = format!("/forms/submissions?locationId={loc}&{bad}");
        let (status, body) = app.api(&t.token, Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
    }
}
