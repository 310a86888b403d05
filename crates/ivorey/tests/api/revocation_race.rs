//! Revocation under load, on both backends: while 50 request loops use a token, an admin
//! deletes the integration (or rotates with "expire now", or removes the scope). No request sent
//! after the revoking response came back may succeed, and every one of them gets a 401.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Admin, TestApp, VERSION};

on_both_backends!(
    no_request_sent_after_a_delete_returned_succeeds,
    no_request_sent_after_a_rotation_with_expire_now_returned_succeeds,
    no_request_sent_after_the_scope_was_removed_succeeds,
);

/// Concurrent request loops.
const LOOPS: usize = 50;
/// Successful requests to see before revoking, so the loops are really running.
const WARM_UP_SUCCESSES: usize = 2 * LOOPS;
/// Requests per loop at most, whatever happens.
const MAX_PER_LOOP: usize = 5_000;
/// How long the loops go on after the revoke returned...
const AFTER_REVOKE: Duration = Duration::from_millis(300);
/// ...and how many requests each sends after it at least, however slow the machine.
const SENT_AFTER_REVOKE: usize = 2;
/// Loops stop by themselves if the revoke never comes (the test then fails on its asserts).
const SAFETY_STOP: Duration = Duration::from_secs(60);

const INVALID_TOKEN: &str = "Invalid token: access token is invalid";
const MISSING_SCOPE: &str = "The token is not authorized for this scope.";

#[derive(Debug, Clone, Copy)]
enum Revocation {
    Delete,
    RotateExpireNow,
    RemoveScope,
}

/// One request of one loop.
#[derive(Debug, Clone)]
struct Sample {
    sent: Instant,
    received: Instant,
    status: StatusCode,
    message: Option<String>,
}

/// What the loops share: when the revoke returned, and how many requests have succeeded.
#[derive(Debug)]
struct Shared {
    started: Instant,
    revoked: OnceLock<Instant>,
    successes: AtomicUsize,
}

impl Shared {
    fn should_stop(&self, samples: &[Sample]) -> bool {
        match self.revoked.get() {
            Some(&at) => {
                let sent_after = samples.iter().rev().take_while(|s| s.sent > at).count();
                at.elapsed() > AFTER_REVOKE && sent_after >= SENT_AFTER_REVOKE
            }
            None => self.started.elapsed() > SAFETY_STOP,
        }
    }
}

async fn no_request_sent_after_a_delete_returned_succeeds(app: TestApp) {
    race(app, Revocation::Delete).await;
}

async fn no_request_sent_after_a_rotation_with_expire_now_returned_succeeds(app: TestApp) {
    race(app, Revocation::RotateExpireNow).await;
}

async fn no_request_sent_after_the_scope_was_removed_succeeds(app: TestApp) {
    race(app, Revocation::RemoveScope).await;
}

