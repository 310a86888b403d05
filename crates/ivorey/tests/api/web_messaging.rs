//! Settings > Messaging over plain HTTP, on both backends: an admin saves an SMTP server and a
//! webhook provider through the forms, sends a test through each (a local SMTP sink, a local
//! webhook receiver that checks the signature), sees the signing secret once and never again,
//! never sees the SMTP password, and removes a provider after confirming. A user-role member
//! gets the explanation; a form without its CSRF token changes nothing.

use std::time::Duration;

use ivorey_core::LocationId;
use ivorey_core::user::Role;
use reqwest::StatusCode;

use crate::browser_support::{add_member, get_page, post_form};
use crate::common::{Admin, PASSWORD, TestApp};
use crate::support_smtp::SmtpSink;
use crate::support_webhook::receiver;

on_both_backends!(
    an_admin_saves_smtp_and_the_password_is_never_shown,
    the_webhook_secret_is_shown_once_and_test_sends_are_signed,
    a_provider_is_removed_after_confirmation,
    invalid_settings_are_refused_beside_their_fields,
    a_user_gets_the_explanation_and_cannot_change_messaging,
    messaging_forms_without_the_csrf_token_change_nothing,
    another_locations_messaging_is_not_found,
);

fn messaging(admin: &Admin, rest: &str) -> String {
    format!("/l/{}/settings/messaging{rest}", admin.location)
}

/// The value of the readonly input `id` on the page.
fn input_value(body: &str, id: &str) -> Option<String> {
    let at = body.find(&format!("id=\"{id}\""))?;
    let start = body[..at].rfind("<input")?;
    let tag = &body[start..at + body[at..].find('>')?];
    let value = tag.split("value=\"").nth(1)?;
    Some(value[..value.find('"')?].to_owned())
}

async fn stored(app: &TestApp, admin: &Admin) -> Option<ivorey_core::messaging::MessagingSettings> {
    let location = LocationId::parse(&admin.location).unwrap();
    app.store.messaging_settings(&location).await.unwrap()
}

/// Every page an admin sees after saving: none may carry `secret`.
async fn assert_nowhere(app: &TestApp, admin: &Admin, secret: &str) {
    let pages = [
        messaging(admin, ""),
        messaging(admin, "/smtp/remove"),
        messaging(admin, "/webhook/remove"),
        format!("/l/{}/conversations", admin.location),
        format!("/l/{}/dashboard", admin.location),
        format!("/l/{}/settings/business", admin.location),
    ];
    for path in pages {
        let (status, _, body) = get_page(app, &admin.session.cookie, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert!(!body.contains(secret), "{path} shows the secret");
    }
}

async fn an_admin_saves_smtp_and_the_password_is_never_shown(app: TestApp) {
    let admin = app.new_admin("Mail Co").await;
    let mut sink = SmtpSink::start().await;
    let port = sink.port.to_string();
    let s = &admin.session;
    let (status, _, body) = get_page(&app, &s.cookie, &messaging(&admin, "")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("id=\"smtp-state\">Not set up"), "{body}");
    for label in [
        "Host",
        "Port",
        "TLS mode",
        "From address",
        "Username",
        "Password",
        "Webhook URL",
    ] {
        assert!(
            body.contains(&format!("\">{label}")),
            "a label {label}: {body}"
        );
    }

    let password = "s3cret-pass-Zq81";
    let fields = [
        ("csrf", s.csrf.as_str()),
        ("host", "127.0.0.1"),
        ("port", port.as_str()),
        ("tls", "none"),
        ("username", "mailer"),
        ("password", password),
        ("from", "office@example.com"),
    ];
    let path = messaging(&admin, "/smtp");
    let (status, headers, body) = post_form(&app, &s.cookie, &path, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(
        headers["location"],
        messaging(&admin, "?done=smtp-saved").as_str()
    );
    let saved = stored(&app, &admin).await.unwrap().smtp.unwrap();
    assert_eq!(saved.password.as_deref(), Some(password));
    let (_, _, body) = get_page(&app, &s.cookie, &messaging(&admin, "?done=smtp-saved")).await;
    assert!(body.contains("Password: set"), "{body}");
    assert!(body.contains("value=\"mailer\""), "{body}");
    assert_nowhere(&app, &admin, password).await;

    // Saving again with the password left blank keeps it.
    let mut again = fields;
    again[5] = ("password", "");
    let (status, _, _) = post_form(&app, &s.cookie, &path, &again).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let saved = stored(&app, &admin).await.unwrap().smtp.unwrap();
    assert_eq!(saved.password.as_deref(), Some(password), "blank keeps it");

    // The sink has no AUTH: without a username the test email goes through.
    let mut plain = again;
    plain[4] = ("username", "");
    let (status, _, _) = post_form(&app, &s.cookie, &path, &plain).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        stored(&app, &admin).await.unwrap().smtp.unwrap().password,
        None
    );
    let test = [("csrf", s.csrf.as_str()), ("to", "ada@example.com")];
    let (status, _, body) =
        post_form(&app, &s.cookie, &messaging(&admin, "/smtp/test"), &test).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("id=\"test-outcome\""), "{body}");
    assert!(body.contains("was accepted by the provider"), "{body}");
    let mail = tokio::time::timeout(Duration::from_secs(5), sink.received.recv())
        .await
        .expect("the test email arrives")
        .expect("a message");
    assert_eq!(mail.to, ["ada@example.com"]);
    assert_eq!(mail.from, "office@example.com");
    assert!(mail.data.contains("Ivorey test message"), "{}", mail.data);
}

