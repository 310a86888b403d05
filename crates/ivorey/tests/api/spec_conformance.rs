//! The contacts and location responses, success and error, checked against HighLevel's own
//! OpenAPI schemas (`contacts.json`, `locations.json`) on both backends.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::spec;

on_both_backends!(
    contact_responses_match_the_upstream_schemas,
    location_responses_match_the_upstream_schemas,
);

/// Calls the API and checks the answer against `template`'s response in `file`.
async fn checked(
    app: &TestApp,
    token: &str,
    (method, template, path): (Method, &str, &str),
    file: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let (status, body) = app.api(token, method.clone(), path, body).await;
    spec::check(file, &method, template, status, &body);
    (status, body)
}

async fn contact_responses_match_the_upstream_schemas(app: TestApp) {
    let admin = app.new_admin("Spec Contacts").await;
    let loc = admin.location.as_str();
    let (_, token) = app
        .integration(&admin, &["contacts.readonly", "contacts.write"])
        .await;
    let (_, read_only) = app.integration(&admin, &["contacts.readonly"]).await;
    let c = "contacts.json";
    let full = json!({
        "locationId": loc, "firstName": "Rosan", "lastName": "Deo", "email": "rosan@deos.com",
        "phone": "+1 888-888-8888", "address1": "3535 1st St N", "city": "Dolomite",
        "state": "AL", "postalCode": "35061", "country": "US", "website": "https://deos.com",
        "timezone": "America/Chicago", "companyName": "DGS", "source": "public api",
        "dateOfBirth": "1990-09-25", "tags": ["vip"], "dnd": false,
        "customFields": [{"id": "favColor", "field_value": "teal"}]
    });
    let create = (Method::POST, "/contacts/", "/contacts/");
    let (status, created) = checked(&app, &token, create.clone(), c, Some(full)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["contact"]["id"].as_str().expect("id").to_owned();
    let one = format!("/contacts/{id}");
    let by_id = "/contacts/{contactId}";
    let (status, _) = checked(&app, &token, (Method::GET, by_id, &one), c, None).await;
    assert_eq!(status, StatusCode::OK);
    let change = Some(json!({"city": null, "lastName": "Lovelace"}));
    let (status, _) = checked(&app, &token, (Method::PUT, by_id, &one), c, change).await;
    assert_eq!(status, StatusCode::OK);
    for query in ["", "&limit=1", "&query=rosan"] {
        let list = format!("/contacts/?locationId={loc}{query}");
        let (status, _) = checked(&app, &token, (Method::GET, "/contacts/", &list), c, None).await;
        assert_eq!(status, StatusCode::OK);
    }
    // The errors each operation documents: 422 (a list of messages), 401, 400.
    let invalid = Some(json!({"locationId": loc, "email": "nope"}));
    let (status, _) = checked(&app, &token, create.clone(), c, invalid).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let intruder = Some(json!({"locationId": loc, "firstName": "No"}));
    let (status, _) = checked(&app, &read_only, create, c, intruder).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = checked(&app, &token, (Method::GET, by_id, "/contacts/bad"), c, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = checked(&app, &token, (Method::DELETE, by_id, &one), c, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = checked(&app, &token, (Method::GET, by_id, &one), c, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn location_responses_match_the_upstream_schemas(app: TestApp) {
    let admin = app.new_admin("Spec Location").await;
    let (_, token) = app.integration(&admin, &["locations.readonly"]).await;
    let (_, other) = app.integration(&admin, &["contacts.readonly"]).await;
    let path = format!("/locations/{}", admin.location);
    let op = |path| (Method::GET, "/locations/{locationId}", path);
    let l = "locations.json";
    let (status, body) = checked(&app, &token, op(path.as_str()), l, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["location"]["name"], "Spec Location");
    let (status, _) = checked(&app, &other, op(path.as_str()), l, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let elsewhere = format!("/locations/{}", ivorey_core::LocationId::generate());
    let (status, _) = checked(&app, &token, op(elsewhere.as_str()), l, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
