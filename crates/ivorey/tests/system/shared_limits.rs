//! Rate limits shared by several `ivorey serve` processes: on one PostgreSQL database (its
//! counter table) and on one Redis (`--redis-url`), a burst limit of 10 admits exactly 10
//! requests across both nodes, and a larger one, which nodes lease a few requests of at a
//! time, is never passed; a location's own limits bind every node once the change's
//! notification has reached it;
//! and with Redis unreachable each node falls back to its own counters and says so once.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::process::{self, Env, Server, VERSION, unique};

/// A 60 s burst window, so a test's requests all fall in one window.
const LIMITS: &str = "--rate-limit-burst 10 --rate-limit-interval 60s";

/// Waits until the current 60 s window has at least 15 s left.
async fn fresh_window() {
    let now = ivorey_core::Clock::now(&ivorey_core::SystemClock).0;
    let into = now.rem_euclid(60_000);
    if into > 45_000 {
        tokio::time::sleep(Duration::from_millis((60_000 - into + 100) as u64)).await;
    }
}

/// `GET /locations/{location}` with `token`: the status and the limits in the headers.
async fn call(server: &Server, token: &str, location: &str) -> (u16, Option<u64>, Option<u64>) {
    get(
        server.url(&format!("/locations/{location}")),
        token.to_owned(),
    )
    .await
}

async fn get(url: String, token: String) -> (u16, Option<u64>, Option<u64>) {
    let response = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .header("Version", VERSION)
        .send()
        .await
        .expect("request");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
    };
    let (max, daily) = (header("x-ratelimit-max"), header("x-ratelimit-limit-daily"));
    let status = response.status().as_u16();
    if status == 429 {
        assert!(header("retry-after").is_some_and(|s| s >= 1), "Retry-After");
    }
    (status, max, daily)
}

/// Sends 20 requests at once, alternating between the nodes; returns how many got 200.
async fn burst_across(nodes: &[&Server], token: &str, location: &str) -> usize {
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..20 {
        let url = nodes[i % nodes.len()].url(&format!("/locations/{location}"));
        calls.spawn(get(url, token.to_owned()));
    }
    let results = calls.join_all().await;
    for (status, _, _) in &results {
        assert!(*status == 200 || *status == 429, "{results:?}");
    }
    results.iter().filter(|r| r.0 == 200).count()
}

async fn metrics(server: &Server) -> String {
    reqwest::get(server.url("/metrics"))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("metrics text")
}

/// A change made through another node or the CLI reaches a node's cache by PostgreSQL
/// notification (measured spread: p99 under 2 ms), not before the change's own response; the
/// test gives it this long before asserting on the other node, rather than sending requests
/// that would count against the limits under test.
const SPREAD_BOUND: Duration = Duration::from_millis(250);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_on_one_postgres_database_admit_exactly_the_burst_limit() {
    let Some(env) = Env::postgres().await else {
        return eprintln!("skipped: IVOREY_TEST_DATABASE_URL is not set");
    };
    let location = env.location("ops@acme.io");
    let (id, token) = env.integration(&location, "locations.readonly");
    let (a, b) = (env.serve(LIMITS).await, env.serve(LIMITS).await);
    fresh_window().await;
    assert_eq!(burst_across(&[&a, &b], &token, &location).await, 10);
    // The 11th and later requests are refused on either node.
    assert_eq!(call(&a, &token, &location).await.0, 429);
    assert_eq!(call(&b, &token, &location).await.0, 429);
    // Each node counts what it refused, labelled by integration.
    let refused = count(&metrics(&a).await, &id) + count(&metrics(&b).await, &id);
    assert_eq!(refused, 12, "10 of the 20 plus one more on each node");
}

/// With room for 200, each node reserves several requests per round trip (a lease): the two
/// nodes together still never admit more than 200, and refuse early by at most what each
/// reserved and did not use (a sixteenth of the room, 12 here).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_leasing_requests_never_pass_a_larger_limit() {
    let Some(env) = Env::postgres().await else {
        return eprintln!("skipped: IVOREY_TEST_DATABASE_URL is not set");
    };
    let location = env.location("ops@acme.io");
    let (_, token) = env.integration(&location, "locations.readonly");
    let limits = "--rate-limit-burst 200 --rate-limit-interval 60s";
    let (a, b) = (env.serve(limits).await, env.serve(limits).await);
    fresh_window().await;
    let mut admitted = 0;
    for _ in 0..13 {
        admitted += burst_across(&[&a, &b], &token, &location).await;
    }
    assert!(
        (176..=200).contains(&admitted),
        "{admitted} of 260 admitted"
    );
    assert_eq!(call(&a, &token, &location).await.0, 429);
    assert_eq!(call(&b, &token, &location).await.0, 429);
}

