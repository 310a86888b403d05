//! `/openapi.json`: the public API described from the endpoint catalogue (paths, methods, the
//! scope each needs, query parameters derived from the handlers' query structs, the `Version`
//! header, and HighLevel's error shape). OpenAPI 3.1, where a bearer requirement may list the
//! scopes it needs, as HighLevel's own files do. Built once and served from memory.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::public::catalog::{Endpoint, endpoints};

/// The `Version` values the public API accepts (the first is the default in the SDKs).
const VERSIONS: &[&str] = &["2021-07-28", "2021-04-15", "2023-02-21"];

pub async fn serve() -> Response {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    let body = DOCUMENT.get_or_init(|| document().to_string());
    ([(header::CONTENT_TYPE, "application/json")], body.clone()).into_response()
}

/// The whole document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for endpoint in endpoints() {
        let item = paths
            .entry(openapi_path(endpoint.path))
            .or_insert_with(|| json!({}));
        item[endpoint.method.as_str().to_lowercase()] = operation(&endpoint);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Ivorey public API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "HighLevel API v2 compatible. Every call sends `Authorization: Bearer <Private Integration token>` and a `Version` header; each operation lists the scope its token needs.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "A Private Integration token (ivorey_pit_...)"},
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["statusCode", "message"],
                    "properties": {
                        "statusCode": {"type": "integer"},
                        "message": {"oneOf": [
                            {"type": "string"},
                            {"type": "array", "items": {"type": "string"}},
                        ]},
                        "error": {"type": "string"},
                        "traceId": {"type": "string"},
                    },
                },
            },
        },
    })
}

/// Axum writes path parameters as `{name}` too; only a catch-all would differ, and the public
/// API has none.
fn openapi_path(path: &str) -> String {
    path.to_owned()
}

fn operation(e: &Endpoint) -> Value {
    let mut parameters: Vec<Value> = path_parameters(e.path);
    parameters.push(json!({
        "name": "Version", "in": "header", "required": true,
        "schema": {"type": "string", "enum": VERSIONS},
    }));
    parameters.extend(
        (e.query)()
            .into_iter()
            .filter_map(|p| serde_json::to_value(p).ok()),
    );
    let scopes: Vec<&str> = e.scope.map(|s| s.name()).into_iter().collect();
    let mut op = json!({
        "operationId": operation_id(e),
        "summary": e.summary,
        "tags": [e.tag],
        "security": [{"bearer": scopes}],
        "parameters": parameters,
        "responses": responses(e),
    });
    if let Some(scope) = e.scope {
        op["description"] = json!(format!("Scope: `{}`", scope.name()));
        op["x-scope"] = json!(scope.name());
    }
    if e.body {
        op["requestBody"] = json!({
            "required": true,
            "content": {"application/json": {"schema": {"type": "object"}}},
        });
    }
    op
}

fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            json!({
                "name": name, "in": "path", "required": true,
                "schema": {"type": "string"},
            })
        })
        .collect()
}

fn responses(e: &Endpoint) -> Value {
    let success = json!({
        "description": "Success, in HighLevel's response shape",
        "content": {"application/json": {"schema": {"type": "object"}}},
    });
    let error = |description: &str| {
        json!({
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        })
    };
    let mut responses = json!({
        "200": success.clone(),
        "400": error("Malformed request"),
        "401": error("Missing or invalid token, or the token lacks the scope"),
        "403": error("The token does not have access to this location"),
        "404": error("Not found (also for another location's records)"),
        "422": error("Invalid fields; `message` lists them"),
        "429": error("Rate limit exceeded; see Retry-After"),
        "default": error("Other errors, in the same shape"),
    });
    // Creating calls answer 201; some upstream writes (an event's delete) answer 201 too.
    if e.method != axum::http::Method::GET {
        responses["201"] = success;
    }
    responses
}

/// `get_contacts_contactId_notes`-style ids: unique per method and path.
fn operation_id(e: &Endpoint) -> String {
    let path: String = e
        .path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_matches(|c| c == '{' || c == '}'))
        .collect::<Vec<_>>()
        .join("_");
    format!("{}_{path}", e.method.as_str().to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_is_documented_once_with_its_scope() {
        let doc = document();
        let mut ids = std::collections::HashSet::new();
        for e in endpoints() {
            let op = &doc["paths"][e.path][e.method.as_str().to_lowercase()];
            assert!(op.is_object(), "{} {} missing", e.method, e.path);
            assert!(
                ids.insert(op["operationId"].to_string()),
                "duplicate id {}",
                op["operationId"]
            );
            let scopes = &op["security"][0]["bearer"];
            match e.scope {
                Some(scope) => assert_eq!(scopes, &json!([scope.name()])),
                None => assert_eq!(scopes, &json!([])),
            }
        }
    }

    #[test]
    fn query_parameters_come_from_the_handlers_structs_with_their_wire_names() {
        let doc = document();
        let names: Vec<String> = doc["paths"]["/contacts/"]["get"]["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .filter(|p| p["in"] == "query")
            .map(|p| p["name"].as_str().unwrap_or_default().to_owned())
            .collect();
        for wire in ["locationId", "limit", "startAfter", "startAfterId", "query"] {
            assert!(names.iter().any(|n| n == wire), "{wire} in {names:?}");
        }
    }
}
