//! Rate limits over HTTP: HighLevel's headers on every authenticated response, 429 with
//! `Retry-After` past the burst limit, a new window after the interval, and a daily limit shared
//! by the integrations of one location.

use std::sync::Arc;
use std::time::Duration;

use ivorey_app::ratelimit::RateLimits;
use ivorey_http::HttpConfig;
use reqwest::{Method, StatusCode};

use crate::common::{self, TestApp};

async fn app_with(limits: RateLimits) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir").keep();
    let store = ivorey_store_sqlite::SqliteStore::open(&dir.join("ivorey.db")).expect("open");
    store.migrate().await.expect("migrate");
    TestApp::start_with(
        Arc::new(store),
        HttpConfig {
            rate_limits: limits,
            ..HttpConfig::default()
        },
    )
    .await
}

async fn get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.http
        .get(app.url(path))
        .bearer_auth(token)
        .header("Version", common::VERSION)
        .send()
        .await
        .expect("request")
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn every_authenticated_response_carries_highlevel_rate_limit_headers() {
    let app = app_with(RateLimits::default()).await;
    let admin = app.new_admin("Headers").await;
    let (_, token) = app.integration(&admin, &["locations.readonly"]).await;
    let path = format!("/locations/{}", admin.location);
    let first = get(&app, &token, &path).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(header(&first, "x-ratelimit-max").as_deref(), Some("100"));
    assert_eq!(
        header(&first, "x-ratelimit-remaining").as_deref(),
        Some("99")
    );
    assert_eq!(
        header(&first, "x-ratelimit-interval-milliseconds").as_deref(),
        Some("10000")
    );
    assert_eq!(
        header(&first, "x-ratelimit-limit-daily").as_deref(),
        Some("200000")
    );
    assert_eq!(
        header(&first, "x-ratelimit-daily-remaining").as_deref(),
        Some("199999")
    );
    // A refused scope still counts as a request and still reports the limits.
    let refused = get(
        &app,
        &token,
        &format!("/contacts/?locationId={}", admin.location),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        header(&refused, "x-ratelimit-remaining").as_deref(),
        Some("98")
    );
    // Without a valid token there is nothing to count against.
    let anonymous = app
        .http
        .get(app.url(&path))
        .header("Version", common::VERSION)
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert!(header(&anonymous, "x-ratelimit-remaining").is_none());
}

#[tokio::test]
async fn past_the_burst_limit_requests_get_429_with_retry_after_until_the_window_ends() {
    let limits = RateLimits {
        burst_max: 5,
        burst_interval: Duration::from_secs(10),
        daily_max: 1000,
    };
    let app = app_with(limits).await;
    let admin = app.new_admin("Burst").await;
    let (_, token) = app.integration(&admin, &["locations.readonly"]).await;
    let (_, other) = app.integration(&admin, &["locations.readonly"]).await;
    let path = format!("/locations/{}", admin.location);
    for _ in 0..5 {
        assert_eq!(get(&app, &token, &path).await.status(), StatusCode::OK);
    }
    let limited = get(&app, &token, &path).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = header(&limited, "retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=10).contains(&retry), "{retry}");
    assert_eq!(
        header(&limited, "x-ratelimit-remaining").as_deref(),
        Some("0")
    );
    let body: serde_json::Value = limited.json().await.unwrap();
    assert_eq!(body["statusCode"], 429);
    // The burst limit is per integration: another integration of the location is unaffected.
    assert_eq!(get(&app, &other, &path).await.status(), StatusCode::OK);
    app.clock.advance(Duration::from_secs(10));
    assert_eq!(get(&app, &token, &path).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_daily_limit_is_shared_by_the_integrations_of_a_location() {
    let limits = RateLimits {
        burst_max: 100,
        burst_interval: Duration::from_secs(10),
        daily_max: 3,
    };
    let app = app_with(limits).await;
    let admin = app.new_admin("Daily").await;
    let (_, a) = app.integration(&admin, &["locations.readonly"]).await;
    let (_, b) = app.integration(&admin, &["locations.readonly"]).await;
    let path = format!("/locations/{}", admin.location);
    assert_eq!(get(&app, &a, &path).await.status(), StatusCode::OK);
    assert_eq!(get(&app, &b, &path).await.status(), StatusCode::OK);
    assert_eq!(get(&app, &a, &path).await.status(), StatusCode::OK);
    let limited = get(&app, &b, &path).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        header(&limited, "x-ratelimit-daily-remaining").as_deref(),
        Some("0")
    );
    let other = app.new_admin("Elsewhere").await;
    let (_, c) = app.integration(&other, &["locations.readonly"]).await;
    assert_eq!(
        get(&app, &c, &format!("/locations/{}", other.location))
            .await
            .status(),
        StatusCode::OK
    );
    let (status, _) = app.api(&a, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}
