//! The database going away: while every connection of the server is being killed (PostgreSQL
//! `pg_terminate_backend` on the `ivorey` connections, again and again for a while), requests
//! are answered 200 or 503 in the error shape, never a 500 and never internal text; when the
//! killing stops, the server recovers on its own (its pool reconnects) and answers 200 again,
//! and a write accepted during the outage is there afterwards.
//!
//! The server gets a database of its own, and only the connections to it are killed: the
//! tests beside this one (in this process, whose listeners share its `application_name`) keep
//! theirs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{self, TestApp};

/// A database created for this test, dropped when it ends (even by a panic).
struct OwnDatabase {
    /// The server's URL from `IVOREY_TEST_DATABASE_URL`, for the admin connections.
    server_url: String,
    name: String,
}

impl OwnDatabase {
    async fn create() -> Option<OwnDatabase> {
        let server_url = common::database_url()?;
        let name = format!(
            "t_outage_{}",
            ivorey_core::random::base62(12).to_lowercase()
        );
        admin_client(&server_url)
            .await
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the test database");
        Some(OwnDatabase { server_url, name })
    }

    /// The server's URL with this database in place of its own.
    fn url(&self) -> String {
        let separator = if self.server_url.contains('?') {
            '&'
        } else {
            '?'
        };
        format!("{}{separator}dbname={}", self.server_url, self.name)
    }
}

impl Drop for OwnDatabase {
    fn drop(&mut self) {
        let (url, sql) = (
            self.server_url.clone(),
            format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().expect("runtime");
            runtime.block_on(async { admin_client(&url).await.batch_execute(&sql).await })
        });
        if let Ok(Err(e)) = dropped.join() {
            eprintln!("could not drop the test database: {e}");
        }
    }
}

async fn admin_client(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect to PostgreSQL");
    tokio::spawn(connection);
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_outage_gives_503s_and_the_server_recovers_on_its_own() {
    let Some(database) = OwnDatabase::create().await else {
        eprintln!("skipped: IVOREY_TEST_DATABASE_URL is not set");
        return;
    };
    let app = TestApp::start(Arc::new(common::pg_store(&database.url()).await)).await;
    let url = database.server_url.clone();
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
    let kill_all = format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = '{}' AND application_name LIKE 'ivorey%' AND pid <> pg_backend_pid()",
        database.name
    );
    let outage_ends = Instant::now() + Duration::from_secs(2);
    let (mut served, mut unavailable) = (0, 0);
    let mut written = Vec::new();
    while Instant::now() < outage_ends {
        killer.batch_execute(&kill_all).await.expect("terminate");
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