/// `ivorey_rate_limited_total{integration=id,limit="burst"}` in a metrics text.
fn count(metrics: &str, integration: &str) -> u64 {
    let prefix =
        format!("ivorey_rate_limited_total{{integration=\"{integration}\",limit=\"burst\"}} ");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map_or(0, |n| n.trim().parse().expect("a count"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_on_one_redis_admit_exactly_the_burst_limit() {
    let Some(redis) = process::redis_url() else {
        return eprintln!("skipped: no Redis (set IVOREY_TEST_REDIS_URL)");
    };
    // Two nodes on one SQLite file: only Redis can make them share the count.
    let env = Env::sqlite();
    let location = env.location("ops@acme.io");
    let (_, token) = env.integration(&location, "locations.readonly");
    let redis = format!(
        "{LIMITS} --redis-url {redis} --redis-key-prefix {}:",
        unique("ivorey_test")
    );
    let (a, b) = (env.serve(&redis).await, env.serve(&redis).await);
    fresh_window().await;
    assert_eq!(burst_across(&[&a, &b], &token, &location).await, 10);
    assert_eq!(call(&a, &token, &location).await.0, 429);
    assert_eq!(call(&b, &token, &location).await.0, 429);
    let log = a.log();
    assert!(
        log.contains("rate limits") && log.contains("redis"),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locations_own_limits_bind_every_node_once_notified() {
    let Some(env) = Env::postgres().await else {
        return eprintln!("skipped: IVOREY_TEST_DATABASE_URL is not set");
    };
    let location = env.location("ops@acme.io");
    let (_, token) = env.integration(&location, "locations.readonly");
    let (a, b) = (env.serve(LIMITS).await, env.serve(LIMITS).await);
    fresh_window().await;
    assert_eq!(
        call(&b, &token, &location).await,
        (200, Some(10), Some(200_000))
    );

    // The operator's command: any value, applied by node B once notified.
    env.ok(&format!(
        "admin set-rate-limits --location {location} --burst 3 --daily 50000"
    ));
    tokio::time::sleep(SPREAD_BOUND).await;
    assert_eq!(
        call(&b, &token, &location).await,
        (200, Some(3), Some(50_000))
    );
    assert_eq!(
        call(&a, &token, &location).await,
        (200, Some(3), Some(50_000))
    );
    assert_eq!(
        call(&b, &token, &location).await.0,
        429,
        "4th request, burst of 3"
    );

    // An admin through node A's management API may tighten, not raise.
    let session = sign_in(&a, "ops@acme.io").await;
    let path = format!("/manage/locations/{location}/rate-limits");
    let (status, body) = manage(&a, &session, Method::PUT, &path, json!({ "burstMax": 500 })).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["message"][0].as_str().unwrap().contains("burstMax"),
        "{body}"
    );
    let (status, body) = manage(&a, &session, Method::PUT, &path, json!({ "dailyMax": 7 })).await;
    assert_eq!(status, 200, "{body}");
    tokio::time::sleep(SPREAD_BOUND).await;
    assert_eq!(
        body["rateLimits"]["burstMax"], 10,
        "burst back to the default"
    );
    assert_eq!(body["rateLimits"]["dailyMax"], 7);
    assert_eq!(body["rateLimits"]["own"]["burstMax"], Value::Null);
    let (status, _, daily) = call(&b, &token, &location).await;
    assert_eq!((status, daily), (200, Some(7)));
    // 4 counted today (the refused one was not): 3 more, then the daily limit refuses.
    let statuses = [
        call(&a, &token, &location).await.0,
        call(&b, &token, &location).await.0,
        call(&a, &token, &location).await.0,
        call(&b, &token, &location).await.0,
        call(&a, &token, &location).await.0,
    ];
    assert_eq!(statuses, [200, 200, 200, 429, 429], "{statuses:?}");
    // Without the CSRF header the change is refused.
    let response = reqwest::Client::new()
        .put(a.url(&path))
        .header("cookie", &session.0)
        .json(&json!({ "dailyMax": 1 }))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 403);
}

async fn sign_in(server: &Server, email: &str) -> (String, String) {
    let response = reqwest::Client::new()
        .post(server.url("/manage/login"))
        .json(&json!({ "email": email, "password": process::PASSWORD }))
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), 200);
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .expect("session cookie");
    let body: Value = response.json().await.expect("login body");
    (cookie, body["csrfToken"].as_str().expect("csrf").to_owned())
}

async fn manage(
    server: &Server,
    session: &(String, String),
    method: Method,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let response = reqwest::Client::new()
        .request(method, server.url(path))
        .header("cookie", &session.0)
        .header("x-csrf-token", &session.1)
        .json(&body)
        .send()
        .await
        .expect("manage request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_unreachable_a_node_limits_on_its_own_and_logs_it_once() {
    let env = Env::sqlite();
    let location = env.location("ops@acme.io");
    let (_, token) = env.integration(&location, "locations.readonly");
    // Port 1 refuses connections at once.
    let server = env
        .serve(&format!("{LIMITS} --redis-url redis://127.0.0.1:1"))
        .await;
    fresh_window().await;
    assert_eq!(burst_across(&[&server], &token, &location).await, 10);
    assert_eq!(call(&server, &token, &location).await.0, 429);
    let metrics = metrics(&server).await;
    let errors = metrics
        .lines()
        .find_map(|l| l.strip_prefix("ivorey_rate_limit_backend_errors_total{backend=\"redis\"} "))
        .map_or(0, |n| n.trim().parse::<u64>().expect("count"));
    assert!(errors >= 1, "{metrics}");
    let log = server.log();
    assert_eq!(
        log.matches("shared rate-limit counters are unreachable")
            .count(),
        1,
        "{log}"
    );
}
