//! Graceful shutdown of `ivorey serve` on SIGTERM: requests already received finish with their
//! normal response, the listening socket closes at once (new connections are refused), and the
//! process exits 0. The slow requests are real ones: `POST /contacts/` whose client is still
//! sending the body when the signal arrives.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::process::{Env, VERSION};

const IN_FLIGHT: usize = 5;

async fn in_flight_requests_finish_and_new_ones_are_refused(env: Env) {
    let location = env.location("ops@acme.io");
    let (_, token) = env.integration(&location, "contacts.readonly,contacts.write");
    let mut server = env.serve("").await;

    // Each request: headers and half of the body now, the rest after the signal.
    let mut streams = Vec::new();
    for i in 0..IN_FLIGHT {
        let body = json!({ "locationId": location, "firstName": format!("Slow {i}") }).to_string();
        let (first, rest) = body.split_at(body.len() / 2);
        let head = format!(
            "POST /contacts/ HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
             Version: {VERSION}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{first}",
            server.address,
            body.len()
        );
        let mut stream = TcpStream::connect(&server.address).await.expect("connect");
        stream.write_all(head.as_bytes()).await.expect("send head");
        streams.push((stream, rest.to_owned()));
    }
    // The server has read the headers and is waiting for the bodies.
    tokio::time::sleep(Duration::from_millis(500)).await;
    server.signal("TERM");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let refused = TcpStream::connect(&server.address).await;
    assert!(
        refused.is_err(),
        "a new connection was accepted after SIGTERM"
    );
    assert!(
        server.wait_exit(Duration::ZERO).await.is_none(),
        "the process must wait for its in-flight requests"
    );

    for (mut stream, rest) in streams {
        stream
            .write_all(rest.as_bytes())
            .await
            .expect("send the rest");
        let mut response = String::new();
        tokio::time::timeout(
            Duration::from_secs(10),
            stream.read_to_string(&mut response),
        )
        .await
        .expect("the response came")
        .expect("read the response");
        assert!(response.starts_with("HTTP/1.1 201"), "{response}");
        let body = response.split("\r\n\r\n").nth(1).unwrap_or_default();
        let body: Value = serde_json::from_str(body).expect("a JSON body");
        assert!(body["contact"]["id"].is_string(), "{body}");
    }
    let status = server
        .wait_exit(Duration::from_secs(15))
        .await
        .expect("the server exited after its last request");
    assert!(
        status.success(),
        "exit status {status:?}:\n{}",
        server.log()
    );
    assert!(server.log().contains("Ivorey stopped"), "{}", server.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_server_finishes_in_flight_requests_on_sigterm() {
    in_flight_requests_finish_and_new_ones_are_refused(Env::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_server_finishes_in_flight_requests_on_sigterm() {
    match Env::postgres().await {
        Some(env) => in_flight_requests_finish_and_new_ones_are_refused(env).await,
        None => eprintln!("skipped: IVOREY_TEST_DATABASE_URL is not set"),
    }
}
