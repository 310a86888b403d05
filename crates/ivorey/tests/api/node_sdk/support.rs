//! Running `compat/node-sdk/compat.mjs` for the Node SDK test: finding Node.js, installing the
//! pinned SDK once, reading the script's JSON lines, and checking each answer the SDK received
//! against the upstream schema of its operation.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::spec;

/// What one run of the script printed.
pub struct Run {
    /// `{"step": name, "ok": bool, ...}` lines, in order.
    pub steps: Vec<Value>,
    /// `{"method", "path", "status", "body"}` of every HTTP answer the SDK received.
    pub exchanges: Vec<Value>,
    /// Everything printed, for failure messages.
    pub transcript: String,
}

impl Run {
    /// The named step's line; it must have run.
    pub fn step(&self, name: &str) -> &Value {
        let found = self.steps.iter().find(|s| s["step"] == name);
        found.unwrap_or_else(|| panic!("step {name} did not run:\n{}", self.transcript))
    }

    /// A string field of the named step's line.
    pub fn id(&self, name: &str, field: &str) -> String {
        let value = self.step(name)[field].as_str();
        value
            .unwrap_or_else(|| panic!("step {name} reported no {field}"))
            .to_owned()
    }
}

/// Runs the script in `dir` with `env` and requires exit status 0.
pub async fn run(dir: &Path, env: &[(&str, String)]) -> Run {
    let mut node = Command::new("node");
    node.arg("compat.mjs").current_dir(dir);
    // Only what this test passes: a developer's own CALENDAR_ID or FORM_ID must not leak in.
    for inherited in ["CALENDAR_ID", "FORM_ID", "IVOREY_COMPAT_AREAS"] {
        node.env_remove(inherited);
    }
    node.envs(env.iter().map(|(k, v)| (k, v)));
    // The server answers on this runtime while node runs, so node must not block a worker.
    let output = tokio::task::spawn_blocking(move || node.output())
        .await
        .expect("join")
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let transcript = format!(
        "{stdout}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "compat.mjs failed:\n{transcript}");
    let lines: Vec<Value> = stdout
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    Run {
        steps: lines
            .iter()
            .filter(|l| l["step"].is_string())
            .cloned()
            .collect(),
        exchanges: lines
            .iter()
            .map(|l| l["exchange"].clone())
            .filter(Value::is_object)
            .collect(),
        transcript,
    }
}

/// Checks one answer the SDK received against the upstream schema of its operation.
pub fn check_exchange(exchange: &Value) {
    let method = exchange["method"].as_str().expect("method");
    let method = Method::from_bytes(method.as_bytes()).expect("an HTTP method");
    let path = exchange["path"].as_str().expect("path");
    let status = exchange["status"].as_u64().expect("status");
    let status = StatusCode::from_u16(u16::try_from(status).expect("u16")).expect("status");
    let (file, template) = operation(path);
    spec::check(file, &method, template, status, &exchange["body"]);
}

/// The upstream file and path template that `path` (as the SDK requested it) is an instance
/// of: the template whose segments all match, literal segments preferred over `{parameters}`.
fn operation(path: &str) -> (&'static str, &'static str) {
    const TEMPLATES: &[(&str, &str)] = &[
        ("contacts.json", "/contacts/"),
        ("contacts.json", "/contacts/search"),
        ("contacts.json", "/contacts/{contactId}"),
        ("opportunities.json", "/opportunities/"),
        ("opportunities.json", "/opportunities/pipelines"),
        ("opportunities.json", "/opportunities/{id}"),
        ("opportunities.json", "/opportunities/{id}/status"),
        ("users.json", "/users/"),
        ("conversations.json", "/conversations/messages"),
        ("calendars.json", "/calendars/"),
        ("calendars.json", "/calendars/{calendarId}/free-slots"),
        ("calendars.json", "/calendars/events/appointments"),
        ("forms.json", "/forms/submissions"),
        ("payments.json", "/payments/orders"),
    ];
    let segments: Vec<&str> = path.split('/').collect();
    TEMPLATES
        .iter()
        .filter_map(|(file, template)| {
            let parts: Vec<&str> = template.split('/').collect();
            let matches = parts.len() == segments.len()
                && parts
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| t == s || (t.starts_with('{') && !s.is_empty()));
            let literal = parts.iter().filter(|t| !t.starts_with('{')).count();
            matches.then_some((literal, (*file, *template)))
        })
        .max_by_key(|(literal, _)| *literal)
        .map(|(_, operation)| operation)
        .unwrap_or_else(|| panic!("no upstream operation listed for {path}"))
}

/// `compat/node-sdk` with its packages installed, or `None` (test skipped) where Node.js or
/// npm is missing or the install fails, which in CI is a failure instead. Installs once per
/// test process; the other backend's test waits for it.
pub fn sdk_dir() -> Option<PathBuf> {
    static READY: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match READY.get_or_init(install) {
        Ok(dir) => Some(dir.clone()),
        Err(why) if std::env::var_os("CI").is_some() => panic!("Node SDK test cannot run: {why}"),
        Err(why) => {
            eprintln!("skipped: {why}");
            None
        }
    }
}

fn install() -> Result<PathBuf, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../compat/node-sdk");
    let dir = dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    for tool in ["node", "npm"] {
        let found = Command::new(tool).arg("--version").output();
        if !found.is_ok_and(|o| o.status.success()) {
            return Err(format!(
                "`{tool}` is not installed (Node.js 18 or later is needed)"
            ));
        }
    }
    if dir
        .join("node_modules/@gohighlevel/api-client/package.json")
        .exists()
    {
        return Ok(dir);
    }
    // `npm ci` installs exactly package-lock.json; `--prefer-offline` uses the cache first.
    let installed: Output = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--prefer-offline"])
        .current_dir(&dir)
        .output()
        .map_err(|e| format!("npm ci: {e}"))?;
    if !installed.status.success() {
        return Err(format!(
            "npm ci failed in {}:\n{}",
            dir.display(),
            String::from_utf8_lossy(&installed.stderr)
        ));
    }
    Ok(dir)
}