async fn race(app: TestApp, how: Revocation) {
    let admin = app.new_admin("Race").await;
    let (id, token) = app
        .integration(&admin, &["contacts.readonly", "contacts.write"])
        .await;
    let contact = app.contact(&token, &admin.location, "Racer").await;
    let url = app.url(&format!("/contacts/{contact}"));
    let shared = Arc::new(Shared {
        started: Instant::now(),
        revoked: OnceLock::new(),
        successes: AtomicUsize::new(0),
    });
    let loops: Vec<_> = (0..LOOPS)
        .map(|_| {
            tokio::spawn(request_loop(
                app.http.clone(),
                url.clone(),
                token.clone(),
                shared.clone(),
            ))
        })
        .collect();

    wait_for_warm_up(&shared).await;
    let (status, body) = revoke(&app, &admin, &id, how).await;
    // Taken once the whole response (body included) has arrived.
    let revoked = Instant::now();
    shared.revoked.set(revoked).expect("revoked once");
    assert_eq!(status, StatusCode::OK, "{body}");

    let mut samples = Vec::new();
    for handle in loops {
        samples.extend(handle.await.expect("request loop"));
    }
    check(&samples, revoked, how);
    // The token stays refused once the dust has settled.
    let (status, body) = app
        .api(&token, Method::GET, &format!("/contacts/{contact}"), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    app.stop().await;
}

/// Bounded wait until the loops have had some successes.
async fn wait_for_warm_up(shared: &Shared) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while shared.successes.load(Ordering::SeqCst) < WARM_UP_SUCCESSES {
        assert!(
            Instant::now() < deadline,
            "the loops got only {} successes in 30 s",
            shared.successes.load(Ordering::SeqCst)
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn revoke(app: &TestApp, admin: &Admin, id: &str, how: Revocation) -> (StatusCode, Value) {
    let path = admin.integration_path(id);
    let session = &admin.session;
    match how {
        Revocation::Delete => app.manage(session, Method::DELETE, &path, None).await,
        Revocation::RotateExpireNow => {
            let rotate = format!("{path}/rotate");
            let body = json!({"expire": "now"});
            app.manage(session, Method::POST, &rotate, Some(body)).await
        }
        Revocation::RemoveScope => {
            let body = json!({"scopes": ["contacts.write"]});
            app.manage(session, Method::PATCH, &path, Some(body)).await
        }
    }
}

async fn request_loop(
    http: reqwest::Client,
    url: String,
    token: String,
    shared: Arc<Shared>,
) -> Vec<Sample> {
    let mut samples = Vec::new();
    while samples.len() < MAX_PER_LOOP && !shared.should_stop(&samples) {
        let sent = Instant::now();
        let response = http
            .get(&url)
            .bearer_auth(&token)
            .header("Version", VERSION)
            .send()
            .await
            .expect("request");
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let received = Instant::now();
        if status == StatusCode::OK {
            shared.successes.fetch_add(1, Ordering::SeqCst);
        }
        samples.push(Sample {
            sent,
            received,
            status,
            message: body["message"].as_str().map(str::to_owned),
        });
    }
    samples
}

fn check(samples: &[Sample], revoked: Instant, how: Revocation) {
    let expected_message = match how {
        Revocation::Delete | Revocation::RotateExpireNow => INVALID_TOKEN,
        Revocation::RemoveScope => MISSING_SCOPE,
    };
    let unexpected: Vec<_> = samples
        .iter()
        .filter(|s| ![StatusCode::OK, StatusCode::UNAUTHORIZED].contains(&s.status))
        .collect();
    assert!(unexpected.is_empty(), "neither 200 nor 401: {unexpected:?}");

    let answered_before = samples
        .iter()
        .filter(|s| s.received < revoked && s.status == StatusCode::OK)
        .count();
    assert!(
        answered_before >= WARM_UP_SUCCESSES,
        "only {answered_before} successes before the revoke"
    );

    let after: Vec<_> = samples.iter().filter(|s| s.sent > revoked).collect();
    assert!(
        after.len() >= LOOPS * SENT_AFTER_REVOKE,
        "only {} requests were sent after the revoke",
        after.len()
    );
    let succeeded: Vec<_> = after
        .iter()
        .filter(|s| s.status == StatusCode::OK)
        .map(|s| s.sent - revoked)
        .collect();
    assert!(
        succeeded.is_empty(),
        "{} of {} requests sent after the revoke succeeded (sent this long after it: {:?})",
        succeeded.len(),
        after.len(),
        &succeeded[..succeeded.len().min(10)]
    );
    for sample in &after {
        assert_eq!(sample.status, StatusCode::UNAUTHORIZED, "{sample:?}");
        assert_eq!(
            sample.message.as_deref(),
            Some(expected_message),
            "{sample:?}"
        );
    }
    // Requests that overlapped the revoke may go either way; none is answered before it is sent.
    assert!(samples.iter().all(|s| s.received >= s.sent));
}
