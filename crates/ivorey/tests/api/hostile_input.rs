//! Hostile and malformed input over real HTTP: broken tokens, bad `Version` headers, bodies that
//! are not JSON, too large or invalid, out-of-range list parameters, malformed ids and bad
//! management input. Every answer is a clear 4xx in the API's error shape, never a 5xx, never a
//! database or panic message, and a refused write leaves nothing behind.

use ivorey_core::{LocationId, Scope, Token};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};

use crate::common::{Admin, TestApp, VERSION};

on_both_backends!(
    malformed_tokens_are_invalid_and_a_lowercase_scheme_is_accepted,
    the_version_header_must_name_a_served_version,
    bodies_that_are_not_json_or_too_large_are_refused_and_write_nothing,
    contact_fields_are_validated_and_every_problem_is_named,
    a_json_array_is_not_accepted_as_a_contact,
    list_parameters_out_of_range_are_refused,
    a_nul_byte_in_list_parameters_is_refused_on_both_backends,
    a_nul_in_any_documented_input_is_refused_naming_it,
    a_nul_in_a_form_submission_is_refused_naming_it,
    a_malformed_contact_id_in_the_path_is_a_bad_request,
    a_path_that_is_not_utf8_is_answered_in_the_error_shape,
    integration_inputs_are_validated_and_nothing_is_half_written,
    bad_edits_and_rotations_change_nothing,
    the_admin_name_given_at_setup_is_validated,
    every_error_carries_its_status_and_trace_id_and_nothing_internal,
    unknown_routes_and_wrong_methods_answer_in_json,
);

const ACCEPTED: &str = "2021-07-28, 2021-04-15, 2023-02-21";
const LIMIT: usize = 256 * 1024;
const ANONYMOUS: &str = "contact needs at least one of firstName, lastName, name, email or phone";
const EMAIL: &str = "email must be an email address";
const PHONE: &str = "phone must be a phone number such as +1 888-888-8888";
const COUNTRY: &str = "country must be a two-letter country code such as US";
const RFC3339: &str = "expiresAt must be an RFC 3339 date-time or a YYYY-MM-DD date";
const NO_NAME: &str = "name must not be empty";
const NO_SCOPES: &str = "scopes must contain at least one scope";
const PAST: &str = "expiresAt must be in the future";
const NO_CHANGE: &str =
    "body must change at least one of name, description, scopes, expiresAt, ipAllowlist";
const NOT_AN_ID: &str = "contactId must be a 20-character alphanumeric id";
const NOT_A_NUMBER: &str = "invalid digit found in string";

/// Sends `request` and checks what every answer must keep: no 5xx, a trace id header, JSON, and
/// for an error a `statusCode` equal to the status, a `traceId` equal to the header, and nothing
/// from SQL, the database driver or a panic.
async fn send(request: RequestBuilder) -> (StatusCode, Value, HeaderMap) {
    let response = request.send().await.expect("request");
    let (status, headers) = (response.status(), response.headers().clone());
    let text = response.text().await.expect("body");
    assert!(!status.is_server_error(), "{status}: {text}");
    let trace = headers.get("x-trace-id").and_then(|v| v.to_str().ok());
    let traced = trace.is_some_and(|t| t.len() == 32);
    assert!(traced, "{status}: {headers:?}");
    let body: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status}, not JSON ({e}): {text}"));
    if status.is_client_error() {
        assert_eq!(body["statusCode"], status.as_u16(), "{text}");
        assert_eq!(body["traceId"].as_str(), trace, "{text}");
        assert!(!text.contains("SELECT"), "{text}");
        for word in ["sqlite", "postgres", "panicked", "rusqlite"] {
            assert!(!text.to_lowercase().contains(word), "{word} leaked: {text}");
        }
    }
    (status, body, headers)
}

/// Sends `request` and checks the body without its `traceId`, and the status it names.
async fn expect(request: RequestBuilder, expected: &Value) {
    let (status, mut body, _) = send(request).await;
    assert_eq!(status.as_u16(), expected["statusCode"], "{body}");
    body.as_object_mut().map(|map| map.remove("traceId"));
    assert_eq!(&body, expected);
}

