//! The token grant cache through the real server, on both backends: once a token's grant is
//! cached (the server answers it from memory), an edit, a rotation or a delete made through the
//! management API binds the very next request; so does one made through another store on the
//! same database (what the CLI in another process, or another node, does), and so does a change
//! to the location's rate limits, which cached grants carry; and `/metrics`
//! counts the cache's hits, misses and bypasses.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ivorey_core::audit::Actor;
use ivorey_core::integration::RotationExpiry;
use ivorey_core::{Clock, IntegrationId, LocationId};
use ivorey_store::Store;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Admin, TestApp};

on_both_backends!(
    local_changes_bind_the_next_request_with_a_warm_cache,
    metrics_count_hits_misses_and_bypasses,
);

const INVALID_TOKEN: &str = "Invalid token: access token is invalid";
const MISSING_SCOPE: &str = "The token is not authorized for this scope.";

/// The cache's counter of lookups answered from memory.
fn hits(app: &TestApp) -> u64 {
    app.store.grant_cache().expect("grant cache").stats().hits
}

/// Sends requests with `token` until one is answered from the cache (bounded).
async fn warm(app: &TestApp, admin: &Admin, token: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let before = hits(app);
        let (status, body) = list_contacts(app, admin, token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if hits(app) > before {
            return;
        }
        assert!(Instant::now() < deadline, "the token was never cached");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn list_contacts(app: &TestApp, admin: &Admin, token: &str) -> (StatusCode, Value) {
    let path = format!("/contacts/?locationId={}", admin.location);
    app.api(token, Method::GET, &path, None).await
}

async fn assert_refused(app: &TestApp, admin: &Admin, token: &str, message: &str) {
    let (status, body) = list_contacts(app, admin, token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["message"], message, "{body}");
}

async fn local_changes_bind_the_next_request_with_a_warm_cache(app: TestApp) {
    let admin = app.new_admin("Cache").await;
    let scopes = ["contacts.readonly", "contacts.write"];
    let session = &admin.session;

    // Scope removal.
    let (id, token) = app.integration(&admin, &scopes).await;
    warm(&app, &admin, &token).await;
    let body = json!({ "scopes": ["contacts.write"] });
    let path = admin.integration_path(&id);
    let (status, reply) = app.manage(session, Method::PATCH, &path, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_refused(&app, &admin, &token, MISSING_SCOPE).await;

    // Rotation with "expire now": the old token is unknown, the new one works.
    let (id, token) = app.integration(&admin, &scopes).await;
    warm(&app, &admin, &token).await;
    let rotate = format!("{}/rotate", admin.integration_path(&id));
    let body = json!({ "expire": "now" });
    let (status, reply) = app.manage(session, Method::POST, &rotate, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_refused(&app, &admin, &token, INVALID_TOKEN).await;
    let new_token = reply["token"].as_str().expect("new token");
    assert_eq!(
        list_contacts(&app, &admin, new_token).await.0,
        StatusCode::OK
    );

    // Rotation with "expire later", then ending the grace early.
    warm(&app, &admin, new_token).await;
    let body = json!({ "expire": "later" });
    let (status, reply) = app.manage(session, Method::POST, &rotate, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    warm(&app, &admin, new_token).await;
    let expire = format!("{}/expire-old-token", admin.integration_path(&id));
    let (status, reply) = app.manage(session, Method::POST, &expire, None).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_refused(&app, &admin, new_token, INVALID_TOKEN).await;

    // An integration expiry date set in the past is refused by the clock, cached or not.
    let (id, token) = app.integration(&admin, &scopes).await;
    warm(&app, &admin, &token).await;
    let soon = app.clock.now().plus(Duration::from_secs(60));
    let body = json!({ "expiresAt": soon.to_string() });
    let path = admin.integration_path(&id);
    let (status, reply) = app.manage(session, Method::PATCH, &path, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    warm(&app, &admin, &token).await;
    app.clock.advance(Duration::from_secs(61));
    let (status, body) = list_contacts(&app, &admin, &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    // IP allowlist that excludes the test client.
    let (id, token) = app.integration(&admin, &scopes).await;
    warm(&app, &admin, &token).await;
    let body = json!({ "ipAllowlist": ["10.1.2.3"] });
    let path = admin.integration_path(&id);
    let (status, reply) = app.manage(session, Method::PATCH, &path, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let (status, body) = list_contacts(&app, &admin, &token).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // Delete.
    let (id, token) = app.integration(&admin, &scopes).await;
    warm(&app, &admin, &token).await;
    let path = admin.integration_path(&id);
    let (status, reply) = app.manage(session, Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_refused(&app, &admin, &token, INVALID_TOKEN).await;
    app.stop().await;
}

async fn metrics_count_hits_misses_and_bypasses(app: TestApp) {
    let admin = app.new_admin("Metrics").await;
    let (_, token) = app.integration(&admin, &["contacts.readonly"]).await;
    warm(&app, &admin, &token).await;
    let text = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("metrics body");
    let value = |name: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} missing from:\n{text}"))
    };
    assert!(value("ivorey_token_cache_lookups_total{result=\"hit\"}") >= 1);
    assert!(value("ivorey_token_cache_lookups_total{result=\"miss\"}") >= 1);
    value("ivorey_token_cache_lookups_total{result=\"bypass\"}");
    assert!(value("ivorey_token_cache_entries") >= 1);
    assert_eq!(value("ivorey_token_cache_trusted"), 1);
    app.stop().await;
}

/// A second store on the same database stands for the CLI in another process (SQLite) or
/// another node (PostgreSQL): its changes bind the server's very next request.
async fn changes_through_another_store_bind_the_next_request(app: TestApp, other: Arc<dyn Store>) {
    let admin = app.new_admin("Other").await;
    let scopes = ["contacts.readonly", "contacts.write"];
    let actor = Actor::cli();
    let location = LocationId::parse(&admin.location).expect("location id");
    let ops = |id: &str| IntegrationId::parse(id).expect("integration id");

    let (id, token) = app.integration(&admin, &scopes).await;
    warm(&app, &admin, &token).await;
    let now = app.clock.now();
    ivorey_app::integrations::rotate(
        other.as_ref(),
        now,
        &location,
        &ops(&id),
        RotationExpiry::Now,
        &actor,
    )
    .await
    .expect("rotate elsewhere");
    refused_within(&app, &admin, &token).await;

    let (id, token) = app.integration(&admin, &scopes).await;
    warm(&app, &admin, &token).await;
    ivorey_app::integrations::delete(other.as_ref(), now, &location, &ops(&id), &actor)
        .await
        .expect("delete elsewhere");
    refused_within(&app, &admin, &token).await;

    // Grants carry the location's rate limits: the operator's change binds as quickly.
    let (_, token) = app.integration(&admin, &scopes).await;
    warm(&app, &admin, &token).await;
    let before = burst_max(&app, &admin, &token).await;
    assert_ne!(before, "3", "the test server's default burst limit");
    let own = ivorey_store::LocationRateLimits {
        burst_max: Some(3),
        daily_max: None,
    };
    ivorey_app::rate_limits::set_rate_limits(other.as_ref(), now, &location, own, None, &actor)
        .await
        .expect("set limits elsewhere");
    let started = Instant::now();
    while burst_max(&app, &admin, &token).await != "3" {
        assert!(
            app.store.backend() != "sqlite",
            "SQLite applied old limits after another process changed them"
        );
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "old limits after 1 s"
        );
    }
    app.stop().await;
}

/// The burst limit the server applied to this request (`X-RateLimit-Max`).
async fn burst_max(app: &TestApp, admin: &Admin, token: &str) -> String {
    let url = app.url(&format!("/contacts/?locationId={}", admin.location));
    let response = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .header("Version", "2021-07-28")
        .send()
        .await
        .expect("request");
    // Past a lowered limit the answer is 429, with the same headers.
    let status = response.status();
    assert!(
        status == StatusCode::OK || status == StatusCode::TOO_MANY_REQUESTS,
        "{status}"
    );
    let max = response.headers().get("x-ratelimit-max").expect("header");
    max.to_str().expect("ascii").to_owned()
}

/// SQLite: at once (the next request checks the epoch). PostgreSQL: once the notification
/// arrives, well within a second.
async fn refused_within(app: &TestApp, admin: &Admin, token: &str) {
    let started = Instant::now();
    let sqlite = app.store.backend() == "sqlite";
    loop {
        let (status, body) = list_contacts(app, admin, token).await;
        if status == StatusCode::UNAUTHORIZED {
            return;
        }
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(!sqlite, "SQLite served a token another process had revoked");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "still accepted after 1 s"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_changes_by_another_process_bind_the_next_request() {
    let dir = tempfile::tempdir().expect("temp dir").keep();
    let path = dir.join("ivorey.db");
    let server = ivorey_store_sqlite::SqliteStore::open(&path).expect("open");
    server.migrate().await.expect("migrate");
    let other = ivorey_store_sqlite::SqliteStore::open(&path).expect("open again");
    let app = TestApp::start(Arc::new(server)).await;
    changes_through_another_store_bind_the_next_request(app, Arc::new(other)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_changes_by_another_node_bind_the_next_request() {
    let Ok(url) = std::env::var("IVOREY_TEST_DATABASE_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "set IVOREY_TEST_DATABASE_URL"
        );
        eprintln!("skipped: IVOREY_TEST_DATABASE_URL is not set");
        return;
    };
    let schema = format!("t_{}", ivorey_core::random::base62(12).to_lowercase());
    let connect = || ivorey_store_postgres::PgStore::connect(&url, Some(&schema));
    let server = connect().await.expect("connect");
    server.migrate().await.expect("migrate");
    let other = connect().await.expect("connect again");
    let app = TestApp::start(Arc::new(server)).await;
    changes_through_another_store_bind_the_next_request(app, Arc::new(other)).await;
}
