//! The one-time sign-in link: shown once to the admin (or emailed), sets the new user's
//! password, signs them in; used once, dead after 7 days.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{input_value, invite, member, set_cookie, team_page, use_link, users_path};
use crate::browser_support::get_page;
use crate::common::{PASSWORD, TestApp};
use crate::support_smtp::SmtpSink;

const NEW_PASSWORD: &str = "a brand new passphrase";

pub async fn an_added_user_sets_a_password_and_lands_signed_in_as_a_user(app: TestApp) {
    let admin = app.new_admin("Acme").await;
    let (status, page) =
        super::add_on_page(&app, &admin, "Nora Newman", "Nora@Example.com", "user").await;
    assert_eq!(status, StatusCode::CREATED, "{page}");
    assert!(page.contains("It will not be shown again"), "{page}");
    let url = input_value(&page, "sign-in-link").expect("the link");
    assert!(
        url.starts_with(&format!("{}/invite/", app.base)),
        "an absolute link to this server: {url}"
    );
    let token = url.rsplit('/').next().expect("token");
    assert!(page.contains("data-copy"), "a copy button: {page}");

    // The Team page lists her, and never shows the link again.
    let (status, _, team) =
        get_page(&app, &admin.session.cookie, &team_page(&admin.location)).await;
    assert_eq!(status, StatusCode::OK, "{team}");
    assert!(
        team.contains("nora@example.com") && team.contains("Nora Newman"),
        "{team}"
    );
    assert!(!team.contains(token), "the link is shown once only");
    let listed = member(&app, &admin, "nora@example.com")
        .await
        .expect("listed");
    assert_eq!(listed["role"], "user");
    assert_eq!(listed["invitationPending"], true);
    assert!(!listed.to_string().contains(token));

    // Without a password yet, nobody can sign in as her.
    let response = app
        .http
        .post(app.url("/manage/login"))
        .json(&json!({ "email": "nora@example.com", "password": PASSWORD }))
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let (status, headers, body) = use_link(&app, &url, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(headers["location"], "/dashboard");
    let cookie = set_cookie(&headers, "ivorey_session").expect("signed in");
    let (status, headers, _) = get_page(&app, &cookie, "/dashboard").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let dashboard = headers["location"].to_str().expect("location").to_owned();
    assert_eq!(dashboard, format!("/l/{}/dashboard", admin.location));
    let (status, _, page) = get_page(&app, &cookie, &dashboard).await;
    assert_eq!(status, StatusCode::OK, "{page}");

    // A user: the admins' pages explain instead.
    let (status, _, page) = get_page(&app, &cookie, &team_page(&admin.location)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(page.contains("Only admins can manage the team"), "{page}");
    assert!(!page.contains(&admin.email), "no member list for users");
    let integrations = format!("/l/{}/settings/integrations", admin.location);
    let (status, _, page) = get_page(&app, &cookie, &integrations).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(
        page.contains("Only admins can manage Private Integrations"),
        "{page}"
    );

    // Her password is hers now; the audit log recorded both steps.
    app.sign_in("nora@example.com", NEW_PASSWORD).await;
    let listed = member(&app, &admin, "nora@example.com")
        .await
        .expect("listed");
    assert_eq!(listed["invitationPending"], false);
    let audit = format!("/manage/locations/{}/audit-log", admin.location);
    let (_, log) = app.manage(&admin.session, Method::GET, &audit, None).await;
    let actions: Vec<&str> = log["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions[..2], ["sign_in_link_used", "member_added"], "{log}");
    assert!(!log.to_string().contains(token), "never a token in the log");
}

pub async fn a_link_works_once_and_not_after_it_expires(app: TestApp) {
    let admin = app.new_admin("Acme").await;
    let url = invite(&app, &admin, "once@example.com", "user").await;

    // A short password is refused beside its field, and the link still works afterwards.
    let (status, _, page) = use_link(&app, &url, "short").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains("Password must be at least 10 characters"),
        "{page}"
    );

    let (status, _, page) = use_link(&app, &url, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let path = url.strip_prefix(&app.base).expect("path");
    let (status, _, page) = get_page(&app, "", path).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "used: {page}");
    assert!(page.contains("This sign-in link no longer works"), "{page}");
    let (status, headers, page) = use_link(&app, &url, "another new passphrase").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{page}");
    assert!(set_cookie(&headers, "ivorey_session").is_none());
    app.sign_in("once@example.com", NEW_PASSWORD).await;

    // A link dies after 7 days, unused.
    let late = invite(&app, &admin, "late@example.com", "user").await;
    app.clock.advance(Duration::from_secs(7 * 24 * 3600 + 1));
    let (status, _, page) = use_link(&app, &late, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "expired: {page}");
    let response = app
        .http
        .post(app.url("/manage/login"))
        .json(&json!({ "email": "late@example.com", "password": NEW_PASSWORD }))
        .send()
        .await
        .expect("login");
    assert_eq!(
        response.status(),
        StatusCode::UNAUTHORIZED,
        "no password was set"
    );

    // Something that is no token at all is the same page, not an error.
    let (status, _, _) = get_page(&app, "", "/invite/nope%22%3E").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

pub async fn with_smtp_the_invitation_is_emailed_instead_of_shown(app: TestApp) {
    let admin = app.new_admin("Acme").await;
    let mut sink = SmtpSink::start().await;
    let smtp = json!({ "host": "127.0.0.1", "port": sink.port, "tls": "none",
                       "from": "office@example.com" });
    let path = format!("/manage/locations/{}/messaging/smtp", admin.location);
    let (status, body) = app
        .manage(&admin.session, Method::PUT, &path, Some(smtp))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let body = json!({ "name": "Mia Mail", "email": "mia@example.com", "role": "user" });
    let path = users_path(&admin.location);
    let (status, added) = app
        .manage(&admin.session, Method::POST, &path, Some(body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["invitationEmailed"], true, "{added}");
    assert!(
        added["signInUrl"].is_null(),
        "emailed, so not shown: {added}"
    );

    let mail = tokio::time::timeout(Duration::from_secs(10), sink.received.recv())
        .await
        .expect("the invitation arrives")
        .expect("a message");
    assert_eq!(mail.to, ["mia@example.com"]);
    assert_eq!(mail.from, "office@example.com");
    let start = mail
        .data
        .find(&format!("{}/invite/", app.base))
        .expect("link in the email");
    let url: String = mail.data[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let (status, headers, page) = use_link(&app, &url, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert!(set_cookie(&headers, "ivorey_session").is_some());

    // The page says where the invitation went, and shows no link.
    let (status, page) = super::add_on_page(&app, &admin, "Max", "max@example.com", "user").await;
    assert_eq!(status, StatusCode::CREATED, "{page}");
    assert!(page.contains("An invitation email"), "{page}");
    assert!(input_value(&page, "sign-in-link").is_none(), "{page}");
}
