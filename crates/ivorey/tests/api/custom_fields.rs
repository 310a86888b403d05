//! Custom field definitions on both backends: CRUD, lookup by key, the unique key, 422s, and
//! refusals (missing scope -> 401 with nothing changed, another location -> 403).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::spec;

on_both_backends!(
    custom_fields_are_created_listed_updated_and_deleted,
    a_taken_key_and_bad_definitions_get_422,
    custom_fields_need_their_scope_and_the_tokens_location,
);

const RW: &[&str] = &[
    "locations/customFields.readonly",
    "locations/customFields.write",
];
const LIST: &str = "/locations/{locationId}/customFields";
const ONE: &str = "/locations/{locationId}/customFields/{id}";

async fn checked(
    app: &TestApp,
    token: &str,
    method: Method,
    template: &str,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let (status, answer) = app.api(token, method.clone(), path, body).await;
    if status.is_success() {
        spec::check("locations.json", &method, template, status, &answer);
    }
    (status, answer)
}

async fn custom_fields_are_created_listed_updated_and_deleted(app: TestApp) {
    let admin = app.new_admin("Fields").await;
    let (_, token) = app.integration(&admin, RW).await;
    let list = format!("/locations/{}/customFields", admin.location);
    let (status, created) = checked(
        &app,
        &token,
        Method::POST,
        LIST,
        &list,
        Some(json!({"name": "Pin code", "dataType": "TEXT", "placeholder": "Pin", "position": 2})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let field = &created["customField"];
    assert_eq!(field["fieldKey"], "contact.pin_code");
    assert_eq!(field["model"], "contact");
    let id = field["id"].as_str().unwrap().to_owned();
    let (_, size) = checked(&app, &token, Method::POST, LIST, &list,
        Some(json!({"name": "Size", "dataType": "SINGLE_OPTIONS", "options": ["S", "M"], "position": 1}))).await;
    assert_eq!(size["customField"]["picklistOptions"], json!(["S", "M"]));
    checked(
        &app,
        &token,
        Method::POST,
        LIST,
        &list,
        Some(json!({"name": "Budget", "dataType": "MONETORY", "model": "opportunity"})),
    )
    .await;
    let (_, all) = checked(&app, &token, Method::GET, LIST, &list, None).await;
    let names: Vec<_> = all["customFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].clone())
        .collect();
    assert_eq!(
        names,
        [json!("Budget"), json!("Size"), json!("Pin code")],
        "by position"
    );
    let (_, contacts_only) = checked(
        &app,
        &token,
        Method::GET,
        LIST,
        &format!("{list}?model=contact"),
        None,
    )
    .await;
    assert_eq!(contacts_only["customFields"].as_array().unwrap().len(), 2);
    let (_, by_key) = checked(
        &app,
        &token,
        Method::GET,
        ONE,
        &format!("{list}/contact.pin_code"),
        None,
    )
    .await;
    assert_eq!(by_key["customField"]["id"], id.as_str());
    let one = format!("{list}/{id}");
    let (status, updated) = checked(
        &app,
        &token,
        Method::PUT,
        ONE,
        &one,
        Some(json!({"name": "Postal code"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["customField"]["name"], "Postal code");
    assert_eq!(
        updated["customField"]["fieldKey"], "contact.pin_code",
        "the key stays"
    );
    assert_eq!(updated["customField"]["placeholder"], "Pin");
    let (_, got) = checked(&app, &token, Method::GET, ONE, &one, None).await;
    assert_eq!(got["customField"]["name"], "Postal code");
    let (status, deleted) = checked(&app, &token, Method::DELETE, ONE, &one, None).await;
    assert_eq!(
        (status, deleted["succeded"].clone()),
        (StatusCode::OK, json!(true))
    );
    let (status, _) = app.api(&token, Method::GET, &one, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_taken_key_and_bad_definitions_get_422(app: TestApp) {
    let admin = app.new_admin("Keys").await;
    let other = app.new_admin("Other keys").await;
    let (_, token) = app.integration(&admin, RW).await;
    let (_, other_token) = app.integration(&other, RW).await;
    let list = format!("/locations/{}/customFields", admin.location);
    let (status, _) = app
        .api(
            &token,
            Method::POST,
            &list,
            Some(json!({"name": "Shoe size", "dataType": "NUMERICAL"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, taken) = app
        .api(
            &token,
            Method::POST,
            &list,
            Some(json!({"name": "shoe SIZE", "dataType": "TEXT"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{taken}");
    assert!(
        taken["message"][0]
            .as_str()
            .unwrap()
            .contains("contact.shoe_size")
    );
    let (status, _) = app
        .api(
            &other_token,
            Method::POST,
            &format!("/locations/{}/customFields", other.location),
            Some(json!({"name": "Shoe size", "dataType": "NUMERICAL"})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "keys are unique per location only"
    );
    for (bad, field) in [
        (json!({"dataType": "TEXT"}), "name"),
        (json!({"name": "X"}), "dataType"),
        (json!({"name": "X", "dataType": "BLOB"}), "dataType"),
        (json!({"name": "X", "dataType": "RADIO"}), "options"),
        (
            json!({"name": "X", "dataType": "TEXT", "model": "invoice"}),
            "model",
        ),
        (
            json!({"name": "X", "dataType": "TEXT", "color": "red"}),
            "color",
        ),
    ] {
        let (status, answer) = app
            .api(&token, Method::POST, &list, Some(bad.clone()))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(
            answer["message"].to_string().contains(field),
            "{bad} -> {answer}"
        );
    }
    let (_, all) = app.api(&token, Method::GET, &list, None).await;
    assert_eq!(all["customFields"].as_array().unwrap().len(), 1);
}

async fn custom_fields_need_their_scope_and_the_tokens_location(app: TestApp) {
    let a = app.new_admin("Owner").await;
    let b = app.new_admin("Intruder").await;
    let (_, rw_a) = app.integration(&a, RW).await;
    let (_, reader_a) = app
        .integration(&a, &["locations/customFields.readonly"])
        .await;
    let (_, writer_only_a) = app.integration(&a, &["locations/customFields.write"]).await;
    let (_, rw_b) = app.integration(&b, RW).await;
    let list = format!("/locations/{}/customFields", a.location);
    let (_, created) = app
        .api(
            &rw_a,
            Method::POST,
            &list,
            Some(json!({"name": "Mine", "dataType": "TEXT"})),
        )
        .await;
    let one = format!("{list}/{}", created["customField"]["id"].as_str().unwrap());
    let writes = [
        (
            Method::POST,
            list.clone(),
            Some(json!({"name": "New", "dataType": "TEXT"})),
        ),
        (Method::PUT, one.clone(), Some(json!({"name": "Stolen"}))),
        (Method::DELETE, one.clone(), None),
    ];
    let reads = [
        (Method::GET, list.clone(), None),
        (Method::GET, one.clone(), None),
    ];
    for (method, path, body) in &writes {
        let (status, _) = app.api(&reader_a, method.clone(), path, body.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    for (method, path, body) in &reads {
        let (status, _) = app
            .api(&writer_only_a, method.clone(), path, body.clone())
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    for (method, path, body) in writes.iter().chain(reads.iter()) {
        let (status, answer) = app.api(&rw_b, method.clone(), path, body.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {answer}");
    }
    let (_, all) = app.api(&rw_a, Method::GET, &list, None).await;
    assert_eq!(all["customFields"].as_array().unwrap().len(), 1);
    assert_eq!(all["customFields"][0]["name"], "Mine", "nothing changed");
}