/// The API's error body: a 422 lists its messages; 4xx other than 404, 405, 413 and 415 name
/// their reason in `error`.
fn shape(status: u16, message: &str) -> Value {
    let code = StatusCode::from_u16(status).expect("status");
    match status {
        422 => unprocessable(&[message]),
        404 | 405 | 413 | 415 => json!({"statusCode": status, "message": message}),
        _ => json!({"statusCode": status, "message": message, "error": code.canonical_reason()}),
    }
}

fn unprocessable(messages: &[&str]) -> Value {
    json!({"statusCode": 422, "message": messages, "error": "Unprocessable Entity"})
}

/// Sends `request` and checks for a 422 with one message that starts with `start`.
async fn expect_422_starting(request: RequestBuilder, start: &str) {
    let (status, body, _) = send(request).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{start}: {body}");
    assert_eq!(body["message"].as_array().map(Vec::len), Some(1), "{body}");
    let message = body["message"][0].as_str().unwrap_or_default();
    assert!(message.starts_with(start), "{start}: {body}");
}

fn len(body: &Value, key: &str) -> Option<usize> {
    body[key].as_array().map(Vec::len)
}

fn public(app: &TestApp, token: &str, method: Method, path: &str) -> RequestBuilder {
    let request = app.http.request(method, app.url(path));
    request.bearer_auth(token).header("Version", VERSION)
}

fn managed(app: &TestApp, admin: &Admin, method: Method, path: &str) -> RequestBuilder {
    let (cookie, csrf) = (&admin.session.cookie, &admin.session.csrf);
    let request = app.http.request(method, app.url(path));
    request
        .header("cookie", cookie)
        .header("x-csrf-token", csrf)
}

/// A location with a token holding the location and contacts scopes, and one contact.
async fn setup(app: &TestApp) -> (Admin, String, String) {
    let admin = app.new_admin("Hostile Input").await;
    let scopes = ["locations.readonly", "contacts.readonly", "contacts.write"];
    let (_, token) = app.integration(&admin, &scopes).await;
    let contact = app.contact(&token, &admin.location, "Steady").await;
    (admin, token, contact)
}

/// The public API's view of the location's contacts, to prove a refused write changed nothing.
async fn contacts(app: &TestApp, token: &str, loc: &str) -> Value {
    let path = format!("/contacts/?locationId={loc}&limit=100");
    let (status, mut body, _) = send(public(app, token, Method::GET, &path)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_object_mut().map(|map| map.remove("traceId"));
    body
}

fn bearer(token: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("Bearer {token}")).expect("header value")
}

