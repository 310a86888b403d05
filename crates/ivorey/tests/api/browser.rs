//! The help article, clicked through in headless Chromium: sign in > Settings > Business and
//! copy the Location ID > create an integration with Contacts View + Edit > copy the token > the
//! token works against the API > edit scopes to View only > a write is refused > rotate later,
//! both tokens work > rotate now, the old one fails > delete, the new one fails. Plus: a plain
//! user is told why integrations are out of reach, a script in a name renders as text, and a
//! forged form post changes nothing. Screenshots of every step go to `target/screenshots/`.
//!
//! Without Chromium and chromedriver these tests pass as skipped, except in CI (`CI` set).

use std::time::Duration;

use ivorey_core::user::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::browser_support::{Browser, add_member};
use crate::common::{PASSWORD, TestApp};

/// What a tool with `token` gets when it lists contacts.
async fn read(app: &TestApp, token: &str, location: &str) -> StatusCode {
    let path = format!("/contacts/?locationId={location}");
    app.api(token, Method::GET, &path, None).await.0
}

/// What a tool with `token` gets when it creates a contact.
async fn write(app: &TestApp, token: &str, location: &str) -> StatusCode {
    let body = json!({ "locationId": location, "firstName": "Rosan" });
    app.api(token, Method::POST, "/contacts/", Some(body))
        .await
        .0
}

