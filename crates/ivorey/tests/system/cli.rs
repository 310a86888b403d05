//! The real `ivorey` binary, on SQLite (a temp data folder) and on PostgreSQL (a fresh database
//! per test, since the CLI has no schema option): the operator commands print what scripts
//! need, never print a token twice, and bind a running server at once.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ivorey_core::{Clock, SystemClock, Timestamp, TokenHash};
use ivorey_store::Store;
use serde_json::{Value, json};

use crate::process::{Database, PASSWORD, VERSION};

macro_rules! on_both_databases {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::$case(super::Env::sqlite()).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    match super::Env::postgres().await {
                        Some(env) => super::$case(env).await,
                        None => eprintln!("skipped: IVOREY_TEST_DATABASE_URL is not set"),
                    }
                }
            )*
        }
    };
}

on_both_databases!(
    create_location_prints_one_json_object_or_just_the_id,
    integration_commands_show_the_token_only_when_they_issue_it,
    an_unknown_scope_is_refused_by_name,
    cli_changes_bind_a_running_server_at_once,
    the_rotation_grace_flag_sets_when_the_old_token_ends,
    seed_fills_a_new_location_with_what_was_asked,
    add_user_prints_a_one_time_sign_in_link_that_works,
);

const MISSING_SCOPE: &str = "The token is not authorized for this scope.";

/// Where the commands keep their data: a temp folder, and maybe a PostgreSQL database.
struct Env {
    dir: tempfile::TempDir,
    database: Option<Database>,
}

/// What a finished command printed.
#[derive(Debug)]
struct Run {
    success: bool,
    stdout: String,
    stderr: String,
}

impl Env {
    fn sqlite() -> Env {
        Env {
            dir: tempfile::tempdir().expect("temp dir"),
            database: None,
        }
    }

    async fn postgres() -> Option<Env> {
        Some(Env {
            dir: tempfile::tempdir().expect("temp dir"),
            database: Some(Database::create("ivorey_cli").await?),
        })
    }

    /// `ivorey <args>` on this test's data, with no `IVOREY_*` settings from outside.
    fn command(&self, args: &str) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ivorey"));
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("IVOREY_") {
                command.env_remove(key);
            }
        }
        command.arg("--data-dir").arg(self.dir.path());
        command.args(args.split_whitespace());
        if let Some(db) = &self.database {
            command.args(["--database-url", &db.url]);
        }
        command
    }

    fn run(&self, args: &str, stdin: Option<&str>) -> Run {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start ivorey");
        // Dropping the pipe after writing closes the child's stdin.
        let mut pipe = child.stdin.take().expect("stdin");
        std::io::Write::write_all(&mut pipe, stdin.unwrap_or("").as_bytes()).expect("stdin");
        drop(pipe);
        let output = child.wait_with_output().expect("run ivorey");
        Run {
            success: output.status.success(),
            stdout: String::from_utf8(output.stdout).expect("utf-8 stdout"),
            stderr: String::from_utf8(output.stderr).expect("utf-8 stderr"),
        }
    }

    /// Runs a command that must succeed; returns its standard output.
    fn ok(&self, args: &str) -> String {
        let run = self.run(args, None);
        assert!(run.success, "ivorey {args} failed: {run:?}");
        run.stdout
    }

    /// Runs a command that must print exactly one JSON object.
    fn json(&self, args: &str) -> Value {
        let stdout = self.ok(args);
        assert_eq!(stdout.lines().count(), 1, "one line: {stdout}");
        let value: Value = serde_json::from_str(&stdout).expect("JSON output");
        assert!(value.is_object(), "{value}");
        value
    }

    /// Runs a command that must fail; returns its standard error.
    fn fails(&self, args: &str) -> String {
        let run = self.run(args, None);
        assert!(!run.success, "ivorey {args} should have failed: {run:?}");
        run.stderr
    }

    /// A new location with an admin whose password came from stdin; returns its id.
    fn location(&self, email: &str) -> String {
        let args =
            format!("admin create-location --name Acme --admin-email {email} --password-stdin");
        let run = self.run(&args, Some(&format!("{PASSWORD}\n")));
        assert!(run.success, "{run:?}");
        run.stdout.trim().to_owned()
    }

    /// `integrations create --json` with `scopes`; returns (id, token).
    fn integration(&self, location: &str, scopes: &str) -> (String, String) {
        let created = self.json(&format!(
            "integrations create --location {location} --name Zap --scopes {scopes} --json"
        ));
        let id = created["id"].as_str().expect("id").to_owned();
        (id, created["token"].as_str().expect("token").to_owned())
    }

    /// The store the commands use, opened by the test to check which tokens work.
    async fn store(&self) -> Arc<dyn Store> {
        match &self.database {
            Some(db) => {
                let store = ivorey_store_postgres::PgStore::connect(&db.url, None)
                    .await
                    .expect("connect");
                Arc::new(store)
            }
            None => {
                let path = self.dir.path().join("ivorey.db");
                Arc::new(ivorey_store_sqlite::SqliteStore::open(&path).expect("open"))
            }
        }
    }
}