async fn malformed_tokens_are_invalid_and_a_lowercase_scheme_is_accepted(app: TestApp) {
    let (admin, token, _) = setup(&app).await;
    let path = format!("/locations/{}", admin.location);
    let get = || app.http.get(app.url(&path)).header("Version", VERSION);
    let mut changed = token.clone().into_bytes();
    changed[20] = if changed[20] == b'a' { b'b' } else { b'a' };
    let changed = String::from_utf8(changed).expect("ascii");
    let unknown = Token::generate();
    #[rustfmt::skip]
    let cases = [
        ("empty bearer", HeaderValue::from_static("Bearer ")),
        ("no scheme", HeaderValue::from_str(&token).expect("header value")),
        ("wrong prefix", bearer(&token.replacen("ivorey_pit_", "ivorey_pat_", 1))),
        ("truncated", bearer(&token[..token.len() - 1])),
        ("one character changed", bearer(&changed)),
        ("well-formed but unknown", bearer(unknown.expose_secret())),
        ("basic", HeaderValue::from_static("Basic dXNlcjpwYXNzd29yZA==")),
        ("10 KB of garbage", bearer(&"x7!".repeat(3414))),
        ("non-ASCII", HeaderValue::from_bytes("Bearer ivorey_pit_ünï".as_bytes()).unwrap()),
    ];
    let invalid = shape(401, "Invalid token: access token is invalid");
    for (case, header) in cases {
        let (status, mut body, headers) = send(get().header("authorization", header)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{case}: {body}");
        body.as_object_mut().map(|map| map.remove("traceId"));
        assert_eq!(body, invalid, "{case}");
        let challenge = &headers["www-authenticate"];
        assert_eq!(challenge, "Bearer realm=\"ivorey\"", "{case}");
    }
    let (status, body, _) = send(get().header("authorization", format!("bearer {token}"))).await;
    assert_eq!(status, StatusCode::OK, "lowercase scheme: {body}");
    assert_eq!(body["location"]["id"], admin.location.as_str());
    let missing =
        "Missing token: send the header Authorization: Bearer <Private Integration token>";
    expect(get(), &shape(401, missing)).await;
}

async fn the_version_header_must_name_a_served_version(app: TestApp) {
    let (admin, token, _) = setup(&app).await;
    let path = format!("/locations/{}", admin.location);
    let get = || app.http.get(app.url(&path)).bearer_auth(&token);
    let missing = format!("Missing Version header. Send one of: {ACCEPTED}.");
    expect(get(), &shape(400, &missing)).await;
    let old = format!("Unsupported Version header \"1999-01-01\". Send one of: {ACCEPTED}.");
    expect(get().header("Version", "1999-01-01"), &shape(400, &old)).await;
    let v3 = "API version v3 is not served yet. Send a Version header with one of";
    let v3 = format!("{v3}: {ACCEPTED}.");
    expect(get().header("Version", "v3"), &shape(400, &v3)).await;
    for version in ["2021-07-28", "2021-04-15", "2023-02-21"] {
        let (status, body, _) = send(get().header("Version", version)).await;
        assert_eq!(status, StatusCode::OK, "{version}: {body}");
        assert_eq!(body["location"]["id"], admin.location.as_str(), "{version}");
    }
    // A write with a refused version writes nothing.
    let before = contacts(&app, &token, &admin.location).await;
    let body = json!({"locationId": admin.location, "firstName": "Versionless"});
    let request = app.http.post(app.url("/contacts/")).bearer_auth(&token);
    let request = request.header("Version", "v3").json(&body);
    expect(request, &shape(400, &v3)).await;
    assert_eq!(contacts(&app, &token, &admin.location).await, before);
}

async fn bodies_that_are_not_json_or_too_large_are_refused_and_write_nothing(app: TestApp) {
    let (admin, token, contact) = setup(&app).await;
    let loc = admin.location.as_str();
    let before = contacts(&app, &token, loc).await;
    let post = || public(&app, &token, Method::POST, "/contacts/");
    let put = public(&app, &token, Method::PUT, &format!("/contacts/{contact}"));
    let create = || managed(&app, &admin, Method::POST, &admin.integrations_path());
    let typed = |request: RequestBuilder| request.header("content-type", "application/json");
    let not_json = shape(400, "The request body is not valid JSON.");
    let media = shape(415, "Unsupported Media Type");
    let too_large = shape(413, "Payload Too Large");
    let valid = json!({"locationId": loc, "firstName": "Fine"}).to_string();
    let huge = json!({"locationId": loc, "firstName": "x".repeat(LIMIT)});
    let huge_integration = json!({"name": "x".repeat(LIMIT), "scopes": ["contacts.readonly"]});
    #[rustfmt::skip]
    let cases = [
        (typed(post()).body("{\"firstName\": "), &not_json),
        (typed(put).body("{'firstName': 1}"), &not_json),
        (typed(create()).body("{"), &not_json),
        (post().header("content-type", "text/plain").body(valid.clone()), &media),
        (post().body(valid), &media),
        (post().json(&huge), &too_large),
        (create().json(&huge_integration), &too_large),
    ];
    for (request, expected) in cases {
        expect(request, expected).await;
    }
    assert_eq!(contacts(&app, &token, loc).await, before);
    let list = managed(&app, &admin, Method::GET, &admin.integrations_path());
    let (_, listed, _) = send(list).await;
    assert_eq!(len(&listed, "integrations"), Some(1), "{listed}");
}

async fn contact_fields_are_validated_and_every_problem_is_named(app: TestApp) {
    let (admin, token, contact) = setup(&app).await;
    let loc = admin.location.as_str();
    let before = contacts(&app, &token, loc).await;
    let path = format!("/contacts/{contact}");
    let post = |body: Value| public(&app, &token, Method::POST, "/contacts/").json(&body);
    let put = |body: Value| public(&app, &token, Method::PUT, &path).json(&body);
    #[rustfmt::skip]
    let shapes = [
        (post(json!({"locationId": loc, "firstName": "A", "favouriteColour": "teal"})),
            "favouriteColour: unknown field `favouriteColour`, expected one of `locationId`"),
        (post(json!({"locationId": loc, "firstName": 42})), "firstName: invalid type: integer"),
        (post(json!({"locationId": loc, "firstName": "A", "tags": "vip"})),
            "tags: invalid type: string \"vip\", expected a sequence"),
        (put(json!({"locationId": loc})), "locationId: unknown field `locationId`, expected"),
        (put(json!({"dnd": "yes"})), "dnd: invalid type: string \"yes\", expected a boolean"),
    ];
    for (request, start) in shapes {
        expect_422_starting(request, start).await;
    }
    let formats = [EMAIL, PHONE, COUNTRY];
    let x256 = "x".repeat(256);
    let bad = json!({"email": "nope", "phone": "call me", "country": "USA"});
    let mut bad_create = bad.clone();
    bad_create["locationId"] = json!(loc);
    #[rustfmt::skip]
    let invalid = [
        (post(json!({"locationId": loc, "city": "Dolomite"})), vec![ANONYMOUS]),
        (post(json!({"firstName": "Homeless"})), vec!["locationId should not be empty"]),
        (post(bad_create), formats.to_vec()),
        (put(bad), formats.to_vec()),
        (put(json!({"firstName": "Valid", "email": "still@wrong"})), vec![EMAIL]),
        (put(json!({"lastName": x256})), vec!["lastName must be at most 255 characters"]),
        (put(json!({"city": "Nul\u{0}"})), vec!["city must not contain NUL characters"]),
        (put(json!({"city": "Bell\u{7}"})), vec!["city must not contain control characters"]),
    ];
    for (request, messages) in invalid {
        expect(request, &unprocessable(&messages)).await;
    }
    let after = contacts(&app, &token, loc).await;
    assert_eq!(after, before, "nothing half-written");
}

async fn a_json_array_is_not_accepted_as_a_contact(app: TestApp) {
    let (admin, token, _) = setup(&app).await;
    let before = contacts(&app, &token, &admin.location).await;
    // serde reads a derived struct from a sequence too: field by field, in declaration order.
    let mut positional = vec![json!(admin.location), json!("Positional")];
    for length in [2, 21] {
        positional.resize(length, Value::Null);
        let request = public(&app, &token, Method::POST, "/contacts/").json(&positional);
        let (status, body, _) = send(request).await;
        assert_eq!(status.as_u16(), 422, "{length} elements: {body}");
    }
    assert_eq!(contacts(&app, &token, &admin.location).await, before);
}

async fn list_parameters_out_of_range_are_refused(app: TestApp) {
    let (admin, token, _) = setup(&app).await;
    let list = |query: &str| {
        let path = format!("/contacts/?locationId={}&{query}", admin.location);
        public(&app, &token, Method::GET, &path)
    };
    let long = format!("query={}", "q".repeat(201));
    let range = "limit must be between 1 and 100";
    #[rustfmt::skip]
    let cases = [
        ("limit=0", range.to_owned()),
        ("limit=101", range.to_owned()),
        ("limit=abc", format!("limit: {NOT_A_NUMBER}")),
        ("limit=-1", format!("limit: {NOT_A_NUMBER}")),
        ("limit=4294967296", "limit: number too large to fit in target type".to_owned()),
        ("startAfter=soon", format!("startAfter: {NOT_A_NUMBER}")),
        ("startAfterId=abcdefghij0123456789", "startAfterId needs startAfter".to_owned()),
        (&long, "query must be at most 200 characters".to_owned()),
    ];
    for (query, message) in cases {
        expect(list(query), &shape(422, &message)).await;
    }
    // The edges are served; wildcards and injection attempts match only themselves.
    let injection = "query=%27%20OR%20%271%27%3D%271";
    let served = [
        ("limit=1", 1),
        ("limit=100", 1),
        ("query=steady", 1),
        (injection, 0),
    ];
    for (query, n) in served.into_iter().chain([("query=%25", 0), ("query=_", 0)]) {
        let (status, body, _) = send(list(query)).await;
        assert_eq!(status, StatusCode::OK, "{query}: {body}");
        assert_eq!(len(&body, "contacts"), Some(n), "{query}: {body}");
        assert_eq!(body["count"], n, "{query}: {body}");
    }
}

async fn a_nul_byte_in_list_parameters_is_refused_on_both_backends(app: TestApp) {
    let (admin, token, _) = setup(&app).await;
    let cases = [
        ("query=%00", "query"),
        ("query=a%00b", "query"),
        ("startAfter=1&startAfterId=%00", "startAfterId"),
    ];
    for (query, field) in cases {
        let path = format!("/contacts/?locationId={}&{query}", admin.location);
        let (status, body, _) = send(public(&app, &token, Method::GET, &path)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        let message = body["message"][0].as_str().unwrap_or_default();
        assert!(message.starts_with(field), "{query}: {body}");
    }
}

/// Path and query parameters that name the location: the scope gate answers a NUL there as
/// another location's id (403), before any extractor reads it.
const LOCATION_PARAMS: [&str; 3] = ["locationId", "location_id", "altId"];

fn nul_refused(field: &str) -> Value {
    unprocessable(&[&format!("{field} must not contain NUL characters")])
}

/// Walks `/openapi.json`: a NUL in each path parameter, each query parameter and a body field of
/// every operation, with a token holding every scope, is a 422 naming it (PostgreSQL cannot
/// hold NUL in text, so it answered 500 in 14 of them), the same on both backends.
async fn a_nul_in_any_documented_input_is_refused_naming_it(app: TestApp) {
    let admin = app.new_admin("Nul Everywhere").await;
    let all: Vec<&str> = Scope::ALL.iter().map(|s| s.name()).collect();
    let (_, token) = app.integration(&admin, &all).await;
    let loc = admin.location.as_str();
    let response = app.http.get(app.url("/openapi.json")).send().await;
    let doc: Value = response.expect("openapi").json().await.expect("JSON");
    let wrong_location = shape(403, "The token does not have access to this location.");
    let mut checked = 0;
    for (template, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let method: Method = method.to_uppercase().parse().expect("method");
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let named = |place: &str| -> Vec<String> {
                let of_place = params.iter().filter(|p| p["in"] == place);
                of_place
                    .filter_map(|p| p["name"].as_str().map(str::to_owned))
                    .collect()
            };
            let (in_path, in_query) = (named("path"), named("query"));
            // The URL with a NUL in `target` (a parameter name), every location parameter set
            // to the token's location and well-formed ids that exist nowhere for the others.
            let url = |target: &str| {
                let path: Vec<String> = template
                    .split('/')
                    .map(
                        |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                            Some(name) if name == target => "a%00b".to_owned(),
                            Some("locationId") => loc.to_owned(),
                            Some(_) => LocationId::generate().to_string(),
                            None => seg.to_owned(),
                        },
                    )
                    .collect();
                let mut query: Vec<String> = in_query
                    .iter()
                    .filter(|name| LOCATION_PARAMS.contains(&name.as_str()) && *name != target)
                    .map(|name| format!("{name}={loc}"))
                    .collect();
                if in_query.iter().any(|name| name == target) {
                    query.push(format!("{target}=a%00b"));
                }
                format!("{}?{}", path.join("/"), query.join("&"))
            };
            for target in in_path.iter().chain(&in_query) {
                let request = public(&app, &token, method.clone(), &url(target));
                let request = match op.get("requestBody") {
                    Some(_) => request.json(&json!({"locationId": loc})),
                    None => request,
                };
                let expected = match LOCATION_PARAMS.contains(&target.as_str()) {
                    true => wrong_location.clone(),
                    false => nul_refused(target),
                };
                let (status, mut body, _) = send(request).await;
                body.as_object_mut().map(|map| map.remove("traceId"));
                assert_eq!(body, expected, "{method} {template} {target}: {status}");
                checked += 1;
            }
            if op.get("requestBody").is_some() {
                let body = json!({"locationId": loc, "nulProbe": "a\u{0}b"});
                let request = public(&app, &token, method.clone(), &url("")).json(&body);
                expect(request, &nul_refused("nulProbe")).await;
                checked += 1;
            }
        }
    }
    assert!(checked >= 150, "only {checked} inputs checked");
    // The body inputs that reached PostgreSQL, as clients send them: nested ones are named by
    // their path.
    let search = |field: &str| {
        json!({"locationId": loc, "pageLimit": 10,
        "filters": [{"field": field, "operator": "eq", "value": "a\u{0}b"}]})
    };
    let tags = json!({"locationId": loc, "filters": [{"field": "tags", "operator": "contains",
        "value": ["ok", "\u{0}"]}]});
    #[rustfmt::skip]
    let bodies = [
        ("/contacts/search", search("email"), "filters[0].value"),
        ("/contacts/search", search("firstNameLowerCase"), "filters[0].value"),
        ("/contacts/search", tags, "filters[0].value[1]"),
        ("/contacts/upsert", json!({"locationId": loc, "email": "a\u{0}@example.com"}), "email"),
    ];
    for (path, body, field) in bodies {
        let request = public(&app, &token, Method::POST, path).json(&body);
        expect(request, &nul_refused(field)).await;
    }
    let (_, listed, _) = send(public(
        &app,
        &token,
        Method::GET,
        &format!("/contacts/?locationId={loc}"),
    ))
    .await;
    assert_eq!(listed["count"], 0, "nothing was written: {listed}");
}

