//! What the opportunity endpoints refuse: invalid input (422 naming the field, nothing stored),
//! another location's records (403 for its id in the request, 404 for its opportunities, as
//! for ids that exist nowhere, nothing changed), and tokens without the endpoint's scope.

use ivorey_core::{ContactId, OpportunityId, Scope};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Tenant, call, create, id_of, pipeline, tenant};
use crate::common::TestApp;

/// Everything a location shows through the API: a refused request must leave it as it was.
async fn snapshot(app: &TestApp, t: &Tenant) -> Value {
    let path = format!("/opportunities/search?location_id={}&limit=100", t.location);
    let (status, mut body) = call(app, &t.token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_object_mut().expect("object").remove("traceId");
    body
}

fn without_trace(mut body: Value) -> Value {
    body.as_object_mut().expect("object").remove("traceId");
    body
}

pub(crate) async fn invalid_opportunities_are_refused_naming_each_field(app: TestApp) {
    let t = tenant(&app).await;
    let other = tenant(&app).await;
    let foreign_pipeline = other.pipeline.id.to_string();
    let renewals = pipeline(&app, &t.location, "Renewals").await;
    let before = snapshot(&app, &t).await;
    let valid = json!({"locationId": t.location, "pipelineId": t.pipeline.id,
                       "contactId": t.contact, "name": "Deal", "status": "open"});
    // The valid body with `key` set to `value`, or left out for `Null`.
    let with = |key: &str, value: Value| {
        let mut body = valid.clone();
        let fields = body.as_object_mut().unwrap();
        match value {
            Value::Null => fields.remove(key),
            value => fields.insert(key.into(), value),
        };
        body
    };
    let cases = [
        ("pipelineId", with("pipelineId", Value::Null)),
        ("contactId", with("contactId", Value::Null)),
        ("name", with("name", Value::Null)),
        ("name", with("name", json!("   "))),
        ("status", with("status", Value::Null)),
        ("status", with("status", json!("closed"))),
        ("monetaryValue", with("monetaryValue", json!(0.125))),
        ("monetaryValue", with("monetaryValue", json!(-1))),
        ("monetaryValue", with("monetaryValue", json!("12"))),
        ("monetaryValue", with("monetaryValue", json!("NaN"))),
        ("monetaryValue", with("monetaryValue", json!(1e20))),
        ("pipelineId", with("pipelineId", json!("short"))),
        ("pipelineId", with("pipelineId", json!(foreign_pipeline))),
        ("contactId", with("contactId", json!(other.contact))),
        ("contactId", with("contactId", json!(ContactId::generate()))),
        (
            "pipelineStageId",
            with("pipelineStageId", json!(renewals.stages[0].id)),
        ),
        ("customFields", with("customFields", json!([]))),
        ("locationId", with("locationId", Value::Null)),
    ];
    for (field, body) in cases {
        let (status, answer) = call(
            &app,
            &t.token,
            Method::POST,
            "/opportunities/",
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(answer["error"], "Unprocessable Entity");
        let messages = answer["message"].as_array().expect("a list of messages");
        assert!(
            messages.iter().any(|m| m.as_str().unwrap().contains(field)),
            "{field}: {answer}"
        );
    }
    // Every problem at once.
    let several = json!({"locationId": t.location, "status": "maybe", "monetaryValue": 1.001});
    let (_, answer) = call(
        &app,
        &t.token,
        Method::POST,
        "/opportunities/",
        Some(several),
    )
    .await;
    assert_eq!(
        answer["message"].as_array().map(Vec::len),
        Some(5),
        "{answer}"
    );
    // A bare NaN is not JSON at all.
    let request = app
        .http
        .post(app.url("/opportunities/"))
        .bearer_auth(&t.token)
        .header("Version", crate::common::VERSION)
        .header("content-type", "application/json")
        .body(r#"{"monetaryValue": NaN}"#);
    let response = request.send().await.expect("request");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(snapshot(&app, &t).await, before, "nothing was stored");
    // One opportunity per contact and pipeline: a second is refused, naming the contact.
    create(&app, &t, json!({})).await;
    let (status, answer) = call(&app, &t.token, Method::POST, "/opportunities/", Some(valid)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        answer["message"][0]
            .as_str()
            .unwrap()
            .starts_with("contactId"),
        "{answer}"
    );
}

pub(crate) async fn another_locations_records_are_refused_and_left_unchanged(app: TestApp) {
    let (ours, theirs) = (tenant(&app).await, tenant(&app).await);
    let their_opp = id_of(&create(&app, &theirs, json!({"name": "Private"})).await);
    let mine = id_of(&create(&app, &ours, json!({"name": "Mine"})).await);
    let (ours_before, theirs_before) = (snapshot(&app, &ours).await, snapshot(&app, &theirs).await);
    let loc = theirs.location.as_str();
    let forbidden = json!({"statusCode": 403, "message": "The token does not have access to this location.", "error": "Forbidden"});
    let body = json!({"locationId": loc, "pipelineId": theirs.pipeline.id, "contactId": theirs.contact, "name": "X", "status": "won"});
    let by_location = [
        (
            Method::GET,
            format!("/opportunities/pipelines?locationId={loc}"),
            None,
        ),
        (
            Method::GET,
            format!("/opportunities/search?location_id={loc}"),
            None,
        ),
        (
            Method::POST,
            "/opportunities/search".into(),
            Some(json!({"locationId": loc})),
        ),
        (Method::POST, "/opportunities/".into(), Some(body.clone())),
        (Method::POST, "/opportunities/upsert".into(), Some(body)),
    ];
    for (method, path, body) in by_location {
        let (status, answer) = call(&app, &ours.token, method.clone(), &path, body).await;
        assert_eq!(
            (status, without_trace(answer)),
            (StatusCode::FORBIDDEN, forbidden.clone()),
            "{method} {path}"
        );
    }
    let ghost = OpportunityId::generate().to_string();
    let by_id = |id: &str| {
        let path = format!("/opportunities/{id}");
        [
            (Method::GET, path.clone(), None),
            (
                Method::PUT,
                path.clone(),
                Some(json!({"name": "Stolen", "status": "lost"})),
            ),
            (
                Method::PUT,
                format!("{path}/status"),
                Some(json!({"status": "lost"})),
            ),
            (Method::DELETE, path, None),
        ]
    };
    for ((method, path, body), (_, ghost_path, _)) in
        by_id(&their_opp).into_iter().zip(by_id(&ghost))
    {
        let (status, answer) = call(&app, &ours.token, method.clone(), &path, body.clone()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {answer}");
        let (_, absent) = call(&app, &ours.token, method.clone(), &ghost_path, body).await;
        assert_eq!(
            without_trace(answer),
            without_trace(absent),
            "{method}: indistinguishable"
        );
    }
    // Their pipeline, stage or contact cannot be linked to our opportunity either.
    let stage = theirs.pipeline.stages[1].id.to_string();
    let path = format!("/opportunities/{mine}");
    for change in [
        json!({"pipelineId": theirs.pipeline.id}),
        json!({"pipelineStageId": stage}),
    ] {
        let (status, answer) = call(&app, &ours.token, Method::PUT, &path, Some(change)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    }
    let upsert = json!({"locationId": ours.location, "pipelineId": ours.pipeline.id, "contactId": theirs.contact, "name": "X"});
    let (status, answer) = call(
        &app,
        &ours.token,
        Method::POST,
        "/opportunities/upsert",
        Some(upsert),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(
        snapshot(&app, &theirs).await,
        theirs_before,
        "theirs untouched"
    );
    assert_eq!(snapshot(&app, &ours).await, ours_before, "ours untouched");
    let (_, listed) = call(
        &app,
        &ours.token,
        Method::GET,
        &format!("/opportunities/pipelines?locationId={}", ours.location),
        None,
    )
    .await;
    assert_eq!(
        listed["pipelines"].as_array().map(Vec::len),
        Some(2),
        "{listed}"
    );
}

/// One endpoint: `{loc}` and `{id}` in the path are replaced by the ids under test.
struct Endpoint {
    method: Method,
    path: &'static str,
    scope: Scope,
    body: Option<fn(&Tenant) -> Value>,
}

#[rustfmt::skip]
fn endpoints() -> [Endpoint; 9] {
    let create: fn(&Tenant) -> Value = |t| json!({"locationId": t.location, "pipelineId": t.pipeline.id,
        "contactId": t.contact, "name": "Intruder", "status": "open"});
    let search: fn(&Tenant) -> Value = |t| json!({"locationId": t.location});
    let update: fn(&Tenant) -> Value = |_| json!({"name": "Changed"});
    let status: fn(&Tenant) -> Value = |_| json!({"status": "won"});
    let (read, write) = (Scope::OpportunitiesRead, Scope::OpportunitiesWrite);
    let e = |method, path, scope, body| Endpoint { method, path, scope, body };
    [
        e(Method::GET, "/opportunities/pipelines?locationId={loc}", read, None),
        e(Method::GET, "/opportunities/search?location_id={loc}", read, None),
        e(Method::POST, "/opportunities/search", read, Some(search)),
        e(Method::GET, "/opportunities/{id}", read, None),
        e(Method::POST, "/opportunities/", write, Some(create)),
        e(Method::POST, "/opportunities/upsert", write, Some(create)),
        e(Method::PUT, "/opportunities/{id}", write, Some(update)),
        e(Method::PUT, "/opportunities/{id}/status", write, Some(status)),
        e(Method::DELETE, "/opportunities/{id}", write, None),
    ]
}

pub(crate) async fn every_endpoint_refuses_a_token_without_its_scope(app: TestApp) {
    let t = tenant(&app).await;
    let kept = create(&app, &t, json!({"name": "Kept"})).await;
    let id = id_of(&kept);
    let before = snapshot(&app, &t).await;
    for endpoint in endpoints() {
        let others: Vec<&str> = Scope::ALL
            .iter()
            .filter(|s| **s != endpoint.scope)
            .map(|s| s.name())
            .collect();
        let (_, token) = app.integration(&t.admin, &others).await;
        let path = endpoint
            .path
            .replace("{loc}", &t.location)
            .replace("{id}", &id);
        let body = endpoint.body.map(|build| build(&t));
        let (status, answer) = call(&app, &token, endpoint.method.clone(), &path, body).await;
        let name = format!("{} {}", endpoint.method, endpoint.path);
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{name}: {answer}");
        let expected =
            json!({"statusCode": 401, "message": "The token is not authorized for this scope."});
        assert_eq!(without_trace(answer), expected, "{name}");
        assert_eq!(snapshot(&app, &t).await, before, "{name} changed data");
    }
    let (status, got) = call(
        &app,
        &t.token,
        Method::GET,
        &format!("/opportunities/{id}"),
        None,
    )
    .await;
    assert_eq!((status, &got["opportunity"]), (StatusCode::OK, &kept));
}
