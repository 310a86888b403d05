//! Pipelines are made by a location's admins through the management API (HighLevel's public API
//! only reads them): what an admin creates is what a token then reads, in order; bad input is a
//! 422 naming the field; another location's admin and a token cannot create one.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::TestApp;

on_both_backends!(
    an_admin_creates_a_pipeline_that_tokens_then_read,
    bad_pipelines_and_strangers_are_refused,
);

async fn an_admin_creates_a_pipeline_that_tokens_then_read(app: TestApp) {
    let admin = app.new_admin("Pipelines").await;
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
    let pipeline = &listed["pipelines"][0];
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
    assert_eq!(mine["pipelines"][0]["id"], id.as_str());
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
    assert_eq!(list["pipelines"], json!([]), "nothing was created");
}