/// The token-less form endpoint reads its own body (JSON or urlencoded): the same refusal.
async fn a_nul_in_a_form_submission_is_refused_naming_it(app: TestApp) {
    let admin = app.new_admin("Nul Forms").await;
    let path = format!("/manage/locations/{}/forms", admin.location);
    let field = json!({"key": "email", "label": "Email", "type": "email", "required": true});
    let definition = json!({"name": "Contact", "fields": [field]});
    let (status, body) = app
        .manage(&admin.session, Method::POST, &path, Some(definition))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let submit = format!(
        "/forms/submit/{}",
        body["form"]["id"].as_str().expect("form id")
    );
    let post = |path: &str| app.http.post(app.url(path));
    let urlencoded = |body: &'static str| {
        post(&submit)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    };
    #[rustfmt::skip]
    let cases = [
        (post(&submit).json(&json!({"email": "a\u{0}@example.com"})), "email"),
        (urlencoded("email=a%00%40example.com"), "email"),
        (urlencoded("em%00ail=a%40example.com"), "em\\u0000ail"),
        (post("/forms/submit/a%00b").json(&json!({"email": "a@example.com"})), "formId"),
    ];
    for (request, field) in cases {
        expect(request, &nul_refused(field)).await;
    }
}

async fn a_malformed_contact_id_in_the_path_is_a_bad_request(app: TestApp) {
    let (admin, token, contact) = setup(&app).await;
    let before = contacts(&app, &token, &admin.location).await;
    let short = &contact[..19];
    let (traversal, accents) = ("..%2F..%2Fetc%2Fpasswd", "%C3%A9".repeat(20));
    #[rustfmt::skip]
    let ids = [short, &format!("{contact}x"), &format!("{short}-"), &format!("{short}%20"),
        traversal, &accents];
    for id in ids {
        for method in [Method::GET, Method::PUT, Method::DELETE] {
            let request = public(&app, &token, method.clone(), &format!("/contacts/{id}"));
            let request = match method {
                Method::PUT => request.json(&json!({"firstName": "Changed"})),
                _ => request,
            };
            expect(request, &shape(400, NOT_AN_ID)).await;
        }
    }
    assert_eq!(contacts(&app, &token, &admin.location).await, before);
}

