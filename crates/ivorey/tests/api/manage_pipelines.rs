//! Pipelines are made by a location's admins through the management API (HighLevel's public API
//! only reads them): a new location starts with the starter "Sales Pipeline", so a tool's first
//! `createOpportunity` works; what an admin creates is what a token then reads, in order; bad
//! input is a 422 naming the field; another location's admin and a token cannot create one.

use std::time::Duration;

use ivorey_core::opportunity::{STARTER_NAME, STARTER_STAGES};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::TestApp;

on_both_backends!(
    a_new_location_starts_with_the_sales_pipeline,
    an_admin_creates_a_pipeline_that_tokens_then_read,
    bad_pipelines_and_strangers_are_refused,
);

async fn a_new_location_starts_with_the_sales_pipeline(app: TestApp) {
    let admin = app.new_admin("Fresh").await;
    let scopes = [
        "opportunities.readonly",
        "opportunities.write",
        "contacts.write",
    ];
    let (_, token) = app.integration(&admin, &scopes).await;
    let read = format!("/opportunities/pipelines?locationId={}", admin.location);
    let (status, listed) = app.api(&token, Method::GET, &read, None).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let pipelines = listed["pipelines"].as_array().expect("pipelines");
    assert_eq!(pipelines.len(), 1, "{listed}");
    assert_eq!(pipelines[0]["name"], STARTER_NAME);
    let stages: Vec<&str> = pipelines[0]["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(stages, STARTER_STAGES);
    // A tool's first opportunity, naming only the pipeline, lands in its first stage.
    let contact = app.contact(&token, &admin.location, "Grace").await;
    let body = json!({
        "locationId": admin.location, "pipelineId": pipelines[0]["id"],
        "contactId": contact, "name": "First deal", "status": "open",
    });
    let (status, created) = app
        .api(&token, Method::POST, "/opportunities/", Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        created["opportunity"]["pipelineStageId"],
        pipelines[0]["stages"][0]["id"]
    );
}

async fn an_admin_creates_a_pipeline_that_tokens_then_read(app: TestApp) {
    let admin = app.new_admin("Pipelines").await;
    app.clock.advance(Duration::from_millis(1));
    let path = format!("/manage/locations/{}/pipelines", admin.location);
    let body = json!({"name": "Sales", "stages": ["New lead", "Proposal", "Won"]});
    let (status, created) = app
        .manage(&admin.session, Method::POST, &path, Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["pipeline"]["id"].as_str().expect("id").to_owned();
    let (_, token) = app.integration(&admin, &["opportunities.readonly"]).await;
    let read = format!("/opportunities/pipelines?locationId={}", admin.location);
    let (status, listed) = app.api(&token, Method::GET, &read, None).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(
        listed["pipelines"][0]["name"], STARTER_NAME,
        "the starter first"
    );
    let pipeline = &listed["pipelines"][1];
    assert_eq!(pipeline["id"], id.as_str());
    let stages: Vec<&str> = pipeline["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(stages, ["New lead", "Proposal", "Won"]);
    let (status, mine) = app.manage(&admin.session, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(mine["pipelines"][1]["id"], id.as_str());
}

async fn bad_pipelines_and_strangers_are_refused(app: TestApp) {
    let admin = app.new_admin("Mine").await;
    let stranger = app.new_admin("Theirs").await;
    let path = format!("/manage/locations/{}/pipelines", admin.location);
    let no_stages = json!({"name": "Empty", "stages": []});
    let (status, body) = app
        .manage(&admin.session, Method::POST, &path, Some(no_stages))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let good = json!({"name": "Sales", "stages": ["New"]});
    let (status, body) = app
        .manage(&stranger.session, Method::POST, &path, Some(good.clone()))
        .await;
    assert!(
        status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
        "{status} {body}"
    );
    let (_, token) = app.integration(&admin, &["opportunities.write"]).await;
    let refused = app
        .http
        .post(app.url(&path))
        .bearer_auth(&token)
        .json(&good)
        .send()
        .await
        .expect("request");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let (_, list) = app.manage(&admin.session, Method::GET, &path, None).await;
    let names: Vec<&str> = list["pipelines"]
        .as_array()
        .expect("pipelines")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(names, [STARTER_NAME], "nothing was created");
}