async fn the_webhook_secret_is_shown_once_and_test_sends_are_signed(app: TestApp) {
    let admin = app.new_admin("Hook Co").await;
    let mut r = receiver(Some(0)).await;
    let s = &admin.session;
    let path = messaging(&admin, "/webhook");
    let fields = [("csrf", s.csrf.as_str()), ("url", r.url.as_str())];
    let (status, _, body) = post_form(&app, &s.cookie, &path, &fields).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the secret is in this answer: {body}"
    );
    let secret = input_value(&body, "webhook-secret").expect("secret shown once");
    assert!(secret.starts_with("whsec_"), "{secret}");
    assert!(body.contains("It will not be shown again"), "{body}");
    assert!(body.contains("data-copy=\"whsec_"), "a copy button");
    assert_eq!(
        stored(&app, &admin).await.unwrap().webhook.unwrap().secret,
        secret
    );
    *r.secret.lock().unwrap() = secret.clone();
    assert_nowhere(&app, &admin, &secret).await;
    let (_, _, body) = get_page(&app, &s.cookie, &messaging(&admin, "")).await;
    assert!(body.contains("Signing secret: set"), "{body}");

    // Saving the same URL again keeps the secret and does not show it.
    let (status, headers, _) = post_form(&app, &s.cookie, &path, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers["location"],
        messaging(&admin, "?done=webhook-saved").as_str()
    );
    assert_eq!(
        stored(&app, &admin).await.unwrap().webhook.unwrap().secret,
        secret
    );

    let test = [("csrf", s.csrf.as_str()), ("to", "+1 555 0100")];
    let (status, _, body) =
        post_form(&app, &s.cookie, &messaging(&admin, "/webhook/test"), &test).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("was accepted by the provider"), "{body}");
    let hit = tokio::time::timeout(Duration::from_secs(5), r.bodies.recv())
        .await
        .expect("the test reaches the webhook, signed with the secret")
        .expect("a body");
    assert_eq!(hit["event"], "message.test");
    assert_eq!(hit["toNumber"], "+1 555 0100");
    assert!(!body.contains(&secret));

    // A new secret: shown once, the old one replaced.
    let rotate = [
        ("csrf", s.csrf.as_str()),
        ("url", r.url.as_str()),
        ("rotate", "1"),
    ];
    let (status, _, body) = post_form(&app, &s.cookie, &path, &rotate).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let fresh = input_value(&body, "webhook-secret").expect("new secret shown");
    assert_ne!(fresh, secret);
    assert!(!body.contains(&secret), "the old secret is gone");
    assert_nowhere(&app, &admin, &fresh).await;

    // The receiver still checks the old secret: the next test fails, with the reason shown.
    let (status, _, body) =
        post_form(&app, &s.cookie, &messaging(&admin, "/webhook/test"), &test).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains("failed: the webhook answered HTTP 401"),
        "{body}"
    );
}

