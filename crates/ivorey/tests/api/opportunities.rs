//! Opportunities and pipelines over real HTTP, on both backends, in HighLevel v2 shapes: create,
//! get, update, status changes, upsert, delete, both searches with every filter and paging,
//! validation, another location's records, and every endpoint without its scope. Every response
//! body is checked against HighLevel's own schema for it (`spec`).

mod changes;
mod refusals;
mod searching;

use std::time::Duration;

use changes::*;
use ivorey_core::opportunity::{Pipeline, STARTER_NAME};
use ivorey_core::{Clock, LocationId};
use refusals::*;
use reqwest::{Method, StatusCode};
use searching::*;
use serde_json::{Value, json};

use crate::common::{Admin, TestApp, VERSION};
use crate::spec;

on_both_backends!(
    pipelines_are_listed_with_their_stages_in_order,
    a_created_opportunity_has_the_highlevel_shape,
    an_update_changes_only_what_it_names,
    status_changes_are_stored_with_their_time,
    a_deleted_opportunity_is_gone,
    upsert_updates_the_contacts_opportunity_in_the_pipeline_or_creates_it,
    invalid_opportunities_are_refused_naming_each_field,
    search_filters_each_narrow_the_result,
    paging_through_search_returns_every_opportunity_once_in_order,
    concurrent_upserts_make_one_opportunity,
    another_locations_records_are_refused_and_left_unchanged,
    every_endpoint_refuses_a_token_without_its_scope,
);

/// A location with a token holding the opportunity and contact scopes, a pipeline with four
/// stages, and a contact.
struct Tenant {
    admin: Admin,
    location: String,
    token: String,
    pipeline: Pipeline,
    contact: String,
}

async fn tenant(app: &TestApp) -> Tenant {
    let admin = app.new_admin("Opportunities").await;
    let scopes = [
        "opportunities.readonly",
        "opportunities.write",
        "contacts.readonly",
        "contacts.write",
    ];
    let (_, token) = app.integration(&admin, &scopes).await;
    // After the location's starter pipeline, so the two list in this order.
    app.clock.advance(Duration::from_millis(1));
    let pipeline = pipeline(app, &admin.location, "Sales").await;
    let contact = app.contact(&token, &admin.location, "Ada").await;
    Tenant {
        location: admin.location.clone(),
        admin,
        token,
        pipeline,
        contact,
    }
}

/// A pipeline created the way an admin would (HighLevel's API has no endpoint for it).
async fn pipeline(app: &TestApp, location: &str, name: &str) -> Pipeline {
    let location = LocationId::parse(location).expect("location id");
    let stages = ["Lead", "Qualified", "Proposal", "Closed"];
    ivorey_app::pipelines::create_pipeline(
        app.store.as_ref(),
        app.clock.now(),
        &location,
        name,
        &stages,
    )
    .await
    .expect("create pipeline")
}

/// The upstream path that `path` is an instance of, for its schema.
fn template(path: &str) -> &'static str {
    let path = path.split('?').next().unwrap_or_default();
    match path.trim_start_matches("/opportunities/") {
        "" => "/opportunities/",
        "pipelines" => "/opportunities/pipelines",
        "search" => "/opportunities/search",
        "upsert" => "/opportunities/upsert",
        rest if rest.ends_with("/status") => "/opportunities/{id}/status",
        _ => "/opportunities/{id}",
    }
}

/// An API call whose answer carries a trace id and matches the upstream schema.
async fn call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = app
        .http
        .request(method.clone(), app.url(path))
        .bearer_auth(token)
        .header("Version", VERSION);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let body: Value = response.json().await.expect("a JSON body");
    assert!(body["traceId"].is_string(), "no traceId: {body}");
    spec::check("opportunities.json", &method, template(path), status, &body);
    (status, body)
}

