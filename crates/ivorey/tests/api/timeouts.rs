//! Time limits, over real sockets: a request that outlives the configured limit is answered 503
//! in the API's error shape; silent, slow-header and idle connections are closed at their limits;
//! a slow body is answered 408; and the connection cap keeps `/healthz` answering under a low
//! open-file limit.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ivorey_http::{ConnectionLimits, HttpConfig};
use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

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

/// A server with short connection limits, and the time each close took.
async fn limited_app() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir").keep();
    let store = ivorey_store_sqlite::SqliteStore::open(&dir.join("ivorey.db")).expect("open");
    store.migrate().await.expect("migrate");
    let config = HttpConfig {
        connections: ConnectionLimits {
            header_read_timeout: HEADER_LIMIT,
            keep_alive_timeout: IDLE_LIMIT,
            body_read_timeout: BODY_LIMIT,
            ..ConnectionLimits::default()
        },
        ..HttpConfig::default()
    };
    TestApp::start_with(Arc::new(store), config).await
}

const HEADER_LIMIT: Duration = Duration::from_millis(800);
const IDLE_LIMIT: Duration = Duration::from_millis(1600);
const BODY_LIMIT: Duration = Duration::from_millis(1000);
/// Scheduling slack on a loaded 2-core machine.
const SLACK: Duration = Duration::from_millis(700);

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .expect("connect")
}

/// Reads until the server closes the connection; what it sent, and when it closed.
async fn until_closed(stream: &mut TcpStream) -> (String, Instant) {
    let mut seen = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut seen));
    match read.await {
        Ok(Ok(_)) | Ok(Err(_)) => (String::from_utf8_lossy(&seen).into_owned(), Instant::now()),
        Err(_) => panic!(
            "still open after 20 s; got {:?}",
            String::from_utf8_lossy(&seen)
        ),
    }
}

fn within(elapsed: Duration, limit: Duration, what: &str) {
    eprintln!(
        "{what}: closed after {} ms (limit {} ms)",
        elapsed.as_millis(),
        limit.as_millis()
    );
    assert!(
        elapsed + Duration::from_millis(50) >= limit,
        "{what}: too early, {elapsed:?}"
    );
    assert!(elapsed <= limit + SLACK, "{what}: too late, {elapsed:?}");
}

