//! The test harness: the real server on a free port of 127.0.0.1 with a fresh database (a new
//! SQLite file, or a new PostgreSQL schema), an injectable clock, and helpers that act as an
//! admin in the browser (session cookie + CSRF) or as an external tool (bearer token).

use std::sync::Arc;
use std::time::Duration;

use ivorey_app::ratelimit::RateLimits;
use ivorey_core::{Clock, ManualClock, SystemClock};
use ivorey_http::{AppState, HttpConfig};
use ivorey_store::Store;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub const VERSION: &str = "2021-07-28";
pub const PASSWORD: &str = "correct horse battery staple";

/// Runs each named `async fn(TestApp)` once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::$case($crate::common::TestApp::sqlite().await).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    match $crate::common::TestApp::postgres().await {
                        Some(app) => super::$case(app).await,
                        None => eprintln!("skipped: IVOREY_TEST_DATABASE_URL is not set"),
                    }
                }
            )*
        }
    };
}

/// A running server and a way to reach it.
pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub clock: ManualClock,
    pub store: Arc<dyn Store>,
    pub state: AppState,
    pub config: HttpConfig,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir").keep();
        let store =
            ivorey_store_sqlite::SqliteStore::open(&dir.join("ivorey.db")).expect("open sqlite");
        store.migrate().await.expect("migrate sqlite");
        Self::start(Arc::new(store)).await
    }

    /// `None` when `IVOREY_TEST_DATABASE_URL` is unset outside CI; in CI that is a failure.
    pub async fn postgres() -> Option<TestApp> {
        let url = database_url()?;
        let store = pg_store(&url).await;
        Some(Self::start(Arc::new(store)).await)
    }

    /// The default configuration, except rate limits high enough for load-style tests;
    /// `rate_limits.rs` tests the real limits with `start_with`.
    pub async fn start(store: Arc<dyn Store>) -> TestApp {
        let unlimited = RateLimits {
            burst_max: 1 << 40,
            daily_max: 1 << 40,
            ..RateLimits::default()
        };
        Self::start_with(
            store,
            HttpConfig {
                rate_limits: unlimited,
                ..HttpConfig::default()
            },
        )
        .await
    }

    pub async fn start_with(store: Arc<dyn Store>, config: HttpConfig) -> TestApp {
        let clock = ManualClock::starting_at(SystemClock.now());
        let state = AppState::new(store.clone(), Arc::new(clock.clone()), config.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(ivorey_http::serve(listener, state.clone(), async move {
            let _ = rx.await;
        }));
        TestApp {
            base,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            clock,
            store,
            state,
            config,
            shutdown: Some(tx),
            server: Some(server),
        }
    }

    /// Stops accepting, waits for in-flight requests and the final usage flush.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server result");
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Creates a location with a new admin and signs that admin in.
    pub async fn new_admin(&self, business: &str) -> Admin {
        let email = format!(
            "{}@example.com",
            ivorey_core::random::base62(10).to_lowercase()
        );
        let created = ivorey_app::accounts::create_location(
            self.store.as_ref(),
            self.clock.now(),
            ivorey_core::location::BusinessProfile {
                name: business.into(),
                ..Default::default()
            },
            &email,
            None,
            Some(PASSWORD),
        )
        .await
        .expect("create location");
        let session = self.sign_in(&email, PASSWORD).await;
        Admin {
            location: created.location.id.to_string(),
            email,
            session,
        }
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Session {
        let response = self
            .http
            .post(self.url("/manage/login"))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .expect("login request");
        assert_eq!(response.status(), StatusCode::OK, "login as {email}");
        let cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .expect("session cookie")
            .to_owned();
        let body: Value = response.json().await.expect("login body");
        Session {
            cookie,
            csrf: body["csrfToken"].as_str().expect("csrf").to_owned(),
        }
    }

    /// A management API call as a signed-in user (cookie and CSRF header).
    pub async fn manage(
        &self,
        session: &Session,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, self.url(path))
            .header("cookie", &session.cookie)
            .header("x-csrf-token", &session.csrf);
        if let Some(body) = body {
            request = request.json(&body);
        }
        into_parts(request.send().await.expect("manage request")).await
    }

    /// A public API call with a token and the `Version` header.
    pub async fn api(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, self.url(path))
            .bearer_auth(token)
            .header("Version", VERSION);
        if let Some(body) = body {
            request = request.json(&body);
        }
        into_parts(request.send().await.expect("api request")).await
    }

    /// Creates an integration as `admin`; returns its id and token.
    pub async fn integration(&self, admin: &Admin, scopes: &[&str]) -> (String, String) {
        let (status, body) = self
            .manage(
                &admin.session,
                Method::POST,
                &format!("/manage/locations/{}/integrations", admin.location),
                Some(json!({ "name": "Test tool", "scopes": scopes })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        (
            body["integration"]["id"].as_str().expect("id").to_owned(),
            body["token"].as_str().expect("token").to_owned(),
        )
    }

    /// Creates a contact through the API with a token that has `contacts.write`.
    pub async fn contact(&self, token: &str, location: &str, first_name: &str) -> String {
        let (status, body) = self
            .api(
                token,
                Method::POST,
                "/contacts/",
                Some(json!({ "locationId": location, "firstName": first_name })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["contact"]["id"]
            .as_str()
            .expect("contact id")
            .to_owned()
    }
}

/// `IVOREY_TEST_DATABASE_URL`; `None` when it is unset outside CI, where that is a failure.
pub fn database_url() -> Option<String> {
    match std::env::var("IVOREY_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("PostgreSQL tests must run in CI: set IVOREY_TEST_DATABASE_URL")
        }
        _ => None,
    }
}

pub async fn pg_store(url: &str) -> ivorey_store_postgres::PgStore {
    let schema = format!("t_{}", ivorey_core::random::base62(12).to_lowercase());
    let store = ivorey_store_postgres::PgStore::connect(url, Some(&schema))
        .await
        .expect("connect postgres");
    store.migrate().await.expect("migrate postgres");
    store
}

async fn into_parts(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, value)
}

/// A signed-in browser session.
#[derive(Debug, Clone)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

/// An admin of a fresh location.
#[derive(Debug, Clone)]
pub struct Admin {
    pub location: String,
    pub email: String,
    pub session: Session,
}

impl Admin {
    pub fn integrations_path(&self) -> String {
        format!("/manage/locations/{}/integrations", self.location)
    }

    pub fn integration_path(&self, id: &str) -> String {
        format!("/manage/locations/{}/integrations/{id}", self.location)
    }
}
