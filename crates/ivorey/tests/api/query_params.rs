//! Property tests for every query parameter parser of the public API: for each operation that
//! `/openapi.json` lists with query parameters, proptest generates values for them (numbers out
//! of range, negative, huge, empty, unicode, control characters, repeated keys, unknown keys) and
//! every answer must be a success or a 4xx in the contract's error shape: never a 5xx, never a
//! body that is not JSON. Parsing does not depend on the backend, so this runs on SQLite.

use ivorey_core::LocationId;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::TestApp;

/// Generated requests per operation.
const CASES: usize = 48;

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        (0u32..5000).prop_map(|n| n.to_string()),
        Just(String::new()),
        "[a-zA-Z0-9]{20}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)?",
        any::<String>(),
        "\\PC{0,300}",
        prop::sample::select(vec![
            "true", "false", "asc", "desc", "open", "null", "-1", "1e309"
        ])
        .prop_map(str::to_owned),
    ]
}

/// A query string: some of the operation's parameters (maybe twice), maybe an unknown one.
fn query(names: Vec<String>) -> impl Strategy<Value = Vec<(String, String)>> {
    let known = prop::collection::vec((prop::sample::select(names), value()), 0..6);
    let unknown = prop::option::of(("[a-zA-Z_]{1,12}", value()));
    (known, unknown).prop_map(|(mut pairs, extra)| {
        pairs.extend(extra);
        pairs
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_query_string_makes_the_server_fail() {
    let app = TestApp::sqlite().await;
    let admin = app.new_admin("Query Fuzz").await;
    let scopes: Vec<&str> = ivorey_core::Scope::ALL.iter().map(|s| s.name()).collect();
    let (_, token) = app.integration(&admin, &scopes).await;
    let doc: Value = app
        .http
        .get(app.url("/openapi.json"))
        .send()
        .await
        .expect("openapi")
        .json()
        .await
        .expect("JSON");
    let mut runner = TestRunner::deterministic();
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let Some(get) = item.get("get") else { continue };
        let names: Vec<String> = get["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "query")
            .filter_map(|p| p["name"].as_str().map(str::to_owned))
            .collect();
        if names.is_empty() {
            continue;
        }
        operations += 1;
        let path = fill_path(path, &admin.location);
        let strategy = (query(names), any::<bool>());
        for _ in 0..CASES {
            let (mut pairs, with_location) =
                strategy.new_tree(&mut runner).expect("generate").current();
            // Half the time the location is right, so parsing gets past the location check.
            if with_location {
                pairs.push(("locationId".into(), admin.location.clone()));
            }
            let encoded = serde_urlencoded::to_string(&pairs).expect("encode");
            let url = format!("{path}?{encoded}");
            let (status, body) = app.api(&token, Method::GET, &url, None).await;
            assert!(!status.is_server_error(), "GET {url}: {status} {body}");
            if status != StatusCode::OK {
                assert!(body["statusCode"].is_number(), "GET {url}: {status} {body}");
                assert!(
                    body["message"].is_string() || body["message"].is_array(),
                    "{body}"
                );
            }
        }
    }
    assert!(
        operations >= 10,
        "only {operations} operations have query parameters"
    );
    app.stop().await;
}

fn fill_path(path: &str, location: &str) -> String {
    path.split('/')
        .map(|seg| match seg {
            "{locationId}" => location.to_owned(),
            s if s.starts_with('{') => LocationId::generate().to_string(),
            s => s.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}