async fn works(store: &dyn Store, token: &str) -> bool {
    let hash = TokenHash::from_presented(token).expect("well-formed token");
    let grant = store.token_grant(&hash).await.expect("token lookup");
    grant.is_some_and(|g| g.admit(SystemClock.now(), [127, 0, 0, 1].into()).is_ok())
}

/// Whether `token` no longer works for `store`: at the very next lookup on SQLite (the store
/// checks the file's auth epoch first); on PostgreSQL, where `store` is another process than
/// the CLI, as another node would be, once the change's notification has reached its cache
/// (milliseconds; 1 s at most here).
async fn stopped(store: &dyn Store, token: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        if !works(store, token).await {
            return true;
        }
        if store.backend() == "sqlite" || Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// `call` until the answer is not 200: the very next request on SQLite, within 1 s on
/// PostgreSQL (see `stopped`).
async fn call_until_refused(env: &Env, server: &Server, token: &str, path: &str) -> (u16, Value) {
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        let (status, body) = call(server, token, path).await;
        if status != 200 || env.database.is_none() || Instant::now() > deadline {
            return (status, body);
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

fn is_id(s: &str) -> bool {
    s.len() == 20 && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

async fn create_location_prints_one_json_object_or_just_the_id(env: Env) {
    let args = "admin create-location --name Acme --admin-email A@Acme.io --password-stdin --json";
    let run = env.run(args, Some(&format!("{PASSWORD}\n")));
    assert!(run.success, "{run:?}");
    assert_eq!(run.stdout.lines().count(), 1, "{run:?}");
    let created: Value = serde_json::from_str(&run.stdout).expect("one JSON object");
    let id = created["locationId"].as_str().expect("locationId");
    assert!(is_id(id), "{created}");
    assert_eq!(created["name"], "Acme");
    assert_eq!(created["adminEmail"], "a@acme.io");
    assert_eq!(created["adminCreated"], true);
    // Without --json: the id alone, for `LOCATION=$(ivorey admin create-location ...)`.
    let plain = env.location("b@acme.io");
    assert!(is_id(&plain), "{plain:?}");
    assert_ne!(plain, id);
    // Without a password for a new admin, the command fails and says why.
    let stderr = env.fails("admin create-location --name NoPass --admin-email c@acme.io");
    assert_has(&stderr, &["password"]);
}

/// Asserts that `text` contains every one of `parts`.
fn assert_has(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "{part:?} missing from:\n{text}");
    }
}

/// Asserts that `text` contains none of `parts`.
fn assert_lacks(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(!text.contains(part), "{part:?} printed in:\n{text}");
    }
}

async fn integration_commands_show_the_token_only_when_they_issue_it(env: Env) {
    let location = env.location("ops@acme.io");
    let scopes = "contacts.readonly,contacts.write";
    let create = format!("integrations create --location {location} --name Zap --scopes {scopes}");
    let created = env.json(&format!("{create} --json"));
    let id = created["id"].as_str().expect("id").to_owned();
    let first = created["token"].as_str().expect("token").to_owned();
    assert!(is_id(&id) && first.starts_with("ivorey_pit_"), "{created}");
    assert_eq!(created["locationId"], location.as_str());
    assert_eq!(
        created["scopes"],
        json!(["contacts.readonly", "contacts.write"])
    );
    let store = env.store().await;
    assert!(works(store.as_ref(), &first).await);

    let hint = &first[first.len() - 4..];
    let list = env.ok(&format!("integrations list --location {location}"));
    assert_has(&list, &[&id, "Zap", hint]);
    let shown = env.ok(&format!("integrations show {id}"));
    assert_has(&shown, &[&id, "contacts.write"]);
    let edited = env.ok(&format!(
        "integrations edit {id} --scopes contacts.readonly"
    ));
    assert_lacks(&edited, &["contacts.write"]);
    let detail = env.json(&format!("integrations show {id} --json"));
    assert_eq!(
        detail["integration"]["scopes"],
        json!(["contacts.readonly"])
    );
    for output in [&list, &shown, &edited, &detail.to_string()] {
        assert_lacks(output, &[&first[11..]]);
    }

    // Rotate, expire later: a new token is printed; both work; `show` names the old one's end.
    let rotated = env.ok(&format!("integrations rotate {id} --expire later"));
    let second = rotated
        .split_whitespace()
        .find(|w| w.starts_with("ivorey_pit_"))
        .expect("the new token")
        .to_owned();
    assert_ne!(second, first);
    assert_lacks(&rotated, &[&first[11..]]);
    assert!(works(store.as_ref(), &first).await && works(store.as_ref(), &second).await);
    let shown = env.ok(&format!("integrations show {id}"));
    let old = shown
        .lines()
        .find(|l| l.contains("old token"))
        .unwrap_or_default();
    assert_has(old, &[hint, "works until"]);
    let until = Timestamp::parse_rfc3339(old.rsplit(' ').next().unwrap());
    assert!(until.is_some_and(|t| t > SystemClock.now()), "{shown}");
    assert_lacks(&shown, &[&first[11..], &second[11..]]);

    // Rotate, expire now: only the newest token works, and `show` has no old token left.
    let rotated = env.json(&format!("integrations rotate {id} --expire now --json"));
    let third = rotated["token"].as_str().expect("token").to_owned();
    assert!(rotated["previousTokenExpiresAt"].is_null(), "{rotated}");
    assert!(stopped(store.as_ref(), &first).await && stopped(store.as_ref(), &second).await);
    assert!(works(store.as_ref(), &third).await);
    let shown = env.ok(&format!("integrations show {id}"));
    assert_lacks(&shown, &["old token", &third[11..]]);

    let deleted = env.ok(&format!("integrations delete {id}"));
    assert_has(&deleted, &[&id]);
    assert!(stopped(store.as_ref(), &third).await);
    assert_has(
        &env.fails(&format!("integrations show {id}")),
        &["not found"],
    );
    let list = env.ok(&format!("integrations list --location {location}"));
    assert_lacks(&list, &[&id]);
}

async fn an_unknown_scope_is_refused_by_name(env: Env) {
    let location = env.location("ops@acme.io");
    let create = format!("integrations create --location {location} --name Zap --scopes");
    let stderr = env.fails(&format!("{create} contacts.readonly,contacts.bogus"));
    assert_has(&stderr, &["contacts.bogus"]);
    let (id, _) = env.integration(&location, "contacts.readonly");
    let stderr = env.fails(&format!("integrations edit {id} --scopes nope.write"));
    assert_has(&stderr, &["nope.write"]);
    let list = env.json(&format!("integrations list --location {location} --json"));
    assert_eq!(
        list["integrations"].as_array().map(Vec::len),
        Some(1),
        "{list}"
    );
}

/// A `ivorey serve` child process, killed when dropped (also when a test panics).
struct Server {
    child: Child,
    base: String,
    log: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            eprintln!("server log:\n{log}");
        }
    }
}