#[tokio::test]
async fn silent_and_slow_header_connections_are_closed_at_the_header_limit() {
    let app = limited_app().await;
    let mut silent = connect(&app).await;
    let started = Instant::now();
    let (sent, closed) = until_closed(&mut silent).await;
    assert_eq!(
        sent, "",
        "nothing is answered to a connection that sent nothing"
    );
    within(closed - started, HEADER_LIMIT, "silent connection");
    // A head trickled a byte every 100 ms never completes within the limit: closed all the same.
    let mut slow = connect(&app).await;
    let started = Instant::now();
    let head =
        b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let trickle = async {
        for byte in head {
            if slow.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let _ = tokio::time::timeout(HEADER_LIMIT + SLACK, trickle).await;
    let (sent, closed) = until_closed(&mut slow).await;
    assert_eq!(sent, "", "{sent}");
    within(closed - started, HEADER_LIMIT, "slow header");
    // An honest client is not affected.
    let health = app
        .http
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_at_the_idle_limit() {
    let app = limited_app().await;
    let mut stream = connect(&app).await;
    let request = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
    stream.write_all(request).await.expect("write");
    let mut answer = vec![0; 4096];
    let n = stream.read(&mut answer).await.expect("read");
    let answered = Instant::now();
    assert!(
        answer[..n].starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&answer[..n])
    );
    // Kept alive: a second request on it is served.
    stream.write_all(request).await.expect("write");
    let n = stream.read(&mut answer).await.expect("read");
    let answered_again = Instant::now();
    assert!(answer[..n].starts_with(b"HTTP/1.1 200"));
    assert!(answered_again - answered < IDLE_LIMIT);
    let (rest, closed) = until_closed(&mut stream).await;
    assert_eq!(rest, "");
    within(
        closed - answered_again,
        IDLE_LIMIT,
        "idle kept-alive connection",
    );
}

#[tokio::test]
async fn a_slow_body_is_answered_408_in_the_error_shape_and_its_connection_closed() {
    let app = limited_app().await;
    let mut stream = connect(&app).await;
    let head = "POST /manage/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n";
    let started = Instant::now();
    stream.write_all(head.as_bytes()).await.expect("write");
    stream.write_all(br#"{"email": "#).await.expect("write");
    // A byte every 200 ms: the body would take 40 s; the request time limit is 30 s.
    let (mut reader, mut writer) = stream.split();
    let trickle = async {
        loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if writer.write_all(b" ").await.is_err() {
                return;
            }
        }
    };
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(BODY_LIMIT + SLACK, async {
        tokio::select! {
            () = trickle => {}
            _ = reader.read_to_end(&mut answer) => {}
        }
    })
    .await;
    let elapsed = started.elapsed();
    // The write may have failed first: read whatever the answer still holds.
    let _ = tokio::time::timeout(SLACK, stream.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    within(elapsed, BODY_LIMIT, "slow body");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.to_lowercase().contains("connection: close"),
        "{answer}"
    );
    let trace = answer
        .lines()
        .find_map(|l| {
            l.to_lowercase()
                .strip_prefix("x-trace-id: ")
                .map(str::to_owned)
        })
        .expect("trace id header");
    let body: serde_json::Value =
        serde_json::from_str(answer.split("\r\n\r\n").nth(1).expect("body")).expect("JSON");
    assert_eq!(body["statusCode"], 408, "{body}");
    assert_eq!(body["error"], "Request Timeout", "{body}");
    assert_eq!(body["traceId"], trace.trim(), "{body}");
    let metrics = app.http.get(app.url("/metrics")).send().await.unwrap();
    let metrics = metrics.text().await.unwrap();
    assert!(
        metrics.contains("ivorey_connections_closed_total{reason=\"body_timeout\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("ivorey_connections_closed_total{reason=\"header_timeout\"} 0"));
}

/// `ivorey serve` under a 256-file limit (prlimit), with time limits far longer than the test:
/// many held idle connections cannot starve it, because the cap derived from the limit (128)
/// keeps descriptors free and idle connections are closed to make room; `/healthz` answers
/// throughout. A cap configured above the file limit shows what the default prevents: accepting
/// fails with EMFILE, which is logged and counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_answers_while_many_idle_connections_are_held_under_a_low_file_limit() {
    if std::process::Command::new("prlimit")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: prlimit is not installed");
        return;
    }
    let held = 400;
    let server = Serve::start(&[]).await;
    let mut idle = hold(&server.address, held).await;
    for round in 0..5 {
        let started = Instant::now();
        let health = server.http.get(server.url("/healthz")).send().await;
        let status = health.map(|r| r.status());
        eprintln!(
            "healthz #{round} with {held} held: {status:?} in {} ms",
            started.elapsed().as_millis()
        );
        assert_eq!(status.ok(), Some(StatusCode::OK), "log:\n{}", server.log());
        assert!(started.elapsed() < Duration::from_secs(3));
    }
    let closed = count_closed(&mut idle).await;
    eprintln!("{closed} of {held} held connections were closed to make room");
    assert!(closed > 0);
    let metrics = server
        .http
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("ivorey_accept_errors_total 0"),
        "{metrics}"
    );
    assert!(
        !metrics.contains("ivorey_connections_at_capacity_total 0"),
        "{metrics}"
    );
    drop(idle);
    // The cap lifted above the limit: accepting fails, and says so.
    let server = Serve::start(&["--max-connections", "100000"]).await;
    let idle = hold(&server.address, held).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !server.log().contains("accepting connections failed") {
        assert!(
            Instant::now() < deadline,
            "nothing logged:\n{}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(idle);
    let deadline = Instant::now() + Duration::from_secs(10);
    let metrics = loop {
        if let Ok(r) = server.http.get(server.url("/metrics")).send().await {
            break r.text().await.unwrap();
        }
        assert!(
            Instant::now() < deadline,
            "did not recover:\n{}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        !metrics.contains("ivorey_accept_errors_total 0"),
        "{metrics}"
    );
}

/// Opens `n` connections that send nothing (as many as the backlog takes).
async fn hold(address: &str, n: usize) -> Vec<TcpStream> {
    let mut held = Vec::with_capacity(n);
    for _ in 0..n {
        match tokio::time::timeout(Duration::from_secs(2), TcpStream::connect(address)).await {
            Ok(Ok(stream)) => held.push(stream),
            _ => break,
        }
    }
    assert!(held.len() >= n / 2, "only {} connections", held.len());
    held
}

/// How many of `streams` the server closed (read EOF or reset at once).
async fn count_closed(streams: &mut [TcpStream]) -> usize {
    let mut closed = 0;
    for stream in streams {
        let mut byte = [0u8; 1];
        let read = tokio::time::timeout(Duration::from_millis(5), stream.read(&mut byte)).await;
        if matches!(read, Ok(Ok(0)) | Ok(Err(_))) {
            closed += 1;
        }
    }
    closed
}

/// `ivorey serve` as a child under `prlimit --nofile=256`, killed when dropped.
struct Serve {
    child: std::process::Child,
    address: String,
    log: std::path::PathBuf,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Serve {
    async fn start(extra: &[&str]) -> Serve {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let address = format!("127.0.0.1:{port}");
        let log = dir.path().join("serve.log");
        let mut command = std::process::Command::new("prlimit");
        command.args(["--nofile=256:256", "--", env!("CARGO_BIN_EXE_ivorey")]);
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("IVOREY_") {
                command.env_remove(key);
            }
        }
        command.arg("--data-dir").arg(dir.path());
        command.args([
            "serve",
            "--listen",
            &address,
            "--header-read-timeout",
            "60s",
        ]);
        command.args(["--keep-alive-timeout", "60s"]).args(extra);
        let child = command
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log"))
            .spawn()
            .expect("start prlimit ivorey serve");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .pool_max_idle_per_host(0)
            .build()
            .expect("client");
        let server = Serve {
            child,
            address,
            log,
            http,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !server
            .http
            .get(server.url("/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            assert!(Instant::now() < deadline, "no /healthz:\n{}", server.log());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
