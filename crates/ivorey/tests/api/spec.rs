//! Validates response bodies against HighLevel's own OpenAPI files (the wire contract), read
//! from `../shared/reference/highlevel-v2/` beside the workspace or from
//! `IVOREY_HIGHLEVEL_SPECS`. They are not part of the project: where they are absent (a fresh
//! clone) the checks print a note and pass, except under `CI`, where that is a failure.
//!
//! OpenAPI 3.0 schemas are JSON Schema draft 4 plus `nullable`, which is turned into a `null`
//! type here. Every `$ref` is resolved locally: `#/components/...` against the same file and
//! `../common/common-schemas.json#/...` against `common-schemas.json` beside it, so nothing is
//! ever fetched. The upstream schemas allow extra properties, so Ivorey's `traceId` passes.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const COMMON_REF: &str = "../common/common-schemas.json#";
/// Where the common file is spliced into each root schema.
const COMMON_KEY: &str = "x-common";
/// The schema for an error status an operation does not document (upstream lists some of
/// 400/401/422 per operation): the common schema for that status, else the `{statusCode,
/// message}` shape HighLevel's other errors (403, 404, ...) have too (contract, section 6).
fn undocumented_error(status: u16) -> Value {
    let name = match status {
        401 => "UnauthorizedDTO",
        422 => "UnprocessableDTO",
        _ => "BadRequestDTO",
    };
    json!({"$ref": format!("#/{COMMON_KEY}/components/schemas/{name}")})
}

/// Where upstream's schema contradicts what HighLevel serves and what its clients read; each
/// (file, JSON pointer) is replaced by the schema given, and nothing else is changed.
fn upstream_fixes() -> Vec<(&'static str, &'static str, Value)> {
    vec![(
        // Declared as an array of arrays; HighLevel returns (and the SDK's types expect) stage
        // objects, which is what Ivorey serves.
        "opportunities.json",
        "/components/schemas/PipelinesResponseSchema/properties/stages/items",
        json!({
            "type": "object",
            "required": ["id", "name", "position"],
            "properties": {
                "id": {"type": "string"},
                "name": {"type": "string"},
                "position": {"type": "number"}
            }
        }),
    )]
    .into_iter()
    .chain(calendar_fixes())
    .chain(conversation_fixes())
    .chain(payment_fixes())
    .collect()
}

/// Calendars: the event times are declared `object` with ISO string examples, and HighLevel
/// serves (and its SDK reads) strings; the free-slots map also carries `traceId`, like every
/// HighLevel answer, which its `additionalProperties` schema would refuse.
fn calendar_fixes() -> Vec<(&'static str, &'static str, Value)> {
    let mut fixes: Vec<(&'static str, &'static str, Value)> = [
        "/components/schemas/CalendarEventDTO/properties/startTime",
        "/components/schemas/CalendarEventDTO/properties/endTime",
        "/components/schemas/CalendarEventDTO/properties/dateAdded",
        "/components/schemas/CalendarEventDTO/properties/dateUpdated",
    ]
    .into_iter()
    .map(|pointer| ("calendars.json", pointer, json!({"type": "string"})))
    .collect();
    fixes.push((
        "calendars.json",
        "/paths/~1calendars~1{calendarId}~1free-slots/get/responses/200/content/application~1json/schema",
        json!({
            "type": "object",
            "properties": {"traceId": {"type": "string"}},
            "additionalProperties": {"$ref": "#/components/schemas/SlotsSchema"}
        }),
    ));
    fixes
}

/// Conversations: a conversation without messages (just created) has no last message type; the
/// enum has no value meaning "none", so the field is left out rather than invented.
fn conversation_fixes() -> Vec<(&'static str, &'static str, Value)> {
    vec![(
        "conversations.json",
        "/components/schemas/ConversationSchema/required",
        json!([
            "id",
            "contactId",
            "locationId",
            "lastMessageBody",
            "type",
            "unreadCount",
            "fullName",
            "contactName",
            "email",
            "phone"
        ]),
    )]
}

/// Payments: an order's `items` is declared an array of strings while its own example (and
/// HighLevel's answer) has item objects; a transaction's `status` is declared an object while
/// its example, `"succeeded"`, and HighLevel's answers are strings. Only these are replaced.
fn payment_fixes() -> Vec<(&'static str, &'static str, Value)> {
    let status = || json!({"type": "string", "example": "succeeded"});
    vec![
        (
            "payments.json",
            "/components/schemas/GetOrderResponseSchema/properties/items/items",
            json!({"type": "object"}),
        ),
        (
            "payments.json",
            "/components/schemas/TxnResponseSchema/properties/status",
            status(),
        ),
        (
            "payments.json",
            "/components/schemas/GetTxnResponseSchema/properties/status",
            status(),
        ),
    ]
}

