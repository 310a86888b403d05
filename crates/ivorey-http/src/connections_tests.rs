//! The accept loop over a real socket: a response streamed for longer than the idle limit is
//! written whole (the request is in flight until its body ends), and the connection is closed
//! as idle only after it.

use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::routing::get;
use futures_util::stream;
use ivorey_app::metrics::Metrics;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

use super::{ConnectionLimits, accept_loop};

const CHUNKS: usize = 6;
const EVERY: Duration = Duration::from_millis(250);

/// Six chunks a quarter of a second apart: 1.5 s of body, three times the idle limit.
async fn slow() -> Body {
    let chunks = stream::unfold(0, |n| async move {
        if n == CHUNKS {
            return None;
        }
        tokio::time::sleep(EVERY).await;
        Some((
            Ok::<_, std::io::Error>(Bytes::from(format!("chunk{n};"))),
            n + 1,
        ))
    });
    Body::from_stream(chunks)
}

#[tokio::test]
async fn a_body_streamed_past_the_idle_limit_is_written_whole() {
    let limits = ConnectionLimits {
        keep_alive_timeout: Duration::from_millis(500),
        header_read_timeout: Duration::from_millis(500),
        ..ConnectionLimits::default()
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new().route("/slow", get(slow));
    let server = tokio::spawn(accept_loop(
        listener,
        app,
        limits,
        Metrics::default(),
        std::future::pending(),
    ));

    let mut client = TcpStream::connect(addr).await.unwrap();
    let request = "GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n";
    client.write_all(request.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    // Read until the last chunk and the chunked body's end, or until the server closes.
    while !answer.ends_with(b"0\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(5), client.read(&mut buf))
            .await
            .expect("the server answers or closes within 5 s")
            .unwrap();
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buf[..n]);
    }
    let answer = String::from_utf8_lossy(&answer);
    for n in 0..CHUNKS {
        assert!(
            answer.contains(&format!("chunk{n};")),
            "chunk {n} missing: {answer}"
        );
    }
    assert!(answer.ends_with("0\r\n\r\n"), "the body ended: {answer}");
    assert!(started.elapsed() >= EVERY * CHUNKS as u32);

    // Once the body is written the connection is idle, and closed at the idle limit.
    let idle = Instant::now();
    let n = tokio::time::timeout(Duration::from_secs(5), client.read(&mut buf))
        .await
        .expect("closed as idle")
        .unwrap();
    assert_eq!(n, 0, "nothing more is sent");
    assert!(
        idle.elapsed() >= Duration::from_millis(400),
        "{:?}",
        idle.elapsed()
    );
    server.abort();
}
