//! A harness for tests of the real `ivorey` binary as separate processes: a data folder and
//! maybe a fresh PostgreSQL database per test, CLI commands, and `ivorey serve` children that
//! a test can stop with SIGTERM or SIGKILL.

use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const VERSION: &str = "2021-07-28";
pub const PASSWORD: &str = "correct horse battery staple";

/// Where the processes keep their data: a temp folder, and maybe a PostgreSQL database.
pub struct Env {
    pub dir: tempfile::TempDir,
    database: Option<Database>,
}

/// A database created for one test, dropped when the test ends (even by a panic).
pub struct Database {
    /// The test's database: `IVOREY_TEST_DATABASE_URL` with the name replaced.
    pub url: String,
    server_url: String,
    name: String,
}

impl Database {
    /// A new database named `<prefix>_<random>`; `None` outside CI when
    /// `IVOREY_TEST_DATABASE_URL` is unset.
    pub async fn create(prefix: &str) -> Option<Database> {
        let url = match std::env::var("IVOREY_TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => url,
            _ if std::env::var_os("CI").is_some() => panic!("set IVOREY_TEST_DATABASE_URL in CI"),
            _ => return None,
        };
        let name = unique(prefix);
        admin_client(&url)
            .await
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the test database");
        Some(Database {
            url: with_database(&url, &name),
            server_url: url,
            name,
        })
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let (url, sql) = (
            self.server_url.clone(),
            format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
        // A runtime of its own: this may run inside a test's runtime, or while unwinding.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().expect("runtime");
            runtime.block_on(async { admin_client(&url).await.batch_execute(&sql).await })
        });
        if let Ok(Err(e)) = dropped.join() {
            eprintln!("could not drop the test database: {e}");
        }
    }
}

/// A connection to `url` as the test's administrator.
pub async fn admin_client(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect to PostgreSQL");
    tokio::spawn(connection);
    client
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        "" => format!("{base}/{name}"),
        query => format!("{base}/{name}?{query}"),
    }
}

/// The Redis for tests: `IVOREY_TEST_REDIS_URL` (which must answer), else 127.0.0.1:6379 if
/// something listens there; `None` skips the test.
pub fn redis_url() -> Option<String> {
    if let Ok(url) = std::env::var("IVOREY_TEST_REDIS_URL")
        && !url.is_empty()
    {
        return Some(url);
    }
    let local = std::net::SocketAddr::from(([127, 0, 0, 1], 6379));
    std::net::TcpStream::connect_timeout(&local, Duration::from_millis(200))
        .ok()
        .map(|_| "redis://127.0.0.1:6379".to_owned())
}

/// A short random lowercase name, for databases and Redis key prefixes.
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}",
        ivorey_core::random::base62(12).to_lowercase()
    )
}

impl Env {
    pub fn sqlite() -> Env {
        Env {
            dir: tempfile::tempdir().expect("temp dir"),
            database: None,
        }
    }

    /// `None` outside CI when `IVOREY_TEST_DATABASE_URL` is unset.
    pub async fn postgres() -> Option<Env> {
        Some(Env {
            dir: tempfile::tempdir().expect("temp dir"),
            database: Some(Database::create("ivorey_proc").await?),
        })
    }

    /// The test's PostgreSQL database, if it runs on one.
    pub fn database_url(&self) -> Option<&str> {
        self.database.as_ref().map(|db| db.url.as_str())
    }

    pub fn backend(&self) -> &'static str {
        if self.database.is_some() {
            "postgres"
        } else {
            "sqlite"
        }
    }

    /// `ivorey <args>` on this test's data, with no `IVOREY_*` settings from outside.
    pub fn command(&self, args: &str) -> Command {
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

    /// Runs a command that must succeed, with `stdin`; returns its standard output.
    pub fn ok_with(&self, args: &str, stdin: &str) -> String {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start ivorey");
        let mut pipe = child.stdin.take().expect("stdin");
        std::io::Write::write_all(&mut pipe, stdin.as_bytes()).expect("stdin");
        drop(pipe);
        let output = child.wait_with_output().expect("run ivorey");
        assert!(
            output.status.success(),
            "ivorey {args} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("utf-8 stdout")
    }

    pub fn ok(&self, args: &str) -> String {
        self.ok_with(args, "")
    }

    /// A new location whose admin is `email` (password `PASSWORD`); returns its id.
    pub fn location(&self, email: &str) -> String {
        let args =
            format!("admin create-location --name Acme --admin-email {email} --password-stdin");
        self.ok_with(&args, &format!("{PASSWORD}\n"))
            .trim()
            .to_owned()
    }

    /// A new integration with `scopes`; returns (id, token).
    pub fn integration(&self, location: &str, scopes: &str) -> (String, String) {
        let out = self.ok(&format!(
            "integrations create --location {location} --name Tool --scopes {scopes} --json"
        ));
        let created: Value = serde_json::from_str(&out).expect("JSON");
        (
            created["id"].as_str().expect("id").to_owned(),
            created["token"].as_str().expect("token").to_owned(),
        )
    }

    /// Starts `ivorey serve` with `args` on a free port and waits for `/healthz`.
    pub async fn serve(&self, args: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let listen = format!("127.0.0.1:{port}");
        let log = self.dir.path().join(format!("serve-{port}.log"));
        let child = self
            .command(&format!("serve --listen {listen} {args}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("start ivorey serve");
        let server = Server {
            child,
            base: format!("http://{listen}"),
            address: listen,
            log,
        };
        server.wait_until_healthy().await;
        server
    }
}

/// An `ivorey serve` child process, killed when dropped (also when a test panics).
pub struct Server {
    child: Child,
    pub base: String,
    pub address: String,
    log: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("server log:\n{}", self.log());
        }
    }
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    async fn wait_until_healthy(&self) {
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let health = http.get(self.url("/healthz")).send().await;
            if health.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not answer /healthz:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Sends `signal` (`TERM`, `KILL`) to the process.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([format!("-{signal}"), self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal}");
    }

    /// Waits up to `limit` for the process to exit; `None` if it is still running.
    pub async fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }
}
