//! Every public endpoint against every way a token can be wrong for it: a missing scope (401 and
//! nothing changed), Edit without View and the reverse, another location's ids (403, or a 404
//! indistinguishable from an id that does not exist), and the management API, which no token
//! may call.

use ivorey_core::{ContactId, LocationId, Scope};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Admin, PASSWORD, TestApp};

on_both_backends!(
    a_token_without_the_scope_is_refused_on_every_endpoint,
    edit_does_not_imply_view_and_view_does_not_imply_edit,
    another_locations_ids_are_refused_or_unknown_and_nothing_leaks,
    a_token_can_never_call_a_signed_in_route_of_the_management_api,
    a_token_is_refused_by_the_sign_in_and_setup_routes_too,
);

const MISSING_SCOPE: &str = "The token is not authorized for this scope.";
const WRONG_LOCATION: &str = "The token does not have access to this location.";
const NO_TOKENS: &str =
    "Private Integration tokens cannot call the management API. Sign in as an admin instead.";

/// One public endpoint. `{loc}` and `{contact}` in the path are replaced by the ids under test.
struct Endpoint {
    method: Method,
    path: &'static str,
    scope: Scope,
    /// The request body, given the location id.
    body: Option<fn(&str) -> Value>,
    success: StatusCode,
}

#[rustfmt::skip]
fn endpoints() -> [Endpoint; 6] {
    let create: fn(&str) -> Value = |loc| json!({"locationId": loc, "firstName": "Intruder"});
    let update: fn(&str) -> Value = |_| json!({"firstName": "Changed"});
    let e = |method, path, scope, body, success| Endpoint { method, path, scope, body, success };
    [
        e(Method::GET, "/locations/{loc}", Scope::LocationsRead, None, StatusCode::OK),
        e(Method::POST, "/contacts/", Scope::ContactsWrite, Some(create), StatusCode::CREATED),
        e(Method::GET, "/contacts/?locationId={loc}", Scope::ContactsRead, None, StatusCode::OK),
        e(Method::GET, "/contacts/{contact}", Scope::ContactsRead, None, StatusCode::OK),
        e(Method::PUT, "/contacts/{contact}", Scope::ContactsWrite, Some(update), StatusCode::OK),
        e(Method::DELETE, "/contacts/{contact}", Scope::ContactsWrite, None, StatusCode::OK),
    ]
}

