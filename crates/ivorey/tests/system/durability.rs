//! `kill -9` of a server in the middle of a concurrent write load loses nothing it
//! acknowledged: after a restart on the same data (SQLite file, PostgreSQL database), every
//! contact whose `POST /contacts/` got a 2xx is there. On SQLite this rests on WAL with
//! `synchronous = NORMAL`: a commit is in the WAL (the OS's page cache) before the response,
//! which survives the process; surviving a power loss needs `FULL` (docs/operations.md). With
//! group commit a write is answered only after the commit of its group.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use crate::process::{Env, Server, VERSION};

const UNLIMITED: &str = "--rate-limit-burst 100000000 --rate-limit-daily 100000000";
/// Enough writers that SQLite's group commit carries several writes per commit.
const WRITERS: usize = 32;

async fn kill_during_writes_loses_no_acknowledged_write(env: Env) {
    let location = env.location("ops@acme.io");
    let (_, token) = env.integration(&location, "contacts.readonly,contacts.write");
    let server = env.serve(UNLIMITED).await;
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut writers = tokio::task::JoinSet::new();
    for writer in 0..WRITERS {
        let (url, token, location) = (server.url("/contacts/"), token.clone(), location.clone());
        let acknowledged = acknowledged.clone();
        writers.spawn(async move {
            let http = reqwest::Client::new();
            for n in 0.. {
                let sent = http
                    .post(&url)
                    .bearer_auth(&token)
                    .header("Version", VERSION)
                    .json(&json!({
                        "locationId": location,
                        "firstName": format!("W{writer}"),
                        "email": format!("w{writer}-{n}@load.example"),
                    }))
                    .send()
                    .await;
                // Once the server is gone, this writer is done.
                let Ok(response) = sent else { return };
                if !response.status().is_success() {
                    continue;
                }
                let Ok(body) = response.json::<Value>().await else {
                    return;
                };
                let id = body["contact"]["id"]
                    .as_str()
                    .expect("contact id")
                    .to_owned();
                acknowledged.lock().unwrap().push(id);
            }
        });
    }
    // Let the load build, then kill the server without warning.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.signal("KILL");
    writers.join_all().await;
    drop(server);
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= 20,
        "only {} writes",
        acknowledged.len()
    );

    let restarted: Server = env.serve(UNLIMITED).await;
    let http = reqwest::Client::new();
    for id in &acknowledged {
        let response = http
            .get(restarted.url(&format!("/contacts/{id}")))
            .bearer_auth(&token)
            .header("Version", VERSION)
            .send()
            .await
            .expect("request");
        assert_eq!(
            response.status(),
            200,
            "acknowledged contact {id} is missing after the restart ({} backend)",
            env.backend()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_keeps_every_acknowledged_write_through_a_kill() {
    kill_during_writes_loses_no_acknowledged_write(Env::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_keeps_every_acknowledged_write_through_a_kill() {
    match Env::postgres().await {
        Some(env) => kill_during_writes_loses_no_acknowledged_write(env).await,
        None => eprintln!("skipped: IVOREY_TEST_DATABASE_URL is not set"),
    }
}
