//! The scope matrix over every public operation, read from the server's own `/openapi.json`
//! (which is generated from the same catalogue the router is built from, so a new endpoint joins
//! this matrix by existing): a token holding every scope but the one an operation names is
//! refused with the contract's 401, and a `locationId` / `altId` of another location, in the
//! path or the query, is refused with the contract's 403. Each area's own `refusals` tests add
//! the record-id dimension (another location's records answer like missing ones).

use ivorey_core::{LocationId, Scope};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::TestApp;

on_both_backends!(
    every_documented_operation_refuses_a_token_without_its_scope,
    every_location_parameter_refuses_another_location,
    every_documented_operation_is_answered_by_the_scope_gate,
);

const MISSING_SCOPE: &str = "The token is not authorized for this scope.";
const MISSING_TOKEN: &str =
    "Missing token: send the header Authorization: Bearer <Private Integration token>";
const WRONG_LOCATION: &str = "The token does not have access to this location.";

/// One documented operation.
#[derive(Debug)]
struct Operation {
    method: Method,
    path: String,
    scope: Option<Scope>,
    body: bool,
    /// Query parameters that name the location.
    location_query: Vec<String>,
}

async fn operations(app: &TestApp) -> Vec<Operation> {
    let doc: Value = app
        .http
        .get(app.url("/openapi.json"))
        .send()
        .await
        .expect("openapi")
        .json()
        .await
        .expect("JSON document");
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let scope = op["security"][0]["bearer"][0].as_str().map(|name| {
                Scope::parse(name).unwrap_or_else(|| panic!("{name} is not a catalogue scope"))
            });
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let location_query = params
                .iter()
                .filter(|p| p["in"] == "query")
                .filter_map(|p| p["name"].as_str())
                .filter(|n| matches!(*n, "locationId" | "altId" | "location_id"))
                .map(str::to_owned)
                .collect();
            all.push(Operation {
                method: method.to_uppercase().parse().expect("method"),
                path: path.clone(),
                scope,
                body: op.get("requestBody").is_some(),
                location_query,
            });
        }
    }
    assert!(all.len() >= 60, "only {} operations documented", all.len());
    all
}

impl Operation {
    fn name(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// The path with `location` for `{locationId}` and well-formed ids that exist nowhere for
    /// every other parameter, plus the location query parameters.
    fn url(&self, location: &str) -> String {
        let path: String = self
            .path
            .split('/')
            .map(|seg| match seg {
                "{locationId}" => location.to_owned(),
                s if s.starts_with('{') => LocationId::generate().to_string(),
                s => s.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("/");
        let query: Vec<String> = self
            .location_query
            .iter()
            .map(|name| format!("{name}={location}"))
            .collect();
        match query.is_empty() {
            true => path,
            false => format!("{path}?{}", query.join("&")),
        }
    }

    async fn call(&self, app: &TestApp, token: &str, location: &str) -> (StatusCode, Value) {
        let body = self.body.then(|| json!({ "locationId": location }));
        app.api(token, self.method.clone(), &self.url(location), body)
            .await
    }
}

async fn every_documented_operation_refuses_a_token_without_its_scope(app: TestApp) {
    let admin = app.new_admin("Catalogue Matrix").await;
    let loc = admin.location.as_str();
    for op in operations(&app).await {
        let Some(scope) = op.scope else { continue };
        let others: Vec<&str> = Scope::ALL
            .iter()
            .filter(|s| **s != scope)
            .map(|s| s.name())
            .collect();
        let (_, token) = app.integration(&admin, &others).await;
        let (status, body) = op.call(&app, &token, loc).await;
        let name = op.name();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{name}: {body}");
        assert_eq!(body["message"], MISSING_SCOPE, "{name}");
        assert_eq!(body["statusCode"], 401, "{name}");
    }
}

async fn every_location_parameter_refuses_another_location(app: TestApp) {
    let mine = app.new_admin("Mine").await;
    let theirs = app.new_admin("Theirs").await;
    let all: Vec<&str> = Scope::ALL.iter().map(|s| s.name()).collect();
    let (_, token) = app.integration(&mine, &all).await;
    let mut checked = 0;
    for op in operations(&app).await {
        let by_path = op.path.contains("{locationId}");
        if !by_path && op.location_query.is_empty() {
            continue;
        }
        let (status, body) = op.call(&app, &token, &theirs.location).await;
        let name = op.name();
        assert_eq!(status, StatusCode::FORBIDDEN, "{name}: {body}");
        assert_eq!(body["message"], WRONG_LOCATION, "{name}");
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} operations take a location");
}

/// Only the scope gate answers a request without a token this way; a route built without it
/// would reach its handler, whose `Granted` extractor answers 500 (or an earlier extractor
/// another refusal). Introspection included, which names no scope.
async fn every_documented_operation_is_answered_by_the_scope_gate(app: TestApp) {
    let admin = app.new_admin("Gated").await;
    let ops = operations(&app).await;
    assert!(
        ops.iter().any(|op| op.scope.is_none()),
        "introspection is documented"
    );
    for op in ops {
        let name = op.name();
        let mut request = app
            .http
            .request(op.method.clone(), app.url(&op.url(&admin.location)));
        if op.body {
            request = request.json(&json!({ "locationId": admin.location }));
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let body: Value = response.json().await.expect("JSON error body");
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{name}: {body}");
        assert_eq!(body["message"], MISSING_TOKEN, "{name}");
    }
}
