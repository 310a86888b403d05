//! The official HighLevel Node SDK (`@gohighlevel/api-client`, pinned in `compat/node-sdk/`)
//! drives Ivorey, on both backends: `compat/node-sdk/compat.mjs` creates, reads, updates and
//! deletes contacts, moves an opportunity between stages, lists users and gets a missing scope
//! refused, with only the base URL and token changed. This test prepares the location, runs the
//! script, requires every step to report ok, checks every answer the SDK received against
//! HighLevel's schema, and then confirms through the API that the changes really happened.
//!
//! Without Node.js and npm (or without the package and no registry) the test passes as skipped,
//! except in CI (`CI` set).

mod common;
mod spec;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use common::TestApp;
use ivorey_core::{Clock, LocationId};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// Areas beyond the core ones whose SDK steps run, added as their endpoints land:
/// `contacts-search`, `conversations`, `calendars`, `forms`, `payments`. The environment
/// variable `IVOREY_COMPAT_AREAS` (comma-separated) replaces this list, to try one early.
const AREAS: &[&str] = &[];

/// Steps the script always runs, in order.
const CORE_STEPS: &[&str] = &[
    "contact.create",
    "contact.get",
    "contact.update",
    "contact.delete",
    "pipelines.list",
    "opportunity.create",
    "opportunity.move",
    "users.list",
    "scope.refused",
    "done",
];

/// The steps an optional area adds.
fn area_steps(area: &str) -> &'static [&'static str] {
    match area {
        "contacts-search" => &["contact.search"],
        "conversations" => &["conversations.sms", "conversations.email"],
        "calendars" => &["calendars.slots", "calendars.book"],
        "forms" => &["forms.submissions"],
        "payments" => &["payments.orders"],
        other => panic!("unknown compatibility area {other:?}"),
    }
}

/// Every scope any step uses; the narrow token has only `contacts.readonly`.
const SCOPES: &[&str] = &[
    "contacts.readonly",
    "contacts.write",
    "opportunities.readonly",
    "opportunities.write",
    "users.readonly",
    "conversations.readonly",
    "conversations.write",
    "conversations/message.readonly",
    "conversations/message.write",
    "calendars.readonly",
    "calendars.write",
    "calendars/events.readonly",
    "calendars/events.write",
    "forms.readonly",
    "payments/orders.readonly",
];

on_both_backends!(the_official_node_sdk_drives_the_api);

async fn the_official_node_sdk_drives_the_api(app: TestApp) {
    let Some(dir) = sdk_dir() else {
        return;
    };
    let admin = app.new_admin("SDK Compat").await;
    let (_, token) = app.integration(&admin, SCOPES).await;
    let (_, narrow) = app.integration(&admin, &["contacts.readonly"]).await;
    let location = LocationId::parse(&admin.location).expect("location id");
    let pipeline = ivorey_http::app::pipelines::create_pipeline(
        app.store.as_ref(),
        app.clock.now(),
        &location,
        "Sales",
        &["Lead", "Qualified", "Won"],
    )
    .await
    .expect("create pipeline");
    let areas = areas();

    let mut node = Command::new("node");
    node.arg("compat.mjs")
        .current_dir(&dir)
        .env("BASE_URL", &app.base)
        .env("TOKEN", &token)
        .env("NARROW_TOKEN", &narrow)
        .env("LOCATION_ID", &admin.location)
        .env("PIPELINE_ID", pipeline.id.to_string())
        .env("IVOREY_COMPAT_AREAS", areas.join(","))
        .env_remove("CALENDAR_ID")
        .env_remove("FORM_ID");
    // The server answers on this runtime while node runs.
    let output = tokio::task::spawn_blocking(move || node.output())
        .await
        .expect("join")
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report = || {
        format!(
            "{stdout}\n--- stderr ---\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    };
    assert!(output.status.success(), "compat.mjs failed:\n{}", report());

    let lines: Vec<Value> = stdout
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    let steps: Vec<&Value> = lines.iter().filter(|l| l["step"].is_string()).collect();
    let expected: Vec<&str> = CORE_STEPS
        .iter()
        .copied()
        .chain(areas.iter().flat_map(|a| area_steps(a).iter().copied()))
        .collect();
    for name in &expected {
        let line = steps.iter().find(|s| s["step"] == *name);
        let line = line.unwrap_or_else(|| panic!("step {name} did not run:\n{}", report()));
        assert_eq!(line["ok"], true, "step {name}: {line}");
    }
    assert_eq!(
        steps.len(),
        expected.len(),
        "unexpected steps:\n{}",
        report()
    );

    let exchanges: Vec<&Value> = lines
        .iter()
        .map(|l| &l["exchange"])
        .filter(|e| e.is_object())
        .collect();
    // At least one call per step (the final "done" makes none).
    assert!(exchanges.len() >= expected.len() - 1, "{}", report());
    for exchange in exchanges {
        check_exchange(exchange);
    }

    let step = |name: &str| {
        steps
            .iter()
            .find(|s| s["step"] == name)
            .copied()
            .expect("step")
    };
    let contact = step("contact.create")["contactId"]
        .as_str()
        .expect("contactId");
    let deleted = step("contact.create")["deletedContactId"]
        .as_str()
        .expect("id");
    let (status, body) = app
        .api(&token, Method::GET, &format!("/contacts/{deleted}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the SDK deleted it: {body}");
    let (status, body) = app
        .api(&token, Method::GET, &format!("/contacts/{contact}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    spec::check(
        "contacts.json",
        &Method::GET,
        "/contacts/{contactId}",
        status,
        &body,
    );
    assert_eq!(
        body["contact"]["lastName"],
        step("contact.update")["lastName"]
    );
    assert_eq!(body["contact"]["companyName"], "Analytical Engines");
    assert_eq!(body["contact"]["firstName"], "Ada");

    let opportunity = step("opportunity.move")["opportunityId"]
        .as_str()
        .expect("id");
    let path = format!("/opportunities/{opportunity}");
    let (status, body) = app.api(&token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    spec::check(
        "opportunities.json",
        &Method::GET,
        "/opportunities/{id}",
        status,
        &body,
    );
    let moved = &body["opportunity"];
    assert_eq!(moved["pipelineStageId"], pipeline.stages[1].id.to_string());
    assert_eq!(moved["contactId"], contact);
    assert_eq!(moved["monetaryValue"], 1250.5);

    // The narrow token's refused write left nothing behind: one contact remains.
    let path = format!("/contacts/?locationId={}", admin.location);
    let (status, body) = app.api(&token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["contacts"].as_array().map(Vec::len), Some(1), "{body}");

    if areas.iter().any(|a| a == "calendars") {
        let event = step("calendars.book")["appointmentId"]
            .as_str()
            .expect("id");
        let path = format!("/calendars/events/appointments/{event}");
        let (status, body) = app.api(&token, Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["event"]["contactId"], contact, "{body}");
    }
    app.stop().await;
}

/// The enabled optional areas: `IVOREY_COMPAT_AREAS` when set, else `AREAS`.
fn areas() -> Vec<String> {
    let areas: Vec<String> = match std::env::var("IVOREY_COMPAT_AREAS") {
        Ok(list) => list
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect(),
        Err(_) => AREAS.iter().map(|a| (*a).to_owned()).collect(),
    };
    for area in &areas {
        area_steps(area); // refuses a misspelt area before anything runs
    }
    areas
}

/// Checks one answer the SDK received against the upstream schema of its operation.
fn check_exchange(exchange: &Value) {
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
fn sdk_dir() -> Option<PathBuf> {
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
