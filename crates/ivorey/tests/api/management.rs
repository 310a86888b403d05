//! The management API as a browser uses it: sign-in and its cookie, sign-out, CSRF on every
//! state-changing request, what a plain user may do, first-run setup, the business profile, the
//! integration list (never a token) and the scope catalogue.

use std::time::Duration;

use ivorey_core::user::Role;
use ivorey_core::{Clock, LocationId, Scope, UserId};
use ivorey_store::NewUser;
use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};

use crate::common::{PASSWORD, Session, TestApp};

on_both_backends!(
    wrong_credentials_are_refused_with_one_message,
    the_session_cookie_is_strict_and_signing_out_ends_the_session,
    state_changing_requests_need_the_csrf_token_and_reads_do_not,
    a_plain_user_sees_the_profile_but_cannot_manage_integrations,
    a_user_of_another_location_is_told_it_does_not_exist,
    authorization_is_checked_before_the_body_is_validated,
    first_run_setup_creates_the_first_location_once,
    the_business_profile_round_trips_and_the_public_api_sees_it_at_once,
    the_integration_list_shows_everything_but_the_token,
    the_scope_catalogue_lists_every_area_and_every_scope_once,
);

const ONLY_ADMINS: &str =
    "Only admins of this location can manage Private Integrations and the business profile.";
const TIMEZONE: &str = "timezone must be an IANA time zone name such as America/New_York or UTC";

/// Sends `request`; the body is JSON, or `Null` when empty.
async fn send(request: RequestBuilder) -> (StatusCode, Value, HeaderMap) {
    let response = request.send().await.expect("request");
    let (status, headers) = (response.status(), response.headers().clone());
    let text = response.text().await.expect("body");
    let body = match text.as_str() {
        "" => Value::Null,
        text => serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}")),
    };
    (status, body, headers)
}

/// The body without its `traceId`, which must be there.
fn untraced(mut body: Value) -> Value {
    let trace = body.as_object_mut().and_then(|map| map.remove("traceId"));
    assert!(trace.is_some_and(|t| t.is_string()), "no traceId: {body}");
    body
}

/// Checks a refusal: its status, and its body with the reason every management error but 404
/// carries.
fn assert_refused(got: (StatusCode, Value), status: StatusCode, message: &str, what: &str) {
    assert_eq!(got.0, status, "{what}: {}", got.1);
    let reason = status.canonical_reason();
    let expected = json!({"statusCode": status.as_u16(), "message": message, "error": reason});
    assert_eq!(untraced(got.1), expected, "{what}");
}

fn text(value: &Value) -> String {
    value.as_str().expect("a string").to_owned()
}

/// A management page that must load for `session`.
async fn page(app: &TestApp, session: &Session, path: &str) -> Value {
    let (status, body) = app.manage(session, Method::GET, path, None).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    untraced(body)
}

/// The `name=value` pair and the attributes of a `Set-Cookie` header, attributes sorted.
fn set_cookie(headers: &HeaderMap) -> (String, Vec<String>) {
    let header = headers["set-cookie"].to_str().expect("ascii cookie");
    let mut parts = header.split("; ").map(str::to_owned);
    let pair = parts.next().expect("name=value");
    let mut attributes: Vec<String> = parts.collect();
    attributes.sort();
    (pair, attributes)
}

fn login(app: &TestApp, email: &str, password: &str) -> RequestBuilder {
    let body = json!({"email": email, "password": password});
    app.http.post(app.url("/manage/login")).json(&body)
}

/// A new user with `role` in `location`, signed in.
async fn add_member(app: &TestApp, location: &str, role: Role) -> Session {
    let email = ivorey_core::random::base62(10).to_lowercase();
    let email = format!("{email}@example.com");
    let user = NewUser {
        id: UserId::generate(),
        email: email.clone(),
        name: "Plain User".into(),
        password_hash: ivorey_core::password::hash_password(PASSWORD),
        created_at: app.clock.now(),
    };
    app.store.create_user(&user).await.expect("create user");
    let location = LocationId::parse(location).expect("location id");
    let joined = app.store.set_membership(&location, &user.id, role).await;
    joined.expect("membership");
    app.sign_in(&email, PASSWORD).await
}