struct Specs {
    dir: PathBuf,
    files: Mutex<HashMap<String, Arc<Value>>>,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

fn specs() -> Option<&'static Specs> {
    static SPECS: OnceLock<Option<Specs>> = OnceLock::new();
    SPECS
        .get_or_init(|| {
            let dir = std::env::var_os("IVOREY_HIGHLEVEL_SPECS")
                .map(PathBuf::from)
                .unwrap_or_else(|| {
                    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                        .join("../../../shared/reference/highlevel-v2")
                });
            if dir.join("common-schemas.json").is_file() {
                return Some(Specs {
                    dir,
                    files: Mutex::default(),
                    validators: Mutex::default(),
                });
            }
            let note = format!(
                "the HighLevel OpenAPI files are not at {}; set IVOREY_HIGHLEVEL_SPECS",
                dir.display()
            );
            assert!(std::env::var_os("CI").is_none(), "{note} (required in CI)");
            eprintln!("note: {note}; skipping response schema checks");
            None
        })
        .as_ref()
}

/// Whether the upstream files are there (else every check passes after a note).
pub fn available() -> bool {
    specs().is_some()
}

impl Specs {
    fn file(&self, name: &str) -> Arc<Value> {
        let mut files = self.files.lock().expect("spec cache");
        let doc = files.entry(name.to_owned()).or_insert_with(|| {
            let path = self.dir.join(name);
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            let mut doc: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()));
            for (file, pointer, fixed) in upstream_fixes() {
                if file == name {
                    let slot = doc.pointer_mut(pointer).unwrap_or_else(|| {
                        panic!("{name}{pointer} is gone: drop or update the fix")
                    });
                    *slot = fixed;
                }
            }
            Arc::new(doc)
        });
        doc.clone()
    }

    /// The compiled schema of one response, cached.
    fn validator(
        &self,
        file: &str,
        method: &Method,
        path: &str,
        status: u16,
    ) -> Arc<jsonschema::Validator> {
        let key = format!("{file} {method} {path} {status}");
        if let Some(found) = self.validators.lock().expect("cache").get(&key) {
            return found.clone();
        }
        let doc = self.file(file);
        let operation = doc
            .get("paths")
            .and_then(|paths| paths.get(path))
            .and_then(|item| item.get(method.as_str().to_lowercase()))
            .unwrap_or_else(|| panic!("{file} has no operation {method} {path}"));
        let response = &operation["responses"][status.to_string()];
        let mut root = match response.get("content") {
            Some(content) => content["application/json"]["schema"].clone(),
            // A documented response without a body schema: any JSON passes.
            None if response.is_object() => json!({}),
            None if status >= 400 => undocumented_error(status),
            None => panic!("{file}: {method} {path} does not document status {status}"),
        };
        let Value::Object(map) = &mut root else {
            panic!("{key}: the schema is not an object");
        };
        map.insert("components".into(), doc["components"].clone());
        map.insert(
            COMMON_KEY.into(),
            (*self.file("common-schemas.json")).clone(),
        );
        localize(&mut root, &key);
        let validator = jsonschema::draft4::new(&root)
            .unwrap_or_else(|e| panic!("{key}: the upstream schema does not compile: {e}"));
        let validator = Arc::new(validator);
        self.validators
            .lock()
            .expect("cache")
            .insert(key, validator.clone());
        validator
    }
}

/// Points `../common/common-schemas.json#...` refs at the spliced copy, refuses any other
/// non-local ref (nothing may be fetched), and turns `nullable: true` into a `null` type.
fn localize(node: &mut Value, key: &str) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get_mut("$ref") {
                if let Some(pointer) = target.strip_prefix(COMMON_REF) {
                    *target = format!("#/{COMMON_KEY}{pointer}");
                }
                assert!(target.starts_with("#/"), "{key}: non-local $ref {target}");
            }
            if map.get("nullable") == Some(&Value::Bool(true))
                && let Some(Value::String(ty)) = map.get("type").cloned()
            {
                map.insert("type".into(), json!([ty, "null"]));
            }
            map.values_mut().for_each(|v| localize(v, key));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| localize(v, key)),
        _ => {}
    }
}

/// Asserts that `body`, answered with `status` to `method path` (the path as the spec writes
/// it, e.g. `/opportunities/{id}`), matches that response's schema in `file`.
pub fn check(file: &str, method: &Method, path: &str, status: StatusCode, body: &Value) {
    let Some(specs) = specs() else { return };
    let validator = specs.validator(file, method, path, status.as_u16());
    let problems: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("at {:?}: {e}", e.instance_path().to_string()))
        .collect();
    assert!(
        problems.is_empty(),
        "{method} {path} -> {status} does not match {file}:\n  {}\nbody: {body}",
        problems.join("\n  ")
    );
}

#[test]
fn the_validator_rejects_what_the_schema_forbids() {
    if !available() {
        return;
    }
    let ok = json!({"opportunity": {"id": "x", "monetaryValue": 12.5}, "traceId": "t"});
    let path = "/opportunities/{id}";
    check(
        "opportunities.json",
        &Method::GET,
        path,
        StatusCode::OK,
        &ok,
    );
    let wrong = json!({"opportunity": {"monetaryValue": "12.5"}});
    let caught = std::panic::catch_unwind(|| {
        check(
            "opportunities.json",
            &Method::GET,
            path,
            StatusCode::OK,
            &wrong,
        );
    });
    assert!(caught.is_err(), "a string monetaryValue passed");
    let wrong_error = json!({"statusCode": 422, "message": "not an array"});
    let caught = std::panic::catch_unwind(|| {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        check(
            "opportunities.json",
            &Method::GET,
            path,
            status,
            &wrong_error,
        );
    });
    assert!(caught.is_err(), "a 422 message that is not an array passed");
}