impl Env {
    async fn serve(&self) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let listen = format!("127.0.0.1:{port}");
        let log = self.dir.path().join(format!("serve-{port}.log"));
        let child = self
            .command(&format!("serve --listen {listen}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("start ivorey serve");
        let server = Server {
            child,
            base: format!("http://{listen}"),
            log,
        };
        wait_until_healthy(&server).await;
        server
    }
}

async fn wait_until_healthy(server: &Server) {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let health = http.get(format!("{}/healthz", server.base)).send().await;
        if health.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not answer /healthz"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `GET path` with the token and the `Version` header: status and `message`.
async fn call(server: &Server, token: &str, path: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", server.base))
        .bearer_auth(token)
        .header("Version", VERSION)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

async fn cli_changes_bind_a_running_server_at_once(env: Env) {
    let location = env.location("ops@acme.io");
    let server = env.serve().await;
    let contacts = format!("/contacts/?locationId={location}");

    let (id, token) = env.integration(&location, "contacts.readonly");
    assert_eq!(call(&server, &token, &contacts).await.0, 200);
    env.ok(&format!("integrations delete {id}"));
    let (status, body) = call_until_refused(&env, &server, &token, &contacts).await;
    assert_eq!(status, 401, "the very next request after delete: {body}");

    let (id, token) = env.integration(&location, "contacts.readonly");
    assert_eq!(call(&server, &token, &contacts).await.0, 200);
    env.ok(&format!(
        "integrations edit {id} --scopes locations.readonly"
    ));
    let (status, body) = call_until_refused(&env, &server, &token, &contacts).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (401, Some(MISSING_SCOPE)),
        "{body}"
    );
    let (status, body) = call(&server, &token, &format!("/locations/{location}")).await;
    assert_eq!(
        status, 200,
        "the edit changed the scopes, not the token: {body}"
    );

    let rotated = env.json(&format!("integrations rotate {id} --expire now --json"));
    let new = rotated["token"].as_str().expect("token");
    let location_path = format!("/locations/{location}");
    let refused = call_until_refused(&env, &server, &token, &location_path).await;
    assert_eq!(refused.0, 401);
    assert_eq!(call(&server, new, &location_path).await.0, 200);
    drop(server);
}

async fn the_rotation_grace_flag_sets_when_the_old_token_ends(env: Env) {
    let location = env.location("ops@acme.io");
    let (id, old) = env.integration(&location, "contacts.readonly");
    let before = SystemClock.now();
    let rotated = env.json(&format!(
        "--rotation-grace 90s integrations rotate {id} --expire later --json"
    ));
    let after = SystemClock.now();
    let at = rotated["previousTokenExpiresAt"]
        .as_str()
        .and_then(Timestamp::parse_rfc3339)
        .expect("previousTokenExpiresAt");
    let grace = Duration::from_secs(90);
    assert!(
        before.plus(grace) <= at && at <= after.plus(grace),
        "{rotated}"
    );
    let store = env.store().await;
    assert!(
        works(store.as_ref(), &old).await,
        "the old token is in its grace"
    );
    // A zero grace is refused before anything changes.
    let stderr = env.fails("--rotation-grace 0s migrate");
    assert_has(&stderr, &["longer than zero"]);
}

async fn seed_fills_a_new_location_with_what_was_asked(env: Env) {
    let tokens_file = env.dir.path().join("tokens.txt");
    let summary = env.json(&format!(
        "seed --contacts 230 --opportunities 40 --integrations 3 --seed 9 --tokens-file {}",
        tokens_file.display()
    ));
    let location = summary["locationId"].as_str().expect("locationId");
    let location = ivorey_core::LocationId::parse(location).expect("a Location ID");
    assert_eq!(summary["contacts"], 230, "{summary}");
    let store = env.store().await;
    let query = ivorey_store::ContactQuery {
        limit: 1,
        ..Default::default()
    };
    let page = store.list_contacts(&location, &query).await.expect("list");
    assert_eq!(page.total, 230);
    let opportunities = ivorey_store::OpportunityQuery {
        limit: 1,
        ..Default::default()
    };
    let found = store.search_opportunities(&location, &opportunities).await;
    assert_eq!(found.expect("search").total, 40);
    let now = SystemClock.now();
    assert_eq!(
        store
            .list_integrations(&location, now)
            .await
            .expect("list")
            .len(),
        3
    );
    let token = summary["token"].as_str().expect("a token for load tests");
    assert!(works(store.as_ref(), token).await);
    let written = std::fs::read_to_string(&tokens_file).expect("tokens file");
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines.len(), 3, "one token per integration");
    assert_eq!(lines[0], token);
    for line in &lines {
        assert!(
            works(store.as_ref(), line).await,
            "every written token works"
        );
    }
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&tokens_file)
            .expect("metadata")
            .permissions(),
    );
    assert_eq!(mode & 0o077, 0, "only the owner may read the tokens");
    // Seeded contacts are valid, distinct people.
    let all = ivorey_store::ContactQuery {
        limit: 500,
        ..Default::default()
    };
    let contacts = store
        .list_contacts(&location, &all)
        .await
        .expect("list")
        .contacts;
    let emails: std::collections::HashSet<_> = contacts
        .iter()
        .filter_map(|c| c.fields.email.clone())
        .collect();
    assert_eq!(emails.len(), 230, "every seeded email is different");
}

