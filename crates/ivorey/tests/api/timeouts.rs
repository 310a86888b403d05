//! A request that outlives the configured limit is answered 503 in the API's error shape.

use std::sync::Arc;
use std::time::Duration;

use ivorey_http::HttpConfig;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::TestApp;

#[tokio::test]
async fn a_request_past_the_time_limit_gets_a_503_with_a_trace_id() {
    let dir = tempfile::tempdir().expect("temp dir").keep();
    let store = ivorey_store_sqlite::SqliteStore::open(&dir.join("ivorey.db")).expect("open");
    store.migrate().await.expect("migrate");
    // A sign-in runs argon2 (tens of milliseconds) off the async workers: far past 1 ms.
    let config = HttpConfig {
        request_timeout: Duration::from_millis(1),
        ..HttpConfig::default()
    };
    let app = TestApp::start_with(Arc::new(store), config).await;
    let response = app
        .http
        .post(app.url("/manage/login"))
        .json(&json!({"email": "someone@example.com", "password": "a long enough password"}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let trace = response.headers()["x-trace-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["statusCode"], 503);
    assert_eq!(body["traceId"], trace.as_str());
    // Quick requests are unaffected.
    let health = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}