async fn a_path_that_is_not_utf8_is_answered_in_the_error_shape(app: TestApp) {
    let (admin, token, _) = setup(&app).await;
    let api = |path: &str| public(&app, &token, Method::GET, path);
    let requests = [
        (api("/contacts/%FF%FE"), "contactId"),
        (api("/locations/%FF"), "locationId"),
        (
            managed(&app, &admin, Method::GET, "/manage/locations/%FF"),
            "locationId",
        ),
    ];
    for (request, parameter) in requests {
        let (status, body, _) = send(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let message = body["message"].as_str().unwrap_or_default();
        assert!(message.contains(parameter), "{parameter}: {body}");
    }
}

async fn integration_inputs_are_validated_and_nothing_is_half_written(app: TestApp) {
    let (admin, _, _) = setup(&app).await;
    let path = admin.integrations_path();
    let create = |body: &Value| managed(&app, &admin, Method::POST, &path).json(body);
    let with = |name: &str, extra: Value| {
        let mut body = json!({"name": name, "scopes": ["contacts.readonly"]});
        let extra = extra.as_object().cloned().unwrap_or_default();
        body.as_object_mut().expect("object").extend(extra);
        body
    };
    let unknown = "scopes contains unknown scopes: contacts.admin, nope";
    #[rustfmt::skip]
    let cases = [
        (with("", json!({})), vec![NO_NAME]),
        (with(" \t ", json!({})), vec![NO_NAME]),
        (with(&"n".repeat(101), json!({})), vec!["name must be at most 100 characters"]),
        (with("Ok", json!({"description": "d".repeat(1001)})),
            vec!["description must be at most 1000 characters"]),
        (with("Ok", json!({"scopes": []})), vec![NO_SCOPES]),
        (with("Ok", json!({"scopes": ["contacts.admin", "forms.write", "nope"]})), vec![unknown]),
        (with("Ok", json!({"expiresAt": "2001-01-01T00:00:00Z"})), vec![PAST]),
        (with("Ok", json!({"expiresAt": "next tuesday"})), vec![RFC3339]),
        (with("", json!({"scopes": [], "expiresAt": "soon"})), vec![NO_NAME, NO_SCOPES, RFC3339]),
    ];
    for (body, messages) in cases {
        expect(create(&body), &unprocessable(&messages)).await;
    }
    let owner = "owner: unknown field `owner`, expected one of `name`, `description`, `scopes`";
    expect_422_starting(create(&with("Ok", json!({"owner": "me"}))), owner).await;
    expect_422_starting(create(&json!({"name": "Ok"})), "missing field `scopes`").await;
    let (_, listed, _) = send(managed(&app, &admin, Method::GET, &path)).await;
    assert_eq!(len(&listed, "integrations"), Some(1), "{listed}");
    // 100 characters are fine, and the name is stored trimmed.
    let name = "n".repeat(100);
    let longest = json!({"description": "d".repeat(1000)});
    let body = with(&format!("  {name}\t "), longest);
    let (status, created, _) = send(create(&body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["integration"]["name"], name.as_str());
}

async fn bad_edits_and_rotations_change_nothing(app: TestApp) {
    let (admin, _, _) = setup(&app).await;
    let (id, token) = app.integration(&admin, &["locations.readonly"]).await;
    let path = admin.integration_path(&id);
    let rotate = format!("{path}/rotate");
    let (_, before, _) = send(managed(&app, &admin, Method::GET, &path)).await;
    let patch = |body: Value| managed(&app, &admin, Method::PATCH, &path).json(&body);
    let rotation = |body: Value| managed(&app, &admin, Method::POST, &rotate).json(&body);
    let variant = "expire: unknown variant `sometime`, expected `later` or `now`";
    let grace = "grace: unknown field `grace`, expected `expire`";
    let unknown_scope = "scopes contains unknown scopes: calendars.admin";
    #[rustfmt::skip]
    let cases = [
        (patch(json!({})), NO_CHANGE),
        (patch(json!({"name": "   "})), NO_NAME),
        (patch(json!({"name": "Renamed", "scopes": []})), NO_SCOPES),
        (patch(json!({"scopes": ["calendars.admin"]})), unknown_scope),
        (patch(json!({"description": "Fine", "expiresAt": "yesterday"})), RFC3339),
        (rotation(json!({"expire": "sometime"})), variant),
        (rotation(json!({"expire": "now", "grace": 1})), grace),
    ];
    for (request, message) in cases {
        expect(request, &shape(422, message)).await;
    }
    let owner = "owner: unknown field `owner`, expected one of `name`, `description`, `scopes`";
    expect_422_starting(patch(json!({"name": "Renamed", "owner": "me"})), owner).await;
    expect_422_starting(rotation(json!({})), "missing field `expire`").await;
    let (_, after, _) = send(managed(&app, &admin, Method::GET, &path)).await;
    let (after, before) = (&after["integration"], &before["integration"]);
    assert_eq!(after, before, "nothing half-written");
    let location = format!("/locations/{}", admin.location);
    let (status, _, _) = send(public(&app, &token, Method::GET, &location)).await;
    assert_eq!(status, StatusCode::OK, "the token was not rotated");
}

async fn the_admin_name_given_at_setup_is_validated(app: TestApp) {
    let setup = |name: &str| {
        let mut body = json!({"businessName": "X", "email": "a@b.io", "password": "long enough"});
        body["name"] = json!(name);
        app.http.post(app.url("/manage/setup")).json(&body)
    };
    for name in ["Nul\u{0}Name".to_owned(), "n".repeat(101)] {
        let (status, body, _) = send(setup(&name)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let message = body["message"][0].as_str().unwrap_or_default();
        assert!(message.starts_with("name "), "{body}");
    }
    let (_, body, _) = send(app.http.get(app.url("/manage/setup"))).await;
    assert_eq!(body["setupNeeded"], true, "nothing was created");
}

async fn every_error_carries_its_status_and_trace_id_and_nothing_internal(app: TestApp) {
    let (admin, token, _) = setup(&app).await;
    let other = app.new_admin("Someone Else").await;
    let (loc, elsewhere) = (admin.location.as_str(), other.location.as_str());
    let get = |path: &str| app.http.get(app.url(path));
    let post = |path: &str| app.http.post(app.url(path));
    let api = |path: &str| public(&app, &token, Method::GET, path);
    let manage = |method: Method, path: &str| managed(&app, &admin, method, path);
    let injected = json!({"locationId": loc, "email": "'; DROP TABLE contacts; --"});
    let first_run = json!({"businessName": "X", "email": "x@x.io", "password": "long enough"});
    let login = json!({"email": "x@example.com' OR 1=1 --", "password": "\u{0}"});
    let nul_name = json!({"name": "\0"});
    let forged = public(&app, "ivorey_pit_' OR 1=1 --", Method::GET, "/contacts/");
    #[rustfmt::skip]
    let requests = [
        (forged, 401),
        (api("/locations/x'%20OR%20'1'='1"), 403),
        (api(&format!("/contacts/?locationId={elsewhere}")), 403),
        (api("/contacts/aaaaaaaaaaaaaaaaaaaa"), 404),
        (public(&app, &token, Method::POST, "/contacts/").json(&injected), 422),
        (get("/manage/me"), 401),
        (get("/manage/me").header("cookie", "ivorey_session=' OR 1=1 --"), 401),
        (post("/manage/logout").header("cookie", &admin.session.cookie), 403),
        (manage(Method::GET, &format!("/manage/locations/{elsewhere}")), 404),
        (manage(Method::GET, &admin.integration_path("nope")), 404),
        (manage(Method::GET, &format!("/manage/locations/{loc}/audit-log?limit=0")), 422),
        (manage(Method::PUT, &format!("/manage/locations/{loc}")).json(&nul_name), 422),
        (post("/manage/setup").json(&first_run), 409),
        (post("/manage/login").json(&login), 422),
    ];
    for (request, expected) in requests {
        let (status, body, _) = send(request).await;
        assert_eq!(status.as_u16(), expected, "{body}");
    }
}

async fn unknown_routes_and_wrong_methods_answer_in_json(app: TestApp) {
    let (admin, token, contact) = setup(&app).await;
    let not_found = shape(404, "No such endpoint");
    let paths = ["/", "/contacts", "/contacts/a/b", "/v3/contacts/"];
    for path in paths.into_iter().chain(["/manage/nope"]) {
        expect(public(&app, &token, Method::GET, path), &not_found).await;
        let (_, _, headers) = send(public(&app, &token, Method::GET, path)).await;
        let content_type = &headers["content-type"];
        assert_eq!(content_type, "application/json; charset=utf-8", "{path}");
    }
    let wrong = [
        (Method::DELETE, "/contacts/".to_owned()),
        (Method::POST, format!("/contacts/{contact}")),
        (Method::PATCH, format!("/locations/{}", admin.location)),
        (Method::GET, "/manage/login".to_owned()),
        (Method::DELETE, admin.integrations_path()),
    ];
    let not_allowed = shape(405, "Method Not Allowed");
    for (method, path) in wrong {
        expect(managed(&app, &admin, method, &path), &not_allowed).await;
    }
}