/// Reads the token off the page that shows it once, checking its copy button and warning.
async fn shown_token(browser: &Browser, location: &str) -> String {
    let token = browser.attr("#token", "value").await;
    assert!(token.starts_with("ivorey_pit_"), "{token}");
    let copy = browser.find("button[aria-label='Copy token']").await;
    assert_eq!(
        copy.attr("data-copy").await.expect("attr"),
        Some(token.clone())
    );
    copy.click().await.expect("copy the token");
    let beside = browser
        .attr("button[aria-label='Copy Location ID']", "data-copy")
        .await;
    assert_eq!(
        beside, location,
        "the Location ID is shown beside the token"
    );
    let page = browser.source().await;
    assert!(
        page.contains("It will not be shown again."),
        "the warning is shown"
    );
    token
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_help_article_works_click_by_click() {
    let Some(mut browser) = Browser::start("help").await else {
        return;
    };
    let app = TestApp::sqlite().await;
    let admin = app.new_admin("Acme Plumbing").await;
    let location = admin.location.clone();

    // Sign in.
    browser.goto(&app.url("/login")).await;
    browser.fill("#f-email", &admin.email).await;
    browser.fill("#f-password", PASSWORD).await;
    browser.shot("sign-in").await;
    browser
        .click_to_load("form[action='/login'] button[type=submit]")
        .await;

    // Settings > Business: General Information has the Location ID and its [⧉] button.
    browser
        .wait_for_path("the dashboard", |p| p.ends_with("/dashboard"))
        .await;
    assert!(
        browser
            .source()
            .await
            .contains("No integration has called the API")
    );
    browser.shot("dashboard-new-business").await;
    browser.follow_link("Settings").await;
    browser
        .wait_for_path("Settings > Business", |p| p.ends_with("/settings/business"))
        .await;
    let copy = browser.find("button[aria-label='Copy Location ID']").await;
    assert!(
        copy.is_displayed().await.expect("visible"),
        "app.js shows [⧉]"
    );
    let copied = copy
        .attr("data-copy")
        .await
        .expect("attr")
        .expect("data-copy");
    assert_eq!(copied, location);
    copy.click().await.expect("copy the Location ID");
    let said = browser
        .text("button[aria-label='Copy Location ID'] .copy-text")
        .await;
    assert!(
        ["Copied", "Press Ctrl+C"].contains(&said.as_str()),
        "{said}"
    );
    browser.shot("business-location-id").await;

    // Settings > Private Integrations > [Create New Integration].
    browser.follow_link("Private Integrations").await;
    assert!(
        browser
            .source()
            .await
            .contains("No Private Integrations yet")
    );
    browser.shot("integrations-empty").await;
    browser
        .click_to_load("a.button.primary[href$='/integrations/new']")
        .await;
    browser.fill("#f-name", "Zapier Integration").await;
    browser
        .fill("#f-description", "Sends new web-form leads to our CRM")
        .await;
    browser.shot("create-name").await;
    browser.click_to_load("button.primary[type=submit]").await;

    // The Scopes page: open Contacts, tick View and Edit, [Create].
    browser.click("details.area > summary").await;
    browser.click("input[value='contacts.readonly']").await;
    browser.click("input[value='contacts.write']").await;
    assert_eq!(
        browser.text("details.area [data-area-count]").await,
        "2 selected"
    );
    browser.shot("create-scopes").await;
    browser
        .click_to_load("form button.primary[type=submit]")
        .await;

    // The token, shown once, with the Location ID beside it; it works against the API.
    let first = shown_token(&browser, &location).await;
    browser.shot("create-token").await;
    assert_eq!(read(&app, &first, &location).await, StatusCode::OK);
    assert_eq!(write(&app, &first, &location).await, StatusCode::CREATED);

    // The integration's page never shows the token again.
    browser.follow_link("I have stored the token").await;
    let integration_path = browser
        .wait_for_path("the integration's page", |p| {
            p.contains("/integrations/") && !p.ends_with("/integrations")
        })
        .await;
    let page = browser.source().await;
    assert!(!page.contains(&first), "the token is shown only once");
    assert!(page.contains("Contacts · View") && page.contains("Contacts · Edit"));
    browser.shot("integration").await;

    // [⋮] > Edit: scopes down to View only, no new token; a write is refused at once.
    browser.click("details.kebab > summary").await;
    browser.shot("menu").await;
    browser.follow_link("Edit").await;
    browser.click("input[value='contacts.write']").await;
    browser.shot("edit-scopes").await;
    browser
        .click_to_load("form button.primary[type=submit]")
        .await;
    browser
        .wait_for_path("the integration's page", |p| p == integration_path)
        .await;
    assert!(browser.source().await.contains("token is unchanged"));
    assert_eq!(
        write(&app, &first, &location).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(read(&app, &first, &location).await, StatusCode::OK);
    browser.shot("edited").await;

    // Rotate and expire this token later: the page explains the 7-day grace; both tokens work.
    browser
        .follow_link("Rotate and expire this token later")
        .await;
    assert!(browser.source().await.contains("7 days"));
    browser.shot("rotate-later").await;
    browser
        .click_to_load("form button.primary[type=submit]")
        .await;
    let second = shown_token(&browser, &location).await;
    assert_ne!(second, first);
    browser.shot("rotate-later-token").await;
    assert_eq!(read(&app, &first, &location).await, StatusCode::OK);
    assert_eq!(read(&app, &second, &location).await, StatusCode::OK);

    // A day later the page counts down the old token's grace.
    // The 12-hour sign-in has ended by then: sign in again and come back to the same page.
    app.clock.advance(Duration::from_secs(24 * 3600));
    browser.follow_link("I have stored the token").await;
    assert_eq!(browser.path().await, "/login");
    browser.fill("#f-email", &admin.email).await;
    browser.fill("#f-password", PASSWORD).await;
    browser
        .click_to_load("form[action='/login'] button[type=submit]")
        .await;
    assert_eq!(browser.path().await, integration_path);
    let page = browser.source().await;
    assert!(page.contains("Old token expires in 6 days"), "{page}");
    assert!(
        page.contains("Requests per day over the last 30 days:"),
        "usage is charted"
    );
    browser.shot("grace").await;

    // Rotate and expire this token now: the previous tokens fail, the new one works.
    browser
        .follow_link("Rotate and expire this token now")
        .await;
    browser.shot("rotate-now").await;
    browser
        .click_to_load("form button.danger[type=submit]")
        .await;
    let third = shown_token(&browser, &location).await;
    browser.shot("rotate-now-token").await;
    assert_eq!(
        read(&app, &second, &location).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        read(&app, &first, &location).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(read(&app, &third, &location).await, StatusCode::OK);

    // The audit trail tells the story.
    browser.follow_link("I have stored the token").await;
    let page = browser.source().await;
    for line in [
        "Created",
        "Edited",
        "Rotated, old token expires later",
        "Rotated, old token revoked",
    ] {
        assert!(page.contains(line), "the audit trail lacks {line:?}");
    }
    browser.shot("audit-trail").await;

    // [⋮] > Delete: the confirmation names the integration; access ends at once.
    browser.click("details.kebab > summary").await;
    browser.follow_link("Delete").await;
    assert!(browser.text("h1").await.contains("Zapier Integration"));
    browser.shot("delete-confirm").await;
    browser
        .click_to_load("form button.danger[type=submit]")
        .await;
    browser
        .wait_for_path("the list", |p| p.ends_with("/settings/integrations"))
        .await;
    assert!(
        browser
            .source()
            .await
            .contains("The integration was deleted.")
    );
    browser.shot("deleted").await;
    assert_eq!(
        read(&app, &third, &location).await,
        StatusCode::UNAUTHORIZED
    );

    browser.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_user_is_told_why_integrations_are_out_of_reach() {
    let Some(mut browser) = Browser::start("plain-user").await else {
        return;
    };
    let app = TestApp::sqlite().await;
    let admin = app.new_admin("Admins Only Bakery").await;
    let (id, _) = app.integration(&admin, &["contacts.readonly"]).await;
    let email = add_member(&app, &admin.location, Role::User).await;
    browser.sign_in(&app, &email, PASSWORD).await;
    browser.follow_link("Settings").await;
    // The business profile is there to read, without a save button.
    assert!(!browser.source().await.contains("Save changes"));
    browser.shot("business-read-only").await;
    browser.follow_link("Private Integrations").await;
    let page = browser.source().await;
    assert!(
        page.contains("Only admins can manage Private Integrations"),
        "{page}"
    );
    assert!(!page.contains("Test tool"));
    browser.shot("integrations-explained").await;
    let direct = format!("/l/{}/settings/integrations/{id}", admin.location);
    browser.goto(&app.url(&direct)).await;
    let page = browser.source().await;
    assert!(page.contains("Only admins can manage Private Integrations"));
    assert!(!page.contains("Test tool"));
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_name_renders_as_text_and_a_forged_post_changes_nothing() {
    let Some(mut browser) = Browser::start("hostile").await else {
        return;
    };
    let app = TestApp::sqlite().await;
    let admin = app.new_admin("Hostile Input").await;
    let name = "<script>alert(1)</script>";
    let (status, body) = app
        .manage(
            &admin.session,
            Method::POST,
            &admin.integrations_path(),
            Some(json!({
                "name": name, "scopes": ["contacts.readonly"],
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["integration"]["id"].as_str().expect("id").to_owned();
    let token = body["token"].as_str().expect("token").to_owned();
    browser.sign_in(&app, &admin.email, PASSWORD).await;
    browser.follow_link("Private Integrations").await;
    assert_eq!(
        browser.text("a.row-link").await,
        name,
        "the name shows as text"
    );
    assert!(
        browser.client.get_alert_text().await.is_err(),
        "no script ran"
    );
    browser.shot("script-name").await;

    // A form with its CSRF field removed is refused, and the integration survives.
    browser.click_to_load("a.row-link").await;
    browser.click("details.kebab > summary").await;
    browser.follow_link("Delete").await;
    browser
        .client
        .execute(
            "document.querySelector('form[action$=\"/delete\"] input[name=csrf]').remove();",
            vec![],
        )
        .await
        .expect("strip the CSRF field");
    browser
        .click_to_load("form button.danger[type=submit]")
        .await;
    assert_eq!(browser.text("h1").await, "Form not accepted");
    browser.shot("forged-post").await;
    let (status, _) = app
        .manage(
            &admin.session,
            Method::GET,
            &admin.integration_path(&id),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "the integration still exists");
    assert_eq!(read(&app, &token, &admin.location).await, StatusCode::OK);
    browser.close().await;
}
