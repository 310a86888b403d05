//! Helpers for the web app's tests: a headless Chromium driven through a chromedriver child
//! process (stopped when dropped), full-page screenshots into `target/screenshots/`, and plain
//! HTTP helpers that post forms the way a browser does; `actions` has steps several walks take.

mod actions;

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use ivorey_core::user::Role;
use ivorey_core::{Clock, LocationId, UserId};
use ivorey_store::NewUser;
use serde_json::json;

pub use actions::{add_note, add_task};

use crate::common::{PASSWORD, TestApp};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Where screenshots go: `<workspace>/target/screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots")
}

/// A chromedriver child process in its own process group (with the Chromium it starts); the
/// group is ended and the driver reaped on drop, even when a test panics mid-session.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill")
            .args(["-TERM", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A headless Chromium session.
pub struct Browser {
    pub client: Client,
    /// Screenshot names start with this, e.g. `walk`.
    prefix: String,
    step: u32,
    _profile: tempfile::TempDir,
    // Dropped last: the session must end before its driver does.
    _driver: Driver,
}

impl Browser {
    /// Starts chromedriver and a fresh Chromium profile. `None` (with a note) when Chromium or
    /// chromedriver is not installed outside CI; in CI their absence fails the test.
    pub async fn start(prefix: &str) -> Option<Browser> {
        let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
            .into_iter()
            .filter(|p| !std::path::Path::new(p).exists())
            .collect();
        if !missing.is_empty() {
            if std::env::var_os("CI").is_some() {
                panic!("browser tests must run in CI, but {missing:?} is missing");
            }
            eprintln!(
                "skipped: {missing:?} not installed (apt-get install chromium chromium-driver)"
            );
            return None;
        }
        let port = free_port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let driver = Driver(child);
        let url = format!("http://127.0.0.1:{port}");
        wait_until_ready(&url).await;
        let profile = tempfile::tempdir().expect("profile dir");
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,900",
        ]
        .into_iter()
        .map(str::to_owned)
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object literal")
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&url)
            .await
            .expect("start a Chromium session");
        std::fs::create_dir_all(screenshot_dir()).expect("screenshot dir");
        Some(Browser {
            client,
            prefix: prefix.to_owned(),
            step: 0,
            _profile: profile,
            _driver: driver,
        })
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
    }

    /// The element, waiting up to 10 s for it to appear.
    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css:?}: {e}"))
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("click");
    }

    /// Clicks something that loads a new page, and waits until the old page is gone and the
    /// new one has loaded (so the next lookup cannot hit the page being left).
    pub async fn click_to_load(&self, css: &str) {
        let element = self.find(css).await;
        self.load_after(element.click()).await;
    }

    /// Like `click_to_load`, for the link whose text is exactly `text`.
    pub async fn follow_link(&self, text: &str) {
        let link = self
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::LinkText(text))
            .await
            .unwrap_or_else(|e| panic!("no link {text:?}: {e}"));
        self.load_after(link.click()).await;
    }

    async fn load_after(
        &self,
        click: impl std::future::Future<Output = Result<(), fantoccini::error::CmdError>>,
    ) {
        let old = self.find("html").await;
        click.await.expect("click");
        let deadline = Instant::now() + Duration::from_secs(10);
        // A reference to the old page's root goes stale once the new page replaces it.
        while old.tag_name().await.is_ok() {
            assert!(Instant::now() < deadline, "the click did not load a page");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        loop {
            let state = self
                .client
                .execute("return document.readyState;", vec![])
                .await;
            if state.is_ok_and(|s| s == "complete") {
                return;
            }
            assert!(Instant::now() < deadline, "the page did not finish loading");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Replaces the text of an input.
    pub async fn fill(&self, css: &str, text: &str) {
        let input = self.find(css).await;
        input.clear().await.expect("clear");
        input.send_keys(text).await.expect("type");
    }

    pub async fn attr(&self, css: &str, name: &str) -> String {
        let element = self.find(css).await;
        let value = element.attr(name).await.expect("read attribute");
        value.unwrap_or_else(|| panic!("{css:?} has no {name}"))
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("read text")
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current url");
        url.path().to_owned()
    }

    /// The page's HTML as the browser holds it now.
    pub async fn source(&self) -> String {
        self.client.source().await.expect("page source")
    }

    /// Waits until the page's path satisfies `ok`: up to 30 s, as a form post on a machine
    /// busy with the other tests can take more than 10.
    pub async fn wait_for_path(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let path = self.path().await;
            if ok(&path) {
                return path;
            }
            assert!(
                Instant::now() < deadline,
                "still at {path}, expected {what}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Saves a full-page screenshot as `<prefix>-<NN>-<name>.png`; returns its path.
    pub async fn shot(&mut self, name: &str) -> PathBuf {
        self.step += 1;
        let height = self
            .client
            .execute("return document.documentElement.scrollHeight;", vec![])
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(900);
        let (width, _) = self.client.get_window_size().await.expect("window size");
        let width = u32::try_from(width).unwrap_or(1280);
        let full = u32::try_from(height + 140).unwrap_or(900).clamp(600, 6000);
        let _ = self.client.set_window_size(width, full).await;
        let png = self.client.screenshot().await.expect("screenshot");
        let path = screenshot_dir().join(format!("{}-{:02}-{name}.png", self.prefix, self.step));
        std::fs::write(&path, png).expect("write screenshot");
        let _ = self.client.set_window_size(width, 900).await;
        path
    }

    /// Signs in through the sign-in page and waits to land on the dashboard.
    pub async fn sign_in(&mut self, app: &TestApp, email: &str, password: &str) {
        self.goto(&app.url("/login")).await;
        self.fill("#f-email", email).await;
        self.fill("#f-password", password).await;
        self.click("form[action='/login'] button[type=submit]")
            .await;
        self.wait_for_path("the dashboard", |p| p.ends_with("/dashboard"))
            .await;
    }

    /// Runs axe-core (`compat/axe`, installed with npm on first use) on the page as it is now
    /// and fails the test on any serious or critical violation, naming each rule and element.
    pub async fn check_accessibility(&self, page: &str) {
        let Some(script) = axe_script() else {
            return;
        };
        self.client
            .execute(script, vec![])
            .await
            .expect("inject axe-core");
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                    .then(r => done(r.violations
                        .filter(v => v.impact === 'serious' || v.impact === 'critical')
                        .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' +
                             v.nodes.map(n => n.target.join(' ')).join(', '))))
                    .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .expect("run axe-core");
        let violations: Vec<String> = serde_json::from_value(found).expect("a list");
        assert!(
            violations.is_empty(),
            "accessibility of {page}:\n{}",
            violations.join("\n")
        );
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

/// axe-core's script, or `None` (check skipped, with a note) where npm cannot install it outside
/// CI; in CI that fails the test.
fn axe_script() -> Option<&'static str> {
    static SCRIPT: std::sync::OnceLock<Result<String, String>> = std::sync::OnceLock::new();
    let loaded = SCRIPT.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../compat/axe");
        let file = dir.join("node_modules/axe-core/axe.min.js");
        if !file.exists() {
            let installed = Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--prefer-offline"])
                .current_dir(&dir)
                .output()
                .map_err(|e| format!("npm install: {e}"))?;
            if !installed.status.success() {
                return Err(String::from_utf8_lossy(&installed.stderr).into_owned());
            }
        }
        std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))
    });
    match loaded {
        Ok(script) => Some(script.as_str()),
        Err(why) if std::env::var_os("CI").is_some() => panic!("axe-core unavailable: {why}"),
        Err(why) => {
            eprintln!("accessibility check skipped: {why}");
            None
        }
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local addr").port()
}

async fn wait_until_ready(base: &str) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ready = client.get(format!("{base}/status")).send().await;
        if ready.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A new user with `role` in `location`; returns their email (password: `PASSWORD`).
pub async fn add_member(app: &TestApp, location: &str, role: Role) -> String {
    let email = format!(
        "{}@example.com",
        ivorey_core::random::base62(10).to_lowercase()
    );
    let user = NewUser {
        id: UserId::generate(),
        email: email.clone(),
        name: "Plain User".into(),
        password_hash: ivorey_core::password::hash_password(PASSWORD),
        created_at: app.clock.now(),
    };
    app.store.create_user(&user).await.expect("create user");
    let location = LocationId::parse(location).expect("location id");
    let joined = app.store.set_membership(&location, &user.id, role).await;
    joined.expect("membership");
    email
}

/// `application/x-www-form-urlencoded`, as a browser encodes a form.
pub fn form_body(fields: &[(&str, &str)]) -> String {
    fn encode(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_owned(),
                other => format!("%{other:02X}"),
            })
            .collect()
    }
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// An HTTP client that shows redirects instead of following them.
pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// Posts a form as a browser with `cookie` would.
pub async fn post_form(
    app: &TestApp,
    cookie: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> (reqwest::StatusCode, reqwest::header::HeaderMap, String) {
    let response = no_redirects()
        .post(app.url(path))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(fields))
        .send()
        .await
        .expect("post form");
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.text().await.expect("body"))
}

/// Gets a page as a browser with `cookie` would (no redirects followed).
pub async fn get_page(
    app: &TestApp,
    cookie: &str,
    path: &str,
) -> (reqwest::StatusCode, reqwest::header::HeaderMap, String) {
    let mut request = no_redirects()
        .get(app.url(path))
        .header("accept", "text/html");
    if !cookie.is_empty() {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.expect("get page");
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.text().await.expect("body"))
}