impl Endpoint {
    fn name(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// Whether the endpoint addresses a contact (path) rather than a location (path, query, body).
    fn by_contact(&self) -> bool {
        self.path.contains("{contact}")
    }

    async fn call(
        &self,
        app: &TestApp,
        token: &str,
        loc: &str,
        contact: &str,
    ) -> (StatusCode, Value) {
        let path = self
            .path
            .replace("{loc}", loc)
            .replace("{contact}", contact);
        let body = self.body.map(|build| build(loc));
        app.api(token, self.method.clone(), &path, body).await
    }
}

async fn token_with(
    app: &TestApp,
    admin: &Admin,
    scopes: impl IntoIterator<Item = Scope>,
) -> String {
    let names: Vec<&str> = scopes.into_iter().map(Scope::name).collect();
    app.integration(admin, &names).await.1
}

fn all_scopes() -> impl Iterator<Item = Scope> {
    Scope::ALL.iter().copied()
}

/// The body without its `traceId`, which must be there and differs on every response.
fn untraced(mut body: Value) -> Value {
    let trace = body.as_object_mut().and_then(|map| map.remove("traceId"));
    let traced = trace.as_ref().is_some_and(Value::is_string);
    assert!(traced, "no traceId: {body}");
    body
}

/// Everything the public API shows of a location's contacts: a refused request leaves it as is.
async fn contacts_of(app: &TestApp, token: &str, loc: &str) -> Value {
    let path = format!("/contacts/?locationId={loc}&limit=100");
    let (status, body) = app.api(token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    untraced(body)
}

async fn a_token_without_the_scope_is_refused_on_every_endpoint(app: TestApp) {
    let admin = app.new_admin("Scope Matrix").await;
    let loc = admin.location.as_str();
    let all = token_with(&app, &admin, all_scopes()).await;
    let contact = app.contact(&all, loc, "Kept").await;
    for endpoint in endpoints() {
        let others = all_scopes().filter(|s| *s != endpoint.scope);
        let token = token_with(&app, &admin, others).await;
        let before = contacts_of(&app, &all, loc).await;
        let (status, body) = endpoint.call(&app, &token, loc, &contact).await;
        let name = endpoint.name();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{name}: {body}");
        let expected = json!({"statusCode": 401, "message": MISSING_SCOPE});
        assert_eq!(untraced(body), expected, "{name}");
        let after = contacts_of(&app, &all, loc).await;
        assert_eq!(after, before, "{name} changed data");
    }
    let path = format!("/contacts/{contact}");
    let (status, body) = app.api(&all, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["contact"]["firstName"], "Kept");
}

async fn edit_does_not_imply_view_and_view_does_not_imply_edit(app: TestApp) {
    let admin = app.new_admin("Edit Without View").await;
    let loc = admin.location.as_str();
    let all = token_with(&app, &admin, all_scopes()).await;
    let single = [
        Scope::ContactsWrite,
        Scope::ContactsRead,
        Scope::LocationsRead,
    ];
    for held in single {
        let token = token_with(&app, &admin, [held]).await;
        for endpoint in endpoints() {
            let contact = app.contact(&all, loc, "Subject").await;
            let (status, body) = endpoint.call(&app, &token, loc, &contact).await;
            let what = format!("{held} on {}: {body}", endpoint.name());
            if endpoint.scope != held {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}");
                assert_eq!(body["message"], MISSING_SCOPE, "{what}");
                continue;
            }
            assert_eq!(status, endpoint.success, "{what}");
            // The allowed call did what it says, and only that.
            let path = format!("/contacts/{contact}");
            let (status, after) = app.api(&all, Method::GET, &path, None).await;
            match endpoint.method {
                Method::DELETE => assert_eq!(status, StatusCode::NOT_FOUND, "{what}"),
                Method::PUT => assert_eq!(after["contact"]["firstName"], "Changed", "{what}"),
                _ => assert_eq!(after["contact"]["firstName"], "Subject", "{what}"),
            }
        }
    }
}

async fn another_locations_ids_are_refused_or_unknown_and_nothing_leaks(app: TestApp) {
    let a = app.new_admin("Location A").await;
    let b = app.new_admin("Location B").await;
    let a_all = token_with(&app, &a, all_scopes()).await;
    let b_all = token_with(&app, &b, all_scopes()).await;
    let a_contact = app.contact(&a_all, &a.location, "Alice").await;
    let b_contact = app.contact(&b_all, &b.location, "Bob").await;
    let a_before = contacts_of(&app, &a_all, &a.location).await;
    let b_before = contacts_of(&app, &b_all, &b.location).await;
    let (ghost_loc, ghost_contact) = (LocationId::generate(), ContactId::generate());
    let (ghost_loc, ghost_contact) = (ghost_loc.as_str(), ghost_contact.as_str());
    let not_found = json!({"statusCode": 404, "message": "Contact not found"});
    let forbidden = json!({"statusCode": 403, "message": WRONG_LOCATION, "error": "Forbidden"});
    for endpoint in endpoints() {
        let name = endpoint.name();
        let (status, body) = endpoint.call(&app, &b_all, &a.location, &a_contact).await;
        let body = untraced(body);
        let expected = match endpoint.by_contact() {
            true => (StatusCode::NOT_FOUND, &not_found),
            false => (StatusCode::FORBIDDEN, &forbidden),
        };
        assert_eq!((status, &body), expected, "{name}");
        // A's ids answer exactly like ids that exist nowhere.
        let ghost = endpoint.call(&app, &b_all, ghost_loc, ghost_contact).await;
        assert_eq!((ghost.0, untraced(ghost.1)), (status, body), "{name}");
        let a_now = contacts_of(&app, &a_all, &a.location).await;
        assert_eq!(a_now, a_before, "{name} touched A");
        let b_now = contacts_of(&app, &b_all, &b.location).await;
        assert_eq!(b_now, b_before, "{name} touched B");
    }
    // B's list never contains A's contacts, whatever it asks for.
    for query in ["", "&query=alice", "&query=b", "&limit=100"] {
        let path = format!("/contacts/?locationId={}{query}", b.location);
        let (status, body) = app.api(&b_all, Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let contacts = body["contacts"].as_array().expect("contacts");
        let ids: Vec<&str> = contacts.iter().filter_map(|c| c["id"].as_str()).collect();
        assert!(!ids.contains(&a_contact.as_str()), "{query}: {body}");
        let bobs = [b_contact.as_str()];
        let expected = if query.contains("alice") {
            &bobs[..0]
        } else {
            &bobs[..]
        };
        assert_eq!(ids, expected, "{query}: {body}");
        assert_eq!(body["count"], expected.len(), "{query}: {body}");
    }
}

/// Every route that needs a signed-in user, with a body that would succeed.
#[rustfmt::skip]
fn signed_in_routes(loc: &str, id: &str) -> Vec<(Method, String, Option<Value>)> {
    let l = format!("/manage/locations/{loc}");
    let i = format!("{l}/integrations/{id}");
    let create = json!({"name": "Minted by a token", "scopes": ["contacts.write"]});
    vec![
        (Method::GET, "/manage/me".into(), None),
        (Method::GET, "/manage/scopes".into(), None),
        (Method::GET, l.clone(), None),
        (Method::PUT, l.clone(), Some(json!({"name": "Taken over"}))),
        (Method::GET, format!("{l}/audit-log"), None),
        (Method::GET, format!("{l}/integrations"), None),
        (Method::POST, format!("{l}/integrations"), Some(create)),
        (Method::GET, i.clone(), None),
        (Method::PATCH, i.clone(), Some(json!({"scopes": ["contacts.write"]}))),
        (Method::POST, format!("{i}/rotate"), Some(json!({"expire": "now"}))),
        (Method::POST, format!("{i}/expire-old-token"), None),
        (Method::GET, format!("{i}/usage"), None),
        (Method::DELETE, i, None),
        (Method::POST, "/manage/logout".into(), None),
    ]
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = app.http.request(method, app.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

/// A management page as the signed-in admin sees it.
async fn page(app: &TestApp, admin: &Admin, path: &str) -> Value {
    let (status, body) = app.manage(&admin.session, Method::GET, path, None).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    untraced(body)
}

async fn a_token_can_never_call_a_signed_in_route_of_the_management_api(app: TestApp) {
    let admin = app.new_admin("No Tokens Here").await;
    let (id, token) = app.integration(&admin, &["locations.readonly"]).await;
    let profile_path = format!("/manage/locations/{}", admin.location);
    let integration_before = page(&app, &admin, &admin.integration_path(&id)).await;
    let profile_before = page(&app, &admin, &profile_path).await;
    let bearer = format!("Bearer {token}");
    let token_only = [("authorization", bearer.as_str())];
    let s = &admin.session;
    let everything = [
        ("cookie", s.cookie.as_str()),
        ("x-csrf-token", s.csrf.as_str()),
        ("authorization", bearer.as_str()),
    ];
    for headers in [&token_only[..], &everything[..]] {
        for (method, path, body) in signed_in_routes(&admin.location, &id) {
            let (status, body) = send(&app, method.clone(), &path, headers, body).await;
            let what = format!("{method} {path} with {} headers", headers.len());
            assert_eq!(status, StatusCode::FORBIDDEN, "{what}: {body}");
            let expected = json!({"statusCode": 403, "message": NO_TOKENS, "error": "Forbidden"});
            assert_eq!(untraced(body), expected, "{what}");
        }
    }
    // Nothing was changed, created, rotated or signed out.
    let integration = page(&app, &admin, &admin.integration_path(&id)).await;
    assert_eq!(integration, integration_before);
    assert_eq!(page(&app, &admin, &profile_path).await, profile_before);
    let listed = page(&app, &admin, &admin.integrations_path()).await;
    let count = listed["integrations"].as_array().map(Vec::len);
    assert_eq!(count, Some(1), "{listed}");
    let path = format!("/locations/{}", admin.location);
    let (status, body) = app.api(&token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "the token was not rotated: {body}");
}

async fn a_token_is_refused_by_the_sign_in_and_setup_routes_too(app: TestApp) {
    let admin = app.new_admin("No Tokens Anywhere").await;
    let (_, token) = app.integration(&admin, &["locations.readonly"]).await;
    let bearer = format!("Bearer {token}");
    let setup = json!({"businessName": "Second", "email": "new@example.com", "password": PASSWORD});
    let login = json!({"email": admin.email, "password": PASSWORD});
    let routes = [
        (Method::GET, "/manage/setup", None),
        (Method::POST, "/manage/setup", Some(setup)),
        (Method::POST, "/manage/login", Some(login)),
    ];
    let expected = json!({"statusCode": 403, "message": NO_TOKENS, "error": "Forbidden"});
    let mut answered = Vec::new();
    for (method, path, body) in routes {
        let auth = [("authorization", bearer.as_str())];
        let (status, body) = send(&app, method.clone(), path, &auth, body).await;
        if status != StatusCode::FORBIDDEN || untraced(body.clone()) != expected {
            answered.push(format!("{method} {path} -> {status} {body}"));
        }
    }
    assert!(answered.is_empty(), "a token got through: {answered:#?}");
}