async fn a_provider_is_removed_after_confirmation(app: TestApp) {
    let admin = app.new_admin("Remove Co").await;
    let r = receiver(Some(0)).await;
    let s = &admin.session;
    let fields = [("csrf", s.csrf.as_str()), ("url", r.url.as_str())];
    post_form(&app, &s.cookie, &messaging(&admin, "/webhook"), &fields).await;
    let (status, _, body) = get_page(&app, &s.cookie, &messaging(&admin, "/webhook/remove")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Remove the webhook provider?"), "{body}");
    assert!(
        stored(&app, &admin).await.unwrap().webhook.is_some(),
        "a GET removes nothing"
    );
    let csrf = [("csrf", s.csrf.as_str())];
    let (status, headers, _) = post_form(
        &app,
        &s.cookie,
        &messaging(&admin, "/webhook/remove"),
        &csrf,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers["location"],
        messaging(&admin, "?done=webhook-removed").as_str()
    );
    assert!(stored(&app, &admin).await.unwrap().webhook.is_none());
    let (_, _, body) = get_page(&app, &s.cookie, &messaging(&admin, "?done=webhook-removed")).await;
    assert!(body.contains("id=\"webhook-state\">Not set up"), "{body}");
    let (status, _, _) = get_page(&app, &s.cookie, &messaging(&admin, "/fax/remove")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn invalid_settings_are_refused_beside_their_fields(app: TestApp) {
    let admin = app.new_admin("Typo Co").await;
    let s = &admin.session;
    let fields = [
        ("csrf", s.csrf.as_str()),
        ("host", "smtp.example.com"),
        ("port", "not-a-port"),
        ("tls", "starttls"),
        ("username", ""),
        ("password", "typed-but-refused"),
        ("from", "not an address"),
    ];
    let (status, _, body) = post_form(&app, &s.cookie, &messaging(&admin, "/smtp"), &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("Port must be between 1 and 65535."), "{body}");
    assert!(
        body.contains("From address must be an email address."),
        "{body}"
    );
    assert!(
        body.contains("value=\"smtp.example.com\""),
        "what was typed is kept"
    );
    assert!(
        !body.contains("typed-but-refused"),
        "a password is never echoed"
    );
    assert!(stored(&app, &admin).await.is_none(), "nothing half-written");

    let hook = [("csrf", s.csrf.as_str()), ("url", "ftp://example.com")];
    let (status, _, body) = post_form(&app, &s.cookie, &messaging(&admin, "/webhook"), &hook).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.contains("Webhook URL must be an http or https URL."),
        "{body}"
    );

    // A test through a provider that is not set up, or to a bad address: a clear answer.
    let test = [("csrf", s.csrf.as_str()), ("to", "not-an-email")];
    let (status, _, body) =
        post_form(&app, &s.cookie, &messaging(&admin, "/smtp/test"), &test).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.contains("The test recipient must be an email address."),
        "{body}"
    );
    let test = [("csrf", s.csrf.as_str()), ("to", "+15550100")];
    let (status, _, body) =
        post_form(&app, &s.cookie, &messaging(&admin, "/webhook/test"), &test).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("no webhook provider is configured"), "{body}");
    assert!(stored(&app, &admin).await.is_none());
}

async fn a_user_gets_the_explanation_and_cannot_change_messaging(app: TestApp) {
    let admin = app.new_admin("Staff Co").await;
    let email = add_member(&app, &admin.location, Role::User).await;
    let user = app.sign_in(&email, PASSWORD).await;
    let (status, _, body) = get_page(&app, &user.cookie, &messaging(&admin, "")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("Only admins can manage Messaging"), "{body}");
    assert!(body.contains(&email), "{body}");
    assert!(!body.contains("id=\"smtp-form\""), "{body}");
    let (status, _, _) = get_page(&app, &user.cookie, &messaging(&admin, "/smtp/remove")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let posts: [(&str, Vec<(&str, &str)>); 4] = [
        (
            "/smtp",
            vec![
                ("host", "h.example.com"),
                ("port", "25"),
                ("tls", "none"),
                ("from", "a@example.com"),
            ],
        ),
        ("/webhook", vec![("url", "https://example.com/hook")]),
        ("/webhook/test", vec![("to", "+15550100")]),
        ("/smtp/remove", vec![]),
    ];
    for (rest, extra) in posts {
        let mut fields = vec![("csrf", user.csrf.as_str())];
        fields.extend(extra);
        let (status, _, body) =
            post_form(&app, &user.cookie, &messaging(&admin, rest), &fields).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{rest}: {body}");
    }
    assert!(stored(&app, &admin).await.is_none(), "nothing was saved");
    // The user still reaches the inbox.
    let (status, _, _) = get_page(
        &app,
        &user.cookie,
        &format!("/l/{}/conversations", admin.location),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

async fn messaging_forms_without_the_csrf_token_change_nothing(app: TestApp) {
    let admin = app.new_admin("Forgery Co").await;
    let cookie = &admin.session.cookie;
    for csrf in ["", "forged"] {
        let hook = [("csrf", csrf), ("url", "https://example.com/hook")];
        let (status, _, body) =
            post_form(&app, cookie, &messaging(&admin, "/webhook"), &hook).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(!body.contains("whsec_"));
        let smtp = [
            ("csrf", csrf),
            ("host", "smtp.example.com"),
            ("port", "587"),
            ("tls", "starttls"),
            ("from", "a@example.com"),
        ];
        let (status, _, _) = post_form(&app, cookie, &messaging(&admin, "/smtp"), &smtp).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    assert!(stored(&app, &admin).await.is_none());
}

async fn another_locations_messaging_is_not_found(app: TestApp) {
    let a = app.new_admin("A Co").await;
    let b = app.new_admin("B Co").await;
    let theirs = messaging(&b, "");
    let missing = "/l/0000000000000000000000000000000000000000/settings/messaging".to_owned();
    let mut bodies = Vec::new();
    for path in [theirs, missing] {
        let (status, _, body) = get_page(&app, &a.session.cookie, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        bodies.push(body);
    }
    assert_eq!(bodies[0], bodies[1]);
    let hook = [
        ("csrf", a.session.csrf.as_str()),
        ("url", "https://example.com/hook"),
    ];
    let (status, _, _) =
        post_form(&app, &a.session.cookie, &messaging(&b, "/webhook"), &hook).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(stored(&app, &b).await.is_none());
}