async fn wrong_credentials_are_refused_with_one_message(app: TestApp) {
    let admin = app.new_admin("Sign In").await;
    let email = admin.email.as_str();
    let cases = [
        (email, "not the password"),
        (email, ""),
        ("nobody@example.com", PASSWORD),
        ("not-an-email", PASSWORD),
    ];
    for (email, password) in cases {
        let (status, body, headers) = send(login(&app, email, password)).await;
        let wrong = "Wrong email or password.";
        assert_refused((status, body), StatusCode::UNAUTHORIZED, wrong, email);
        assert!(headers.get("set-cookie").is_none(), "{email}: {headers:?}");
    }
    // The right password signs in, whatever the case of the email.
    app.sign_in(&admin.email.to_uppercase(), PASSWORD).await;
}

async fn the_session_cookie_is_strict_and_signing_out_ends_the_session(app: TestApp) {
    let admin = app.new_admin("Cookies").await;
    let (status, body, headers) = send(login(&app, &admin.email, PASSWORD)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (pair, attributes) = set_cookie(&headers);
    let (name, value) = pair.split_once('=').expect("name=value");
    assert_eq!(name, "ivorey_session");
    assert_eq!(value.len(), 43, "{pair}");
    assert!(value.chars().all(|c| c.is_ascii_alphanumeric()), "{pair}");
    let max_age = format!("Max-Age={}", app.config.session_ttl.as_secs());
    let mut expected = ["HttpOnly", "Path=/", "SameSite=Lax", max_age.as_str()];
    expected.sort_unstable();
    assert_eq!(attributes, expected);
    let csrf = text(&body["csrfToken"]);
    let session = Session {
        cookie: pair.clone(),
        csrf,
    };
    let me = page(&app, &session, "/manage/me").await;
    assert_eq!(me["user"]["email"], admin.email.as_str());

    let logout = app.manage(&session, Method::POST, "/manage/logout", None);
    assert_eq!(logout.await.0, StatusCode::NO_CONTENT);
    let request = app.http.post(app.url("/manage/logout"));
    let request = request.header("cookie", &admin.session.cookie);
    let (_, _, headers) = send(request.header("x-csrf-token", &admin.session.csrf)).await;
    let (pair, attributes) = set_cookie(&headers);
    assert_eq!(pair, "ivorey_session=", "the cookie is cleared");
    let cleared = ["HttpOnly", "Max-Age=0", "Path=/", "SameSite=Lax"];
    assert_eq!(attributes, cleared);
    let ended = "Your session has ended. Sign in again.";
    for session in [&session, &admin.session] {
        let got = app.manage(session, Method::GET, "/manage/me", None).await;
        assert_refused(got, StatusCode::UNAUTHORIZED, ended, "after sign-out");
    }
    let (status, body, _) = send(app.http.get(app.url("/manage/me"))).await;
    assert_refused(
        (status, body),
        StatusCode::UNAUTHORIZED,
        "Sign in first.",
        "no cookie",
    );
}

async fn state_changing_requests_need_the_csrf_token_and_reads_do_not(app: TestApp) {
    let admin = app.new_admin("Forgery Target").await;
    let (id, token) = app.integration(&admin, &["locations.readonly"]).await;
    // Another live session of the same admin: its token is no good with this cookie.
    let other = app.sign_in(&admin.email, PASSWORD).await;
    let (list, i) = (admin.integrations_path(), admin.integration_path(&id));
    let profile = format!("/manage/locations/{}", admin.location);
    let snapshot = async || {
        let list = page(&app, &admin.session, &list).await;
        [list, page(&app, &admin.session, &profile).await]
    };
    let before = snapshot().await;
    let forged = json!({"name": "Forged", "scopes": ["contacts.write"]});
    #[rustfmt::skip]
    let writes = [
        (Method::POST, list.clone(), Some(forged)),
        (Method::PATCH, i.clone(), Some(json!({"name": "Forged"}))),
        (Method::DELETE, i.clone(), None),
        (Method::POST, format!("{i}/rotate"), Some(json!({"expire": "now"}))),
        (Method::POST, format!("{i}/expire-old-token"), None),
        (Method::PUT, profile.clone(), Some(json!({"name": "Forged"}))),
        (Method::POST, "/manage/logout".to_owned(), None),
    ];
    let refused = "Missing or invalid CSRF token.";
    for csrf in [None, Some(""), Some("wrong"), Some(other.csrf.as_str())] {
        for (method, path, body) in &writes {
            let request = app.http.request(method.clone(), app.url(path));
            let mut request = request.header("cookie", &admin.session.cookie);
            if let Some(csrf) = csrf {
                request = request.header("x-csrf-token", csrf);
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            let (status, body, _) = send(request).await;
            let what = format!("{method} {path} {csrf:?}");
            assert_refused((status, body), StatusCode::FORBIDDEN, refused, &what);
        }
    }
    let after = snapshot().await;
    assert_eq!(after, before, "nothing changed; the session is alive");
    let path = format!("/locations/{}", admin.location);
    let (status, body) = app.api(&token, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK, "not rotated nor deleted: {body}");
    // Reads need no CSRF token.
    let (audit, usage) = (format!("{profile}/audit-log"), format!("{i}/usage"));
    for path in [
        "/manage/me",
        "/manage/scopes",
        &profile,
        &audit,
        &list,
        &i,
        &usage,
    ] {
        let request = app.http.get(app.url(path));
        let request = request.header("cookie", &admin.session.cookie);
        let (status, body, _) = send(request).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
}

async fn a_plain_user_sees_the_profile_but_cannot_manage_integrations(app: TestApp) {
    let admin = app.new_admin("Shared Business").await;
    let (id, _) = app.integration(&admin, &["contacts.readonly"]).await;
    let user = add_member(&app, &admin.location, Role::User).await;
    let (list, i) = (admin.integrations_path(), admin.integration_path(&id));
    let profile = format!("/manage/locations/{}", admin.location);
    let before = page(&app, &admin.session, &list).await;
    let mine = json!({"name": "Mine", "scopes": ["contacts.write"]});
    #[rustfmt::skip]
    let refused = [
        (Method::GET, list.clone(), None),
        (Method::POST, list.clone(), Some(mine)),
        (Method::GET, i.clone(), None),
        (Method::PATCH, i.clone(), Some(json!({"scopes": ["contacts.write"]}))),
        (Method::POST, format!("{i}/rotate"), Some(json!({"expire": "now"}))),
        (Method::DELETE, i.clone(), None),
        (Method::GET, format!("{i}/usage"), None),
        (Method::GET, format!("{profile}/audit-log"), None),
        (Method::PUT, profile.clone(), Some(json!({"name": "Mine now"}))),
    ];
    for (method, path, body) in refused {
        let got = app.manage(&user, method.clone(), &path, body).await;
        let what = format!("{method} {path}");
        assert_refused(got, StatusCode::FORBIDDEN, ONLY_ADMINS, &what);
    }
    let after = page(&app, &admin.session, &list).await;
    assert_eq!(after, before, "nothing changed");
    let shown = page(&app, &user, &profile).await;
    assert_eq!(shown["role"], "user");
    assert_eq!(shown["location"]["id"], admin.location.as_str());
    assert_eq!(shown["location"]["profile"]["name"], "Shared Business");
    let me = page(&app, &user, "/manage/me").await;
    let name = "Shared Business";
    let membership = json!({"locationId": admin.location, "locationName": name, "role": "user"});
    assert_eq!(me["memberships"], json!([membership]));
}

async fn a_user_of_another_location_is_told_it_does_not_exist(app: TestApp) {
    let admin = app.new_admin("Private Business").await;
    let (id, _) = app.integration(&admin, &["contacts.readonly"]).await;
    let other = app.new_admin("Elsewhere").await;
    let outsider = add_member(&app, &other.location, Role::User).await;
    let not_found = json!({"statusCode": 404, "message": "Location not found"});
    let ghost = LocationId::generate().to_string();
    for session in [&other.session, &outsider] {
        for loc in [admin.location.as_str(), ghost.as_str()] {
            let base = format!("/manage/locations/{loc}");
            let (list, audit) = (format!("{base}/integrations"), format!("{base}/audit-log"));
            let one = format!("{list}/{id}");
            for path in [&base, &list, &one, &audit] {
                let (status, body) = app.manage(session, Method::GET, path, None).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
                assert_eq!(untraced(body), not_found, "{path}");
            }
        }
    }
}

async fn authorization_is_checked_before_the_body_is_validated(app: TestApp) {
    let admin = app.new_admin("Guarded").await;
    let (id, _) = app.integration(&admin, &["contacts.readonly"]).await;
    let user = add_member(&app, &admin.location, Role::User).await;
    let outsider = app.new_admin("Outside").await;
    let base = format!("/manage/locations/{}", admin.location);
    let (i, form) = (
        admin.integration_path(&id),
        format!("{base}/forms/aaaaaaaaaaaaaaaaaaaa"),
    );
    // Every management route that takes a body, each with bodies its handler would refuse.
    #[rustfmt::skip]
    let routes = [
        (Method::PUT, base.clone()),
        (Method::POST, format!("{base}/integrations")),
        (Method::PATCH, i.clone()),
        (Method::POST, format!("{i}/rotate")),
        (Method::POST, format!("{base}/pipelines")),
        (Method::POST, format!("{base}/forms")),
        (Method::PUT, form),
        (Method::PUT, format!("{base}/rate-limits")),
        (Method::PUT, format!("{base}/messaging/smtp")),
        (Method::PUT, format!("{base}/messaging/webhook")),
        (Method::POST, format!("{base}/orders")),
    ];
    let bodies = [json!({"noSuchField": "\u{0}"}), json!({}), json!([1])];
    let not_found = json!({"statusCode": 404, "message": "Location not found"});
    let before = page(&app, &admin.session, &format!("{base}/audit-log")).await;
    for (method, path) in &routes {
        for body in &bodies {
            let what = format!("{method} {path} {body}");
            let got = app
                .manage(&user, method.clone(), path, Some(body.clone()))
                .await;
            assert_refused(got, StatusCode::FORBIDDEN, ONLY_ADMINS, &what);
            let (status, body) = app
                .manage(&outsider.session, method.clone(), path, Some(body.clone()))
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{what}: {body}");
            assert_eq!(untraced(body), not_found, "{what}");
        }
        // The same bodies reach validation for the location's admin.
        let got = app
            .manage(&admin.session, method.clone(), path, Some(json!([1])))
            .await;
        assert_eq!(
            got.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{method} {path}: {}",
            got.1
        );
    }
    let after = page(&app, &admin.session, &format!("{base}/audit-log")).await;
    assert_eq!(after, before, "nothing was written");
}

async fn first_run_setup_creates_the_first_location_once(app: TestApp) {
    let needed = async || {
        let (status, body, _) = send(app.http.get(app.url("/manage/setup"))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        untraced(body)
    };
    let setup = |email: &str, password: &str| {
        let body = json!({"businessName": "First Business", "email": email, "password": password});
        app.http.post(app.url("/manage/setup")).json(&body)
    };
    assert_eq!(needed().await, json!({"setupNeeded": true}));
    let (status, body, _) = send(setup("a@b.io", "short")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let messages = json!(["password must be at least 10 characters"]);
    assert_eq!(body["message"], messages, "{body}");
    let still = needed().await;
    assert_eq!(
        still["setupNeeded"], true,
        "a refused setup creates nothing"
    );

    let (status, body, headers) = send(setup("Owner@Example.com", PASSWORD)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["user"]["email"], "owner@example.com");
    let loc = text(&body["memberships"][0]["locationId"]);
    let name = "First Business";
    let membership = json!({"locationId": loc, "locationName": name, "role": "admin"});
    assert_eq!(body["memberships"], json!([membership]));
    let session = Session {
        cookie: set_cookie(&headers).0,
        csrf: text(&body["csrfToken"]),
    };
    let shown = page(&app, &session, &format!("/manage/locations/{loc}")).await;
    assert_eq!(shown["role"], "admin");
    assert_eq!(shown["location"]["profile"]["name"], name);
    assert_eq!(needed().await, json!({"setupNeeded": false}));

    let (status, body, headers) = send(setup("late@example.com", PASSWORD)).await;
    let done = "Setup is already done. Sign in instead.";
    assert_refused((status, body), StatusCode::CONFLICT, done, "second setup");
    assert!(headers.get("set-cookie").is_none());
    app.sign_in("owner@example.com", PASSWORD).await;
}

async fn the_business_profile_round_trips_and_the_public_api_sees_it_at_once(app: TestApp) {
    let admin = app.new_admin("Acme").await;
    let (_, token) = app.integration(&admin, &["locations.readonly"]).await;
    let path = format!("/manage/locations/{}", admin.location);
    let public = format!("/locations/{}", admin.location);
    let profile = json!({
        "name": "Acme Plumbing", "email": "office@acme.example", "phone": "+1 555 0100",
        "address": "1 Main St", "city": "Springfield", "state": "IL", "postalCode": "62701",
        "country": "US", "website": "https://acme.example", "timezone": "America/Chicago",
    });
    let put = |body: &Value| app.manage(&admin.session, Method::PUT, &path, Some(body.clone()));
    let (status, body) = put(&profile).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["location"]["profile"], profile);
    let shown = page(&app, &admin.session, &path).await;
    assert_eq!(shown["location"]["profile"], profile);
    assert_eq!(shown["role"], "admin");
    let (status, seen) = app.api(&token, Method::GET, &public, None).await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    for (field, value) in profile.as_object().expect("object") {
        assert_eq!(&seen["location"][field], value, "{field}");
    }

    let bad = json!({"name": "Acme", "email": "not-an-email", "timezone": "Mars/Olympus Mons"});
    let (status, body) = put(&bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let messages = json!(["email must be an email address", TIMEZONE]);
    assert_eq!(body["message"], messages);
    let after = page(&app, &admin.session, &path).await;
    assert_eq!(after, shown, "a refused edit changes nothing");

    // A PUT replaces the whole profile, trimmed; the public API follows at once.
    let (status, body) = put(&json!({"name": "  Acme Renamed ", "timezone": "UTC"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, seen) = app.api(&token, Method::GET, &public, None).await;
    let location = seen["location"].as_object().expect("location");
    let mut keys: Vec<&str> = location.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["dateAdded", "id", "name", "timezone"], "{seen}");
    assert_eq!(location["name"], "Acme Renamed");
    assert_eq!(location["timezone"], "UTC");
}

async fn the_integration_list_shows_everything_but_the_token(app: TestApp) {
    let admin = app.new_admin("Listing").await;
    let list = admin.integrations_path();
    let created_at = app.clock.now().to_rfc3339();
    let scopes = ["contacts.write", "contacts.readonly"];
    let body = json!({"name": "Zapier", "description": "Lead sync", "scopes": scopes});
    let session = &admin.session;
    let (status, created) = app.manage(session, Method::POST, &list, Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (id, first) = (text(&created["integration"]["id"]), text(&created["token"]));
    let path = format!("/contacts/?locationId={}", admin.location);
    let (status, _) = app.api(&first, Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::OK);
    app.state.usage.flush(app.store.as_ref()).await;
    app.clock.advance(Duration::from_secs(60));
    let rotated_at = app.clock.now();
    let rotate = format!("{}/rotate", admin.integration_path(&id));
    let later = Some(json!({"expire": "later"}));
    let (status, rotated) = app.manage(session, Method::POST, &rotate, later).await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let second = text(&rotated["token"]);

    let listed = page(&app, &admin.session, &list).await;
    let hint = |token: &str| token[token.len() - 4..].to_owned();
    let grace_ends = rotated_at.plus(app.config.rotation_grace).to_rfc3339();
    let rotated_at = rotated_at.to_rfc3339();
    let expected = json!([{
        "id": id, "locationId": admin.location, "name": "Zapier", "description": "Lead sync",
        "scopes": ["contacts.readonly", "contacts.write"], "createdBy": admin.email,
        "createdAt": created_at, "updatedAt": rotated_at, "lastUsedAt": created_at,
        "tokenHint": hint(&second), "tokenCreatedAt": rotated_at,
        "previousToken": {"tokenHint": hint(&first), "expiresAt": grace_ends},
        "expiresAt": null, "ipAllowlist": [],
    }]);
    assert_eq!(listed["integrations"], expected);
    let text = listed.to_string();
    for token in [&first, &second] {
        assert!(!text.contains(&token[11..]), "token leaked: {text}");
    }
    // When the grace ends, the previous token leaves the list.
    app.clock.advance(app.config.rotation_grace);
    let session = app.sign_in(&admin.email, PASSWORD).await;
    let listed = page(&app, &session, &list).await;
    assert_eq!(listed["integrations"][0]["previousToken"], Value::Null);
    assert_eq!(listed["integrations"][0]["tokenHint"], hint(&second));
}

async fn the_scope_catalogue_lists_every_area_and_every_scope_once(app: TestApp) {
    let admin = app.new_admin("Catalogue").await;
    let catalogue = page(&app, &admin.session, "/manage/scopes").await;
    let areas = catalogue["areas"].as_array().expect("areas");
    let names: Vec<&str> = areas.iter().filter_map(|a| a["name"].as_str()).collect();
    #[rustfmt::skip]
    let expected = ["Contacts", "Calendars", "Conversations", "Opportunities", "Forms", "Payments",
        "Business profile", "Custom fields and tags", "Users"];
    assert_eq!(names, expected);
    let mut scopes = Vec::new();
    for family in areas
        .iter()
        .flat_map(|a| a["families"].as_array().expect("families"))
    {
        let label = family["label"].as_str().unwrap_or_default();
        assert!(!label.is_empty(), "{family}");
        let pair = [&family["view"], &family["edit"]];
        scopes.extend(pair.into_iter().filter_map(Value::as_str));
    }
    scopes.sort_unstable();
    let mut all: Vec<&str> = Scope::ALL.iter().map(|s| s.name()).collect();
    all.sort_unstable();
    assert_eq!(scopes, all, "every scope exactly once");
    let (status, body, _) = send(app.http.get(app.url("/manage/scopes"))).await;
    assert_refused(
        (status, body),
        StatusCode::UNAUTHORIZED,
        "Sign in first.",
        "no session",
    );
}