/// The `name=value` of the `Set-Cookie` header naming `cookie`.
fn set_cookie(response: &reqwest::Response, cookie: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|pair| pair.starts_with(&format!("{cookie}=")))
        .map(str::to_owned)
}

async fn add_user_prints_a_one_time_sign_in_link_that_works(env: Env) {
    let location = env.location("ops@acme.io");
    let server = env.serve().await;
    let added = env.json(&format!(
        "admin add-user --location {location} --email Nia@Acme.io --name Nia --role user \
         --json --public-url {}",
        server.base
    ));
    assert!(is_id(added["userId"].as_str().expect("userId")), "{added}");
    assert_eq!(added["email"], "nia@acme.io");
    assert_eq!(added["role"], "user");
    let url = added["signInUrl"].as_str().expect("signInUrl");
    assert!(
        url.starts_with(&format!("{}/invite/", server.base)),
        "{url}"
    );

    // The link opens the password page; posting a password signs Nia in, once.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let page = http.get(url).send().await.expect("open link");
    assert_eq!(page.status(), 200);
    let cookie = set_cookie(&page, "ivorey_form").expect("form cookie");
    let csrf = cookie["ivorey_form=".len()..].to_owned();
    let post = || {
        http.post(url)
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("csrf={csrf}&password=nia%27s+own+passphrase"))
            .send()
    };
    let signed_in = post().await.expect("set password");
    assert_eq!(signed_in.status(), 303);
    assert_eq!(signed_in.headers()["location"], "/dashboard");
    assert!(set_cookie(&signed_in, "ivorey_session").is_some());
    assert_eq!(
        post().await.expect("again").status(),
        404,
        "the link works once"
    );

    // Without --json: the link alone; an existing account gets none.
    let plain = env.ok(&format!(
        "admin add-user --location {location} --email leo@acme.io --name Leo --role admin"
    ));
    assert!(
        plain.trim().starts_with("http://127.0.0.1:8080/invite/"),
        "{plain}"
    );
    let second = env.location("boss@acme.io");
    let again = env.json(&format!(
        "admin add-user --location {second} --email ops@acme.io --name Ops --role user --json"
    ));
    assert_eq!(again["created"], false);
    assert!(again["signInUrl"].is_null(), "{again}");

    // Exit codes: 65 for input that is wrong, 1 for a location that does not exist.
    let code = |args: &str| env.command(args).output().expect("run").status.code();
    let bad_email =
        format!("admin add-user --location {location} --email nope --name X --role user");
    assert_eq!(code(&bad_email), Some(65));
    let bad_location = "admin add-user --location nope --email x@acme.io --name X --role user";
    assert_eq!(code(bad_location), Some(65));
    let missing =
        "admin add-user --location abcdefghij0123456789 --email x@acme.io --name X --role user";
    assert_eq!(code(missing), Some(1));
    drop(server);
}
