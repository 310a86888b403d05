//! The web app over plain HTTP (no browser): security headers on every page, CSRF on every
//! form, sign-in throttling, escaping, the admins-only rule, sign-in redirects, first-run setup,
//! validation errors, and the location switcher. Each case runs on SQLite and PostgreSQL.

use std::time::Duration;

use ivorey_core::Clock;
use ivorey_core::user::Role;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::browser_support::{add_member, get_page, post_form};
use crate::common::{self, PASSWORD, TestApp};

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

on_both_backends!(
    every_page_carries_a_strict_policy_and_no_inline_script,
    a_form_post_without_the_csrf_token_is_refused_and_changes_nothing,
    web_sign_in_answers_429_after_five_failures_until_the_window_passes,
    json_sign_in_shares_the_throttle,
    a_script_in_a_name_is_escaped_on_every_page,
    a_plain_user_gets_an_explanation_instead_of_integrations,
    signed_out_visitors_sign_in_and_come_back,
    first_run_setup_creates_the_business_and_signs_in,
    validation_errors_sit_beside_fields_and_keep_what_was_typed,
    a_user_with_several_businesses_can_switch_between_them,
    rotation_and_early_expiry_work_through_the_forms,
);

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn settings(admin: &common::Admin, rest: &str) -> String {
    format!("/l/{}/settings{rest}", admin.location)
}

/// The `name=value` of the `Set-Cookie` header naming `cookie`.
fn set_cookie(headers: &HeaderMap, cookie: &str) -> Option<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|pair| pair.starts_with(&format!("{cookie}=")))
        .map(str::to_owned)
}

/// The sign-in form's double-submit cookie and the token its hidden field carries.
async fn login_form(app: &TestApp) -> (String, String) {
    let (status, headers, body) = get_page(app, "", "/login").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let cookie = set_cookie(&headers, "ivorey_form").expect("form cookie");
    let token = cookie["ivorey_form=".len()..].to_owned();
    assert!(
        body.contains(&format!("name=\"csrf\" value=\"{token}\"")),
        "{body}"
    );
    (cookie, token)
}

