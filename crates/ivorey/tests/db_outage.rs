//! The database going away: while every connection of the server is being killed (PostgreSQL
//! `pg_terminate_backend` on the `ivorey` connections, again and again for a while), requests
//! are answered 200 or 503 in the error shape, never a 500 and never internal text; when the
//! killing stops, the server recovers on its own (its pool reconnects) and answers 200 again,
//! and a write accepted during the outage is there afterwards.

mod common;

use std::time::{Duration, Instant};

use common::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_outage_gives_503s_and_the_server_recovers_on_its_own() {
    let Some(app) = TestApp::postgres().await else {
        eprintln!("skipped: IVOREY_TEST_DATABASE_URL is not set");
        return;
    };
    let url = std::env::var("IVOREY_TEST_DATABASE_URL").expect("url");
    let admin = app.new_admin("Outage").await;
    let (_, token) = app
        .integration(&admin, &["contacts.readonly", "contacts.write"])
        .await;
    let contact = app.contact(&token, &admin.location, "Before").await;
    let read = format!("/contacts/{contact}");

    let (killer, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .expect("connect the killer");
    tokio::spawn(connection);
    let kill_all = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                    WHERE application_name LIKE 'ivorey%' AND pid <> pg_backend_pid()";
    let outage_ends = Instant::now() + Duration::from_secs(2);
    let (mut served, mut unavailable) = (0, 0);
    let mut written = Vec::new();
    while Instant::now() < outage_ends {
        killer.batch_execute(kill_all).await.expect("terminate");
        let (status, body) = app.api(&token, Method::GET, &read, None).await;
        match status {
            StatusCode::OK => served += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                unavailable += 1;
                assert_eq!(body["statusCode"], 503, "{body}");
                let text = body.to_string().to_lowercase();
                for internal in ["sqlstate", "terminat", "postgres", "connection"] {
                    assert!(!text.contains(internal), "internal text leaked: {body}");
                }
            }
            other => panic!("during the outage: {other} {body}"),
        }
        let create = json!({"locationId": admin.location, "firstName": "During"});
        let (status, body) = app
            .api(&token, Method::POST, "/contacts/", Some(create))
            .await;
        match status {
            StatusCode::CREATED => {
                written.push(body["contact"]["id"].as_str().expect("id").to_owned())
            }
            StatusCode::SERVICE_UNAVAILABLE => unavailable += 1,
            other => panic!("a write during the outage: {other} {body}"),
        }
    }
    assert!(
        unavailable > 0,
        "the outage was noticed ({served} reads served)"
    );

    // Recovery, with nobody restarting anything.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, body) = app.api(&token, Method::GET, &read, None).await;
        if status == StatusCode::OK {
            assert_eq!(body["contact"]["firstName"], "Before");
            break;
        }
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert!(Instant::now() < deadline, "no recovery within 10 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for id in &written {
        let (status, body) = app
            .api(&token, Method::GET, &format!("/contacts/{id}"), None)
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "an acknowledged write is kept: {body}"
        );
    }
    let (status, _) = app.api(&token, Method::GET, "/healthz", None).await;
    assert_eq!(status, StatusCode::OK);
    app.stop().await;
}
