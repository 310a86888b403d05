//! A token is shown once, in the response that creates it, and then never again: not in the
//! logs (captured at TRACE), not in the database (only its SHA-256 is there), not in any later
//! response. One journey (create, use on several endpoints including refused calls and
//! malformed variants, rotate later, rotate now, delete) feeds all three checks.

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::common::{Session, TestApp, VERSION};

on_both_backends!(
    the_token_never_appears_in_the_logs,
    no_response_after_creation_contains_an_earlier_token,
);

/// How a journey request authenticates: a session, a bearer token, or a raw `Authorization`
/// value (the last two with the `Version` header).
enum Auth {
    Session,
    Bearer(String),
    Raw(String),
}

/// One response of the journey, as text: status, every header, body.
#[derive(Debug)]
struct Recorded {
    /// The token this response itself issued (create and rotate), the only one it may show.
    issued: Option<String>,
    text: String,
}

/// Drives the journey and keeps what a leak check needs.
struct Journey<'a> {
    app: &'a TestApp,
    session: Session,
    location: String,
    integration: String,
    contact: String,
    /// Every token issued, oldest first.
    tokens: Vec<String>,
    responses: Vec<Recorded>,
    trace_ids: Vec<String>,
}

impl<'a> Journey<'a> {
    /// Signs in a new admin and creates the integration (contacts only, no locations scope).
    async fn start(app: &'a TestApp) -> Journey<'a> {
        let admin = app.new_admin("Secrets").await;
        let mut journey = Journey {
            app,
            session: admin.session.clone(),
            location: admin.location.clone(),
            integration: String::new(),
            contact: String::new(),
            tokens: Vec::new(),
            responses: Vec::new(),
            trace_ids: Vec::new(),
        };
        let body = json!({"name": "Leaky?", "scopes": ["contacts.readonly", "contacts.write"]});
        let created = journey.manage(Method::POST, "", Some(body), 201).await;
        journey.integration = created["integration"]["id"].as_str().unwrap().to_owned();
        journey
    }

    fn token(&self) -> String {
        self.tokens.last().expect("a token").clone()
    }

    /// Sends, checks the status, records the response (and a token it issues).
    async fn send(
        &mut self,
        method: Method,
        path: &str,
        auth: Auth,
        body: Option<Value>,
        expected: u16,
    ) -> Value {
        let request = self.app.http.request(method.clone(), self.app.url(path));
        let mut request = match auth {
            Auth::Session => request
                .header("cookie", &self.session.cookie)
                .header("x-csrf-token", &self.session.csrf),
            Auth::Bearer(token) => request.bearer_auth(token).header("Version", VERSION),
            Auth::Raw(value) => request
                .header("authorization", value)
                .header("Version", VERSION),
        };
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("journey request");
        let status = response.status();
        let mut text = format!("{method} {path}: {status}\n");
        for (name, value) in response.headers() {
            text.push_str(&format!(
                "{name}: {}\n",
                String::from_utf8_lossy(value.as_bytes())
            ));
        }
        let raw = response.text().await.expect("body");
        text.push_str(&raw);
        let value: Value = serde_json::from_str(&raw).unwrap_or_default();
        assert_eq!(status.as_u16(), expected, "{text}");
        self.trace_ids
            .extend(value["traceId"].as_str().map(str::to_owned));
        let issued = value["token"].as_str().map(str::to_owned);
        self.tokens.extend(issued.clone());
        self.responses.push(Recorded { issued, text });
        value
    }

    /// A management call on this journey's integration (`tail` is appended to its path).
    async fn manage(
        &mut self,
        method: Method,
        tail: &str,
        body: Option<Value>,
        expected: u16,
    ) -> Value {
        let mut path = format!("/manage/locations/{}/integrations", self.location);
        if !self.integration.is_empty() {
            path = format!("{path}/{}{tail}", self.integration);
        }
        self.send(method, &path, Auth::Session, body, expected)
            .await
    }

    async fn get(&mut self, path: &str, token: &str, expected: u16) {
        self.send(
            Method::GET,
            path,
            Auth::Bearer(token.into()),
            None,
            expected,
        )
        .await;
    }

    /// Create a contact, update, read, list, introspect; refused calls; malformed tokens.
    async fn use_first_token(&mut self) {
        let (token, location) = (self.token(), self.location.clone());
        let body = json!({"locationId": location, "firstName": "Sec", "email": "s@x.io"});
        let auth = Auth::Bearer(token.clone());
        let created = self
            .send(Method::POST, "/contacts/", auth, Some(body), 201)
            .await;
        self.contact = created["contact"]["id"].as_str().unwrap().to_owned();
        let contact = format!("/contacts/{}", self.contact);
        let update = Some(json!({"lastName": "Ret"}));
        self.send(
            Method::PUT,
            &contact,
            Auth::Bearer(token.clone()),
            update,
            200,
        )
        .await;
        for (path, expected) in [
            (contact.clone(), 200),
            (
                format!("/contacts/?locationId={location}&limit=1&query=sec"),
                200,
            ),
            ("/token/introspect".into(), 200),
            (format!("/locations/{location}"), 401),
            ("/contacts/?locationId=AAAAAAAAAAAAAAAAAAAA".into(), 403),
            ("/contacts/nope".into(), 400),
            (format!("/manage/locations/{location}/integrations"), 403),
        ] {
            self.get(&path, &token, expected).await;
        }
        // Malformed variants of the real token: each is refused, none is echoed.
        let mut typo = token.clone().into_bytes();
        typo[20] = if typo[20] == b'a' { b'b' } else { b'a' };
        let typo = String::from_utf8(typo).unwrap();
        for value in [
            format!("Bearer {typo}"),
            format!("Bearer {}", &token[..token.len() - 1]),
            format!("Bearer {token}x"),
            format!("Bearer {}", &token["ivorey_pit_".len()..]),
            format!("Token {token}"),
            token.clone(),
        ] {
            self.send(Method::GET, &contact, Auth::Raw(value), None, 401)
                .await;
        }
    }

    /// Everything up to (not including) the delete; ends with a third token, current.
    async fn until_delete(&mut self) {
        self.use_first_token().await;
        let contact = format!("/contacts/{}", self.contact);
        let scopes = ["contacts.readonly", "contacts.write", "locations.readonly"];
        self.manage(Method::PATCH, "", Some(json!({ "scopes": scopes })), 200)
            .await;
        let first = self.token();
        self.get(&format!("/locations/{}", self.location), &first, 200)
            .await;
        let later = Some(json!({"expire": "later"}));
        self.manage(Method::POST, "/rotate", later, 200).await;
        let second = self.token();
        for token in [&first, &second] {
            self.get(&contact, token, 200).await;
            self.get("/token/introspect", token, 200).await;
        }
        self.inspect().await;
        self.manage(Method::POST, "/rotate", Some(json!({"expire": "now"})), 200)
            .await;
        let third = self.token();
        for (token, expected) in [(&first, 401), (&second, 401), (&third, 200)] {
            self.get(&contact, token, expected).await;
        }
        self.inspect().await;
    }

    /// The admin's views: detail, usage, the list and the audit log.
    async fn inspect(&mut self) {
        self.manage(Method::GET, "", None, 200).await;
        self.manage(Method::GET, "/usage?days=7", None, 200).await;
        self.inspect_location().await;
    }

    async fn inspect_location(&mut self) {
        let location = format!("/manage/locations/{}", self.location);
        for path in [
            format!("{location}/audit-log"),
            format!("{location}/integrations"),
        ] {
            self.send(Method::GET, &path, Auth::Session, None, 200)
                .await;
        }
    }

    /// Deletes the integration, then looks at what is left.
    async fn delete(&mut self) {
        self.manage(Method::DELETE, "", None, 200).await;
        let token = self.token();
        self.get(&format!("/contacts/{}", self.contact), &token, 401)
            .await;
        self.manage(Method::GET, "", None, 404).await;
        self.inspect_location().await;
    }

    /// Each token, its body without the prefix, and the session cookie's value.
    fn secrets(&self) -> Vec<String> {
        let mut out = Vec::new();
        for token in &self.tokens {
            assert!(token.starts_with("ivorey_pit_"), "{token}");
            out.push(token.clone());
            out.push(token["ivorey_pit_".len()..].to_owned());
        }
        let (name, cookie) = self.session.cookie.split_once('=').expect("cookie");
        assert!(name == "ivorey_session" && cookie.len() >= 20, "{cookie}");
        out.push(cookie.to_owned());
        out
    }

    async fn run(app: &'a TestApp) -> Journey<'a> {
        let mut journey = Journey::start(app).await;
        journey.until_delete().await;
        journey.delete().await;
        journey
    }
}

fn assert_absent(haystack: &[u8], needles: &[String], place: &str) {
    for needle in needles {
        let found = contains(haystack, needle.as_bytes());
        assert!(!found, "{needle} found in {place}");
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The logs of this test binary, captured at TRACE while the returned guard lives. The capture
/// is the binary's one global subscriber (so it also sees what the server's threads log, and
/// `log` records: tokio-postgres); it records nothing while no log test runs, so the other
/// tests of the binary are not slowed by formatting every event, and what it records beside
/// a log test (another test's requests) only adds text the checks must not find a token in.
fn captured_logs() -> (Arc<Mutex<Vec<u8>>>, Capturing) {
    use tracing_subscriber::Layer;
    use tracing_subscriber::filter::filter_fn;
    use tracing_subscriber::fmt::format::FmtSpan;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    let logs = LOGS
        .get_or_init(|| {
            let buffer = Arc::new(Mutex::new(Vec::new()));
            let capture = tracing_subscriber::fmt::layer()
                .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE)
                .with_ansi(false)
                .with_writer({
                    let buffer = buffer.clone();
                    move || Capture(buffer.clone())
                })
                .with_filter(filter_fn(|_| CAPTURING.load(Ordering::SeqCst) > 0));
            // try_init is set_global_default plus forwarding of `log` records (tokio-postgres).
            tracing_subscriber::registry()
                .with(capture)
                .try_init()
                .expect("the only subscriber of this binary");
            buffer
        })
        .clone();
    CAPTURING.fetch_add(1, Ordering::SeqCst);
    (logs, Capturing)
}

/// How many log tests are capturing now.
static CAPTURING: AtomicUsize = AtomicUsize::new(0);

/// Capturing goes on while one of these lives.
struct Capturing;

impl Drop for Capturing {
    fn drop(&mut self) {
        CAPTURING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Appends to the shared buffer.
struct Capture(Arc<Mutex<Vec<u8>>>);

impl io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

async fn the_token_never_appears_in_the_logs(app: TestApp) {
    let (logs, _capturing) = captured_logs();
    let journey = Journey::run(&app).await;
    let (secrets, trace_ids) = (journey.secrets(), journey.trace_ids.clone());
    drop(journey);
    app.stop().await;
    let logs = logs.lock().unwrap().clone();
    assert!(!logs.is_empty(), "nothing was logged");
    // Every request of this journey was logged (its span carries the trace id).
    for id in &trace_ids {
        assert!(
            contains(&logs, id.as_bytes()),
            "request {id} is not in the logs"
        );
    }
    assert_absent(&logs, &secrets, "the logs");
}

async fn no_response_after_creation_contains_an_earlier_token(app: TestApp) {
    let journey = Journey::run(&app).await;
    assert_eq!(journey.tokens.len(), 3, "create, rotate later, rotate now");
    assert!(journey.responses.len() > 30, "{}", journey.responses.len());
    for recorded in &journey.responses {
        let others: Vec<String> = journey
            .secrets()
            .into_iter()
            .filter(|s| {
                recorded
                    .issued
                    .as_ref()
                    .is_none_or(|t| !t.contains(s.as_str()))
            })
            .collect();
        assert_absent(recorded.text.as_bytes(), &others, &recorded.text);
    }
    // The check above can fail: the responses that issued a token do show it.
    let issuing = journey.responses.iter().filter(|r| r.issued.is_some());
    for recorded in issuing {
        let token = recorded.issued.as_ref().unwrap();
        assert!(recorded.text.contains(token.as_str()), "{}", recorded.text);
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqlite_files_hold_the_tokens_sha256_and_never_the_token() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ivorey.db");
    let store = ivorey_store_sqlite::SqliteStore::open(&path).expect("open sqlite");
    store.migrate().await.expect("migrate sqlite");
    let app = TestApp::start(Arc::new(store)).await;
    let mut journey = Journey::start(&app).await;
    journey.until_delete().await;
    let hash = Sha256::digest(journey.token().as_bytes());
    assert!(
        contains(&sqlite_bytes(&path), &hash),
        "the search finds the stored hash"
    );
    journey.delete().await;
    let secrets = journey.secrets();
    drop(journey);
    app.stop().await;
    assert_absent(&sqlite_bytes(&path), &secrets, "the SQLite files");
}

/// Every byte of the database file and its write-ahead log.
fn sqlite_bytes(db: &std::path::Path) -> Vec<u8> {
    let mut bytes = std::fs::read(db).expect("read the database file");
    assert!(bytes.starts_with(b"SQLite format 3"), "not a database file");
    let wal = db.with_extension("db-wal");
    if let Ok(more) = std::fs::read(wal) {
        bytes.extend(more);
    }
    bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_postgres_tables_hold_the_tokens_sha256_and_never_the_token() {
    let Some(url) = std::env::var("IVOREY_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "set IVOREY_TEST_DATABASE_URL in CI"
        );
        return eprintln!("skipped: IVOREY_TEST_DATABASE_URL is not set");
    };
    let schema = format!("t_{}", ivorey_core::random::base62(12).to_lowercase());
    let store = ivorey_store_postgres::PgStore::connect(&url, Some(&schema))
        .await
        .expect("connect postgres");
    store.migrate().await.expect("migrate postgres");
    let app = TestApp::start(Arc::new(store)).await;
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .expect("connect for inspection");
    tokio::spawn(connection);
    let mut journey = Journey::start(&app).await;
    journey.until_delete().await;
    let hash = hex::encode(Sha256::digest(journey.token().as_bytes()));
    let dump = pg_dump(&client, &schema).await;
    assert!(dump.contains(&hash), "the search finds the stored hash");
    journey.delete().await;
    let mut secrets = journey.secrets();
    drop(journey);
    app.stop().await;
    // A bytea column reads back as hex: look for the hex of each secret too.
    secrets.extend(secrets.clone().iter().map(hex::encode));
    assert_absent(
        pg_dump(&client, &schema).await.as_bytes(),
        &secrets,
        "PostgreSQL",
    );
}

/// Every value of every column of every table of `schema`, as text (bytea as hex).
async fn pg_dump(client: &tokio_postgres::Client, schema: &str) -> String {
    let columns = client
        .query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = $1",
            &[&schema],
        )
        .await
        .expect("list columns");
    assert!(columns.len() > 20, "{} columns", columns.len());
    let mut dump = String::new();
    for column in columns {
        let (table, name): (String, String) = (column.get(0), column.get(1));
        let sql = format!(r#"SELECT "{name}"::text FROM "{schema}"."{table}""#);
        for row in client.query(&sql, &[]).await.expect("read column") {
            if let Some(value) = row.get::<_, Option<String>>(0) {
                dump.push_str(&value);
                dump.push('\n');
            }
        }
    }
    dump
}