/// Creates an opportunity; returns it as the API shows it.
async fn create(app: &TestApp, t: &Tenant, fields: Value) -> Value {
    let mut body = json!({
        "locationId": t.location, "pipelineId": t.pipeline.id, "contactId": t.contact,
        "name": "Deal", "status": "open",
    });
    for (key, value) in fields.as_object().expect("fields").clone() {
        body[key] = value;
    }
    let (status, created) = call(app, &t.token, Method::POST, "/opportunities/", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["opportunity"].clone()
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

async fn get(app: &TestApp, t: &Tenant, id: &str) -> (StatusCode, Value) {
    call(
        app,
        &t.token,
        Method::GET,
        &format!("/opportunities/{id}"),
        None,
    )
    .await
}

async fn pipelines_are_listed_with_their_stages_in_order(app: TestApp) {
    let t = tenant(&app).await;
    app.clock.advance(Duration::from_millis(5));
    let second = pipeline(&app, &t.location, "Renewals").await;
    let other = tenant(&app).await;
    let path = format!("/opportunities/pipelines?locationId={}", t.location);
    let (status, body) = call(&app, &t.token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let listed = body["pipelines"].as_array().expect("pipelines");
    let names: Vec<&str> = listed.iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(
        names,
        [STARTER_NAME, "Sales", "Renewals"],
        "oldest first (the starter pipeline of a new location first), the other location's absent"
    );
    let sales = &listed[1];
    assert_eq!(sales["id"], t.pipeline.id.as_str());
    assert_eq!(sales["locationId"], t.location.as_str());
    let stages: Vec<(&str, u64)> = sales["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["position"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        stages,
        [
            ("Lead", 0),
            ("Qualified", 1),
            ("Proposal", 2),
            ("Closed", 3)
        ]
    );
    assert_eq!(sales["stages"][0]["id"], t.pipeline.stages[0].id.as_str());
    assert_eq!(listed[2]["id"], second.id.as_str());
    let theirs = format!("/opportunities/pipelines?locationId={}", other.location);
    let (status, _) = call(&app, &t.token, Method::GET, &theirs, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = call(
        &app,
        &t.token,
        Method::GET,
        "/opportunities/pipelines",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["message"], json!(["locationId should not be empty"]));
}

async fn a_created_opportunity_has_the_highlevel_shape(app: TestApp) {
    let t = tenant(&app).await;
    let fields = json!({"name": " Big deal ", "monetaryValue": 1250.5, "assignedTo": "user-7",
                        "source": "website"});
    let o = create(&app, &t, fields).await;
    let now = app.clock.now().to_rfc3339();
    let expected = json!({
        "id": o["id"], "name": "Big deal", "monetaryValue": 1250.5,
        "pipelineId": t.pipeline.id, "pipelineStageId": t.pipeline.stages[0].id,
        "status": "open", "contactId": t.contact, "locationId": t.location,
        "assignedTo": "user-7", "source": "website", "createdAt": now, "updatedAt": now,
        "lastStatusChangeAt": now, "lastStageChangeAt": now,
    });
    assert_eq!(o, expected, "the first stage when none is named");
    let (status, got) = get(&app, &t, &id_of(&o)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["opportunity"], o);
    // Money is exact: cents in, the same decimal out, whole values as integers.
    let (ben, cy) = (
        app.contact(&t.token, &t.location, "Ben").await,
        app.contact(&t.token, &t.location, "Cy").await,
    );
    let stage = t.pipeline.stages[2].id.as_str();
    let o = create(
        &app,
        &t,
        json!({"contactId": ben, "monetaryValue": 19.99, "pipelineStageId": stage}),
    )
    .await;
    assert_eq!(
        (o["monetaryValue"].clone(), o["pipelineStageId"].as_str()),
        (json!(19.99), Some(stage))
    );
    let o = create(&app, &t, json!({"contactId": cy, "monetaryValue": 2.2e2})).await;
    assert_eq!(o["monetaryValue"].to_string(), "220");
}

async fn an_update_changes_only_what_it_names(app: TestApp) {
    let t = tenant(&app).await;
    let before = create(&app, &t, json!({"monetaryValue": 10, "source": "ads"})).await;
    let path = format!("/opportunities/{}", id_of(&before));
    app.clock.advance(Duration::from_secs(5));
    let stage = t.pipeline.stages[1].id.as_str();
    let change = json!({"name": "Renamed", "pipelineStageId": stage, "source": null});
    let (status, body) = call(&app, &t.token, Method::PUT, &path, Some(change)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after = &body["opportunity"];
    let now = app.clock.now().to_rfc3339();
    assert_eq!(after["name"], "Renamed");
    assert_eq!(after["pipelineStageId"], stage);
    assert!(after.get("source").is_none(), "null clears: {after}");
    assert_eq!(after["monetaryValue"], 10, "absent: kept");
    assert_eq!(after["status"], "open");
    assert_eq!(
        (
            after["updatedAt"].as_str(),
            after["lastStageChangeAt"].as_str()
        ),
        (Some(&*now), Some(&*now))
    );
    assert_eq!(after["lastStatusChangeAt"], before["lastStatusChangeAt"]);
    assert_eq!(after["createdAt"], before["createdAt"]);
    let (_, got) = get(&app, &t, &id_of(&before)).await;
    assert_eq!(&got["opportunity"], after, "stored");
    // Moving to another pipeline lands in its first stage.
    let renewals = pipeline(&app, &t.location, "Renewals").await;
    let (status, body) = call(
        &app,
        &t.token,
        Method::PUT,
        &path,
        Some(json!({"pipelineId": renewals.id})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["opportunity"]["pipelineStageId"],
        renewals.stages[0].id.as_str()
    );
    // An opportunity's location and contact never change.
    for field in ["locationId", "contactId"] {
        let change = json!({ field: t.location });
        let (status, body) = call(&app, &t.token, Method::PUT, &path, Some(change)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body["message"].to_string().contains(field), "{body}");
    }
}

async fn a_deleted_opportunity_is_gone(app: TestApp) {
    let t = tenant(&app).await;
    let o = create(&app, &t, json!({})).await;
    let path = format!("/opportunities/{}", id_of(&o));
    let (status, mut body) = call(&app, &t.token, Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::OK);
    body.as_object_mut().unwrap().remove("traceId");
    assert_eq!(body, json!({"succeded": true}));
    let status_path = format!("{path}/status");
    for (method, path, body) in [
        (Method::GET, &path, None),
        (Method::DELETE, &path, None),
        (Method::PUT, &path, Some(json!({"name": "Back"}))),
        (Method::PUT, &status_path, Some(json!({"status": "won"}))),
    ] {
        let (status, body) = call(&app, &t.token, method, path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(body["message"], "Opportunity not found");
    }
    // The contact may have a new one in the same pipeline now.
    create(&app, &t, json!({"name": "Second chance"})).await;
}
