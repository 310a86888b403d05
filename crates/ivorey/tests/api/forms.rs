//! Forms over real HTTP, on both backends: definitions through the management API, public
//! submissions (JSON and urlencoded) that create a contact, then only fill its empty fields, validation, the
//! honeypot, the per-client rate limit, the submissions listing with its filters and paging,
//! and refusals. Every successful public response is checked against HighLevel's schema.

mod refusals;
mod submitting;

use refusals::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use submitting::*;

use crate::common::{Admin, TestApp};
use crate::spec;

on_both_backends!(
    admins_manage_form_definitions,
    a_submission_creates_then_updates_the_contact,
    a_public_submission_never_overwrites_a_contact,
    invalid_submissions_are_refused_naming_each_field,
    honeypot_posts_are_dropped_silently,
    submissions_are_rate_limited_per_client_and_form,
    submissions_are_listed_newest_first_with_filters_and_stable_pages,
    forms_are_listed_with_skip_and_limit,
    every_endpoint_refuses_a_token_without_its_scope_or_location,
);

/// A location with a token holding `forms.readonly` and the contact scopes.
#[derive(Debug)]
pub(crate) struct Tenant {
    pub(crate) admin: Admin,
    pub(crate) location: String,
    pub(crate) token: String,
}

pub(crate) async fn tenant(app: &TestApp) -> Tenant {
    let admin = app.new_admin("Forms").await;
    let scopes = ["forms.readonly", "contacts.readonly", "contacts.write"];
    let (_, token) = app.integration(&admin, &scopes).await;
    Tenant {
        location: admin.location.clone(),
        admin,
        token,
    }
}

pub(crate) fn contact_form_body(name: &str) -> Value {
    json!({
        "name": name,
        "fields": [
            {"key": "first_name", "label": "First name", "type": "text", "required": true},
            {"key": "email", "label": "Email", "type": "email", "required": true},
            {"key": "phone", "label": "Phone", "type": "phone"},
            {"key": "topic", "label": "Topic", "type": "select", "options": ["Sales", "Support"]},
            {"key": "message", "label": "Message", "type": "textarea", "maxLength": 20},
            {"key": "consent", "label": "I agree", "type": "checkbox", "required": true}
        ]
    })
}

/// Creates a form as the tenant's admin; returns its id.
pub(crate) async fn create_form(app: &TestApp, t: &Tenant, name: &str) -> String {
    let path = format!("/manage/locations/{}/forms", t.location);
    let body = contact_form_body(name);
    let (status, body) = app
        .manage(&t.admin.session, Method::POST, &path, Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["form"]["id"].as_str().expect("form id").to_owned()
}

/// A public JSON submission, as a website's script would post it.
pub(crate) async fn submit(app: &TestApp, form: &str, body: Value) -> (StatusCode, Value) {
    let response = app
        .http
        .post(app.url(&format!("/forms/submit/{form}")))
        .json(&body)
        .send()
        .await
        .expect("submit");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub(crate) async fn get_ok(app: &TestApp, token: &str, path: &str, spec_path: &str) -> Value {
    let (status, body) = app.api(token, Method::GET, path, None).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    spec::check("forms.json", &Method::GET, spec_path, status, &body);
    body
}

async fn admins_manage_form_definitions(app: TestApp) {
    let t = tenant(&app).await;
    let id = create_form(&app, &t, "Contact us").await;
    let path = format!("/manage/locations/{}/forms/{id}", t.location);
    let (status, body) = app.manage(&t.admin.session, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["form"]["fields"].as_array().map(Vec::len), Some(6));
    assert_eq!(body["form"]["fields"][1]["maxLength"], 255);
    let mut renamed = contact_form_body("Get in touch");
    renamed["fields"].as_array_mut().unwrap().truncate(2);
    let (status, body) = app
        .manage(&t.admin.session, Method::PUT, &path, Some(renamed))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["form"]["name"], "Get in touch");
    let bad = json!({"name": "", "fields": [{"key": "1x", "label": "x", "type": "radio"}]});
    let (status, body) = app
        .manage(&t.admin.session, Method::PUT, &path, Some(bad))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let listed = get_ok(
        &app,
        &t.token,
        &format!("/forms/?locationId={}", t.location),
        "/forms/",
    )
    .await;
    assert_eq!(listed["total"], 1);
    assert_eq!(
        listed["forms"][0],
        json!({"id": id, "name": "Get in touch", "locationId": t.location})
    );
    let (status, _) = app
        .manage(&t.admin.session, Method::DELETE, &path, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.manage(&t.admin.session, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _) = submit(&app, &id, json!({"first_name": "A"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn forms_are_listed_with_skip_and_limit(app: TestApp) {
    let t = tenant(&app).await;
    for name in ["One", "Two", "Three"] {
        create_form(&app, &t, name).await;
        app.clock.advance(std::time::Duration::from_millis(5));
    }
    let loc = &t.location;
    let page = get_ok(
        &app,
        &t.token,
        &format!("/forms/?locationId={loc}&skip=1&limit=1"),
        "/forms/",
    )
    .await;
    assert_eq!(page["total"], 3);
    assert_eq!(page["forms"][0]["name"], "Two");
    let folders = get_ok(
        &app,
        &t.token,
        &format!("/forms/?locationId={loc}&type=folder"),
        "/forms/",
    )
    .await;
    assert_eq!(folders["forms"], json!([]));
    let (status, body) = app
        .api(
            &t.token,
            Method::GET,
            &format!("/forms/?locationId={loc}&limit=51"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}