async fn every_page_carries_a_strict_policy_and_no_inline_script(app: TestApp) {
    let admin = app.new_admin("Headers").await;
    let (id, _) = app.integration(&admin, &["contacts.readonly"]).await;
    let cookie = admin.session.cookie.as_str();
    let pages = [
        ("", "/login".to_owned()),
        (cookie, settings(&admin, "/business")),
        (cookie, settings(&admin, "/integrations")),
        (cookie, settings(&admin, "/integrations/new")),
        (cookie, settings(&admin, &format!("/integrations/{id}"))),
        (
            cookie,
            settings(&admin, &format!("/integrations/{id}/edit")),
        ),
        (
            cookie,
            settings(&admin, &format!("/integrations/{id}/delete")),
        ),
        (
            cookie,
            settings(&admin, &format!("/integrations/{id}/rotate?expire=later")),
        ),
    ];
    for (cookie, path) in pages {
        let (status, headers, body) = get_page(&app, cookie, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert_eq!(header(&headers, "content-security-policy"), CSP, "{path}");
        assert_eq!(header(&headers, "x-frame-options"), "DENY", "{path}");
        assert_eq!(
            header(&headers, "x-content-type-options"),
            "nosniff",
            "{path}"
        );
        assert_eq!(header(&headers, "referrer-policy"), "same-origin", "{path}");
        assert_eq!(header(&headers, "cache-control"), "no-store", "{path}");
        assert!(
            header(&headers, "content-type").starts_with("text/html"),
            "{path}"
        );
        // The only script is the bundled file; no inline handlers or styles.
        assert_eq!(body.matches("<script").count(), 1, "{path}");
        assert!(
            body.contains("<script src=\"/assets/app.js\" defer>"),
            "{path}"
        );
        for inline in [" style=", " onclick=", " onload=", "javascript:"] {
            assert!(!body.contains(inline), "{path} has {inline}");
        }
    }
    for (path, kind) in [
        ("/assets/app.css", "text/css"),
        ("/assets/app.js", "text/javascript"),
        ("/assets/icon.svg", "image/svg+xml"),
    ] {
        let (status, headers, _) = get_page(&app, "", path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(header(&headers, "content-type").starts_with(kind), "{path}");
        assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
    }
}

async fn a_form_post_without_the_csrf_token_is_refused_and_changes_nothing(app: TestApp) {
    let admin = app.new_admin("Forgery Target").await;
    let (id, token) = app.integration(&admin, &["contacts.readonly"]).await;
    let before = app
        .manage(
            &admin.session,
            Method::GET,
            &admin.integration_path(&id),
            None,
        )
        .await;
    let integration = settings(&admin, &format!("/integrations/{id}"));
    let forms: Vec<(String, Vec<(&str, &str)>)> = vec![
        (format!("{integration}/delete"), vec![]),
        (format!("{integration}/rotate"), vec![("expire", "now")]),
        (
            format!("{integration}/edit"),
            vec![("name", "Renamed"), ("scopes", "contacts.write")],
        ),
        (format!("{integration}/expire-old-token"), vec![]),
        (
            settings(&admin, "/integrations"),
            vec![("name", "Sneaky"), ("scopes", "contacts.write")],
        ),
        (
            settings(&admin, "/integrations/new"),
            vec![("name", "Sneaky")],
        ),
        (settings(&admin, "/business"), vec![("name", "Hijacked")]),
        ("/logout".to_owned(), vec![]),
    ];
    for (path, fields) in &forms {
        for csrf in [None, Some(""), Some("not-the-token")] {
            let mut fields = fields.clone();
            fields.extend(csrf.map(|c| ("csrf", c)));
            let (status, _, body) = post_form(&app, &admin.session.cookie, path, &fields).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path} {csrf:?}: {body}");
            assert!(body.contains("Form not accepted"), "{path}: {body}");
        }
    }
    // Nothing changed: same integration, same token, one integration, same profile, still signed in.
    let after = app
        .manage(
            &admin.session,
            Method::GET,
            &admin.integration_path(&id),
            None,
        )
        .await;
    assert_eq!(
        (before.0, &before.1["integration"]),
        (after.0, &after.1["integration"])
    );
    let listed = app
        .manage(
            &admin.session,
            Method::GET,
            &admin.integrations_path(),
            None,
        )
        .await;
    assert_eq!(listed.1["integrations"].as_array().map(Vec::len), Some(1));
    let profile = app
        .manage(
            &admin.session,
            Method::GET,
            &format!("/manage/locations/{}", admin.location),
            None,
        )
        .await;
    assert_eq!(profile.1["location"]["profile"]["name"], "Forgery Target");
    let contacts = format!("/contacts/?locationId={}", admin.location);
    assert_eq!(
        app.api(&token, Method::GET, &contacts, None).await.0,
        StatusCode::OK
    );
    // With the session's token the same delete goes through, and the token stops at once.
    let fields = [("csrf", admin.session.csrf.as_str())];
    let (status, headers, _) = post_form(
        &app,
        &admin.session.cookie,
        &format!("{integration}/delete"),
        &fields,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        header(&headers, "location"),
        settings(&admin, "/integrations?done=deleted")
    );
    assert_eq!(
        app.api(&token, Method::GET, &contacts, None).await.0,
        StatusCode::UNAUTHORIZED
    );
}

async fn web_sign_in_answers_429_after_five_failures_until_the_window_passes(app: TestApp) {
    let admin = app.new_admin("Throttled").await;
    let (cookie, token) = login_form(&app).await;
    let attempt = |email: String, password: &'static str| {
        let (app, cookie, token) = (&app, cookie.clone(), token.clone());
        async move {
            let fields = [
                ("csrf", token.as_str()),
                ("email", email.as_str()),
                ("password", password),
            ];
            post_form(app, &cookie, "/login", &fields).await
        }
    };
    for _ in 0..5 {
        let (status, _, body) = attempt(admin.email.clone(), "not the password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(body.contains("Wrong email or password."), "{body}");
        assert!(
            body.contains(&format!("value=\"{}\"", admin.email)),
            "the email is kept"
        );
    }
    for password in ["not the password", PASSWORD] {
        let (status, headers, body) = attempt(admin.email.clone(), password).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        let retry: u64 = header(&headers, "retry-after")
            .parse()
            .expect("Retry-After");
        assert!((1..=900).contains(&retry), "{retry}");
        assert!(body.contains("Too many failed sign-ins"), "{body}");
        assert!(set_cookie(&headers, "ivorey_session").is_none());
    }
    // Another email from the same address is not blocked by this one's failures.
    let (status, _, _) = attempt("someone-else@example.com".into(), PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Once the 15-minute window has passed, the right password signs in.
    app.clock.advance(Duration::from_secs(15 * 60));
    let (status, headers, _) = attempt(admin.email.to_uppercase(), PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(set_cookie(&headers, "ivorey_session").is_some());
}

async fn json_sign_in_shares_the_throttle(app: TestApp) {
    let admin = app.new_admin("Throttled JSON").await;
    let login = |password: &str| {
        let body = json!({ "email": admin.email, "password": password });
        app.http.post(app.url("/manage/login")).json(&body).send()
    };
    for _ in 0..5 {
        let response = login("not the password").await.expect("login");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let response = login(PASSWORD).await.expect("login");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = header(response.headers(), "retry-after")
        .parse()
        .expect("Retry-After");
    assert!((1..=900).contains(&retry), "{retry}");
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["statusCode"], 429);
    // The web sign-in page answers the same for this email.
    let (cookie, token) = login_form(&app).await;
    let fields = [
        ("csrf", token.as_str()),
        ("email", admin.email.as_str()),
        ("password", PASSWORD),
    ];
    let (status, _, _) = post_form(&app, &cookie, "/login", &fields).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

async fn a_script_in_a_name_is_escaped_on_every_page(app: TestApp) {
    let admin = app.new_admin("<b>Bold & Co</b>").await;
    let name = "<script>alert(1)</script>";
    let (status, body) = app
        .manage(
            &admin.session,
            Method::POST,
            &admin.integrations_path(),
            Some(json!({
                "name": name,
                "description": "<img src=x onerror=alert(2)>",
                "scopes": ["contacts.readonly"],
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["integration"]["id"].as_str().expect("id").to_owned();
    for rest in [
        "",
        &format!("/{id}"),
        &format!("/{id}/edit"),
        &format!("/{id}/delete"),
    ] {
        let path = settings(&admin, &format!("/integrations{rest}"));
        let (status, _, page) = get_page(&app, &admin.session.cookie, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{path}: {page}"
        );
        assert!(!page.contains(name), "{path} renders the name as markup");
        assert!(!page.contains("<img src=x"), "{path}");
        assert!(!page.contains("<b>Bold"), "{path}");
        assert!(page.contains("&lt;b&gt;Bold &amp; Co&lt;/b&gt;"), "{path}");
    }
}

async fn a_plain_user_gets_an_explanation_instead_of_integrations(app: TestApp) {
    let admin = app.new_admin("Admins Only").await;
    let (id, _) = app.integration(&admin, &["contacts.readonly"]).await;
    let email = add_member(&app, &admin.location, Role::User).await;
    let user = app.sign_in(&email, PASSWORD).await;
    let integration = format!("/integrations/{id}");
    for rest in [
        "/integrations".to_owned(),
        "/integrations/new".to_owned(),
        integration.clone(),
        format!("{integration}/edit"),
        format!("{integration}/delete"),
        format!("{integration}/rotate?expire=now"),
    ] {
        let (status, _, body) = get_page(&app, &user.cookie, &settings(&admin, &rest)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{rest}");
        assert!(
            body.contains("Only admins can manage Private Integrations"),
            "{rest}: {body}"
        );
        assert!(!body.contains("Test tool"), "{rest} leaks the integration");
    }
    // Posting with a valid CSRF token does not help.
    let fields = [
        ("csrf", user.csrf.as_str()),
        ("name", "Mine"),
        ("scopes", "contacts.write"),
    ];
    let (status, _, _) = post_form(
        &app,
        &user.cookie,
        &settings(&admin, "/integrations"),
        &fields,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let fields = [("csrf", user.csrf.as_str())];
    let (status, _, _) = post_form(
        &app,
        &user.cookie,
        &settings(&admin, &format!("{integration}/delete")),
        &fields,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let listed = app
        .manage(
            &admin.session,
            Method::GET,
            &admin.integrations_path(),
            None,
        )
        .await;
    assert_eq!(listed.1["integrations"].as_array().map(Vec::len), Some(1));
    // The business profile is readable, not editable.
    let (status, _, body) = get_page(&app, &user.cookie, &settings(&admin, "/business")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("Only admins of this business can change its profile"),
        "{body}"
    );
    assert!(!body.contains("Save changes"));
    let fields = [("csrf", user.csrf.as_str()), ("name", "Renamed by a user")];
    let (status, _, _) =
        post_form(&app, &user.cookie, &settings(&admin, "/business"), &fields).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn signed_out_visitors_sign_in_and_come_back(app: TestApp) {
    let admin = app.new_admin("Come Back").await;
    let target = settings(&admin, "/integrations");
    let (status, headers, _) = get_page(&app, "", &target).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        header(&headers, "location"),
        format!("/login?next={target}")
    );
    let (cookie, token) = login_form(&app).await;
    let fields = [
        ("csrf", token.as_str()),
        ("email", admin.email.as_str()),
        ("password", PASSWORD),
        ("next", target.as_str()),
    ];
    let (status, headers, _) = post_form(&app, &cookie, "/login", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(header(&headers, "location"), target);
    // `next` never leads off the site.
    let fields = [
        ("csrf", token.as_str()),
        ("email", admin.email.as_str()),
        ("password", PASSWORD),
        ("next", "//evil.example/"),
    ];
    let (_, headers, _) = post_form(&app, &cookie, "/login", &fields).await;
    assert_eq!(header(&headers, "location"), "/dashboard");
    // The sign-in form needs its double-submit cookie.
    let fields = [
        ("csrf", token.as_str()),
        ("email", admin.email.as_str()),
        ("password", PASSWORD),
    ];
    let (status, _, _) = post_form(&app, "", "/login", &fields).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Browsers landing on / go to the dashboard; API clients still get JSON.
    let (status, headers, _) = get_page(&app, "", "/").await;
    assert_eq!(
        (status, header(&headers, "location")),
        (StatusCode::SEE_OTHER, "/dashboard")
    );
    let response = app.http.get(app.url("/")).send().await.expect("get /");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(header(response.headers(), "content-type").starts_with("application/json"));
    // Another business's settings are simply not there.
    let other = app.new_admin("Elsewhere").await;
    let (status, _, body) =
        get_page(&app, &admin.session.cookie, &settings(&other, "/business")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.contains("Elsewhere"));
    // Signing out ends the session.
    let fields = [("csrf", admin.session.csrf.as_str())];
    let (status, headers, _) = post_form(&app, &admin.session.cookie, "/logout", &fields).await;
    assert_eq!(
        (status, header(&headers, "location")),
        (StatusCode::SEE_OTHER, "/login?done=signed-out")
    );
    let (status, _, _) = get_page(&app, &admin.session.cookie, &target).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

async fn first_run_setup_creates_the_business_and_signs_in(app: TestApp) {
    let (status, headers, _) = get_page(&app, "", "/login").await;
    assert_eq!(
        (status, header(&headers, "location")),
        (StatusCode::SEE_OTHER, "/setup")
    );
    let (status, headers, body) = get_page(&app, "", "/setup").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let cookie = set_cookie(&headers, "ivorey_form").expect("form cookie");
    let token = cookie["ivorey_form=".len()..].to_owned();
    let mut fields = vec![
        ("csrf", token.as_str()),
        ("name", "Rosan Bakery"),
        ("adminEmail", "owner@example.com"),
        ("password", "short"),
    ];
    let (status, _, body) = post_form(&app, &cookie, "/setup", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("Password must be at least 10 characters."),
        "{body}"
    );
    assert!(
        body.contains("value=\"Rosan Bakery\"") && body.contains("value=\"owner@example.com\"")
    );
    fields[3] = ("password", PASSWORD);
    let (status, headers, body) = post_form(&app, &cookie, "/setup", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let session = set_cookie(&headers, "ivorey_session").expect("signed in");
    let (status, headers, _) = get_page(&app, &session, "/settings").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let business = header(&headers, "location").to_owned();
    assert!(business.ends_with("/settings/business"), "{business}");
    let (_, _, body) = get_page(&app, &session, &business).await;
    assert!(body.contains("Rosan Bakery"));
    // Setup happens once.
    let (status, headers, _) = get_page(&app, "", "/setup").await;
    assert_eq!(
        (status, header(&headers, "location")),
        (StatusCode::SEE_OTHER, "/login")
    );
    let (status, _, body) = post_form(&app, &cookie, "/setup", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Setup is already done"), "{body}");
}

async fn validation_errors_sit_beside_fields_and_keep_what_was_typed(app: TestApp) {
    let admin = app.new_admin("Valid").await;
    let csrf = admin.session.csrf.as_str();
    let cookie = admin.session.cookie.as_str();
    let fields = [
        ("csrf", csrf),
        ("name", "Valid"),
        ("email", "not-an-email"),
        ("city", "Springfield"),
    ];
    let (status, _, body) = post_form(&app, cookie, &settings(&admin, "/business"), &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("Business email must be an email address."),
        "{body}"
    );
    assert!(body.contains("value=\"not-an-email\"") && body.contains("value=\"Springfield\""));
    assert!(body.contains("aria-invalid=\"true\""));
    let fields = [("csrf", csrf), ("name", "   ")];
    let (status, _, body) = post_form(
        &app,
        cookie,
        &settings(&admin, "/integrations/new"),
        &fields,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Name must not be empty."), "{body}");
    let fields = [
        ("csrf", csrf),
        ("name", "No Scopes"),
        ("description", "kept"),
    ];
    let (status, _, body) =
        post_form(&app, cookie, &settings(&admin, "/integrations"), &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("Scopes must contain at least one scope."),
        "{body}"
    );
    assert!(body.contains("value=\"No Scopes\"") && body.contains("value=\"kept\""));
    let listed = app
        .manage(
            &admin.session,
            Method::GET,
            &admin.integrations_path(),
            None,
        )
        .await;
    assert_eq!(listed.1["integrations"].as_array().map(Vec::len), Some(0));
    // A saved profile says so.
    let fields = [
        ("csrf", csrf),
        ("name", "Valid Again"),
        ("timezone", "Europe/London"),
    ];
    let (status, headers, _) =
        post_form(&app, cookie, &settings(&admin, "/business"), &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, body) = get_page(&app, cookie, header(&headers, "location")).await;
    assert!(body.contains("The business profile was saved.") && body.contains("Europe/London"));
}

async fn a_user_with_several_businesses_can_switch_between_them(app: TestApp) {
    let admin = app.new_admin("First Shop").await;
    let second = ivorey_app::accounts::create_location(
        app.store.as_ref(),
        app.clock.now(),
        ivorey_core::location::BusinessProfile {
            name: "Second Shop".into(),
            ..Default::default()
        },
        &admin.email,
        None,
        Some(PASSWORD),
    )
    .await
    .expect("second location");
    let (_, _, body) = get_page(
        &app,
        &admin.session.cookie,
        &settings(&admin, "/integrations"),
    )
    .await;
    assert!(body.contains("Switch business"), "{body}");
    let link = format!("href=\"/l/{}/settings/integrations\"", second.location.id);
    assert!(
        body.contains(&link),
        "the switcher keeps the section: {body}"
    );
    assert!(body.contains("First Shop") && body.contains("Second Shop"));
}

/// The token a token page shows (in its [⧉] button).
fn token_on(page: &str) -> String {
    let start = page
        .find("data-copy=\"ivorey_pit_")
        .expect("a token on the page")
        + "data-copy=\"".len();
    let end = start + page[start..].find('"').expect("end of the token");
    page[start..end].to_owned()
}

async fn rotation_and_early_expiry_work_through_the_forms(app: TestApp) {
    let admin = app.new_admin("Rotations").await;
    let (id, first) = app.integration(&admin, &["contacts.readonly"]).await;
    let contacts = format!("/contacts/?locationId={}", admin.location);
    let integration = settings(&admin, &format!("/integrations/{id}"));
    let (cookie, csrf) = (admin.session.cookie.as_str(), admin.session.csrf.as_str());
    // The confirmation page explains the grace and shows no token.
    let (_, _, page) = get_page(&app, cookie, &format!("{integration}/rotate?expire=later")).await;
    assert!(
        page.contains("7 days") && !page.contains("ivorey_pit_"),
        "{page}"
    );
    let fields = [("csrf", csrf), ("expire", "later")];
    let (status, _, page) =
        post_form(&app, cookie, &format!("{integration}/rotate"), &fields).await;
    assert_eq!(status, StatusCode::OK);
    let second = token_on(&page);
    assert!(page.contains("The old token keeps working until"), "{page}");
    for token in [&first, &second] {
        assert_eq!(
            app.api(token, Method::GET, &contacts, None).await.0,
            StatusCode::OK
        );
    }
    let (_, _, page) = get_page(&app, cookie, &integration).await;
    assert!(page.contains("Old token expires in 7 days") && !page.contains(&second));
    // "Expire the old token now" ends the grace; a second time there is nothing to end.
    let fields = [("csrf", csrf)];
    let expire = format!("{integration}/expire-old-token");
    let (status, headers, _) = post_form(&app, cookie, &expire, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        header(&headers, "location"),
        format!("{integration}?done=old-token-expired")
    );
    assert_eq!(
        app.api(&first, Method::GET, &contacts, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.api(&second, Method::GET, &contacts, None).await.0,
        StatusCode::OK
    );
    let (_, headers, _) = post_form(&app, cookie, &expire, &fields).await;
    assert_eq!(
        header(&headers, "location"),
        format!("{integration}?done=no-old-token")
    );
    // Rotating now ends the current token at once.
    let fields = [("csrf", csrf), ("expire", "now")];
    let (_, _, page) = post_form(&app, cookie, &format!("{integration}/rotate"), &fields).await;
    let third = token_on(&page);
    assert!(page.contains("The old token has stopped working."));
    assert_eq!(
        app.api(&second, Method::GET, &contacts, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.api(&third, Method::GET, &contacts, None).await.0,
        StatusCode::OK
    );
    // Anything but later/now is refused without rotating.
    let fields = [("csrf", csrf), ("expire", "sometime")];
    let (status, _, _) = post_form(&app, cookie, &format!("{integration}/rotate"), &fields).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        app.api(&third, Method::GET, &contacts, None).await.0,
        StatusCode::OK
    );
}
