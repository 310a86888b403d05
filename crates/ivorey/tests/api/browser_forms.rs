//! Forms walked in headless Chromium: the owner builds a form (adds the phone field and a
//! question of its own), opens its public page and submits it as a visitor would; then the
//! embed snippet, pasted into a static page that this test serves on another port as the
//! business's website, is filled in and sent, and the visitor lands on the thanks. Both
//! submissions are listed with their contacts. A screenshot per step in
//! `target/screenshots/forms-*.png`; each page passes the accessibility checks.

use axum::response::Html;
use axum::routing::get;

use crate::browser_support::Browser;
use crate::common::{PASSWORD, TestApp};

/// Serves `html` at `/` on a free local port, as a business's own website would; returns its
/// address.
async fn website(html: String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Rosan Bakery</title></head>\
         <body><h1>Rosan Bakery</h1><p>Tell us about your wedding.</p>{html}</body></html>"
    );
    let app = axum::Router::new().route("/", get(move || async move { Html(page.clone()) }));
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_business_builds_a_form_that_visitors_submit_from_anywhere() {
    let Some(mut browser) = Browser::start("forms").await else {
        return;
    };
    let app = TestApp::sqlite().await;
    let admin = app.new_admin("Rosan Bakery").await;
    browser.sign_in(&app, &admin.email, PASSWORD).await;
    browser.follow_link("Forms").await;
    assert!(browser.source().await.contains("No forms yet"));
    browser.check_accessibility("forms-empty").await;
    browser.fill("#f-name", "Wedding enquiry").await;
    browser
        .click_to_load("#new-title + form button[type=submit]")
        .await;
    browser
        .find("#f-standard")
        .await
        .select_by_value("phone")
        .await
        .expect("phone");
    browser
        .click_to_load("#add-standard button[type=submit]")
        .await;
    browser
        .fill("#add-question #f-label", "Date of the wedding")
        .await;
    browser
        .click_to_load("#add-question button[type=submit]")
        .await;
    let page = browser.source().await;
    assert!(
        page.contains("The form was saved") && page.contains("Date of the wedding"),
        "{page}"
    );
    browser.shot("builder").await;
    browser.check_accessibility("builder").await;
    let snippet = browser
        .find("#embed-snippet")
        .await
        .prop("value")
        .await
        .expect("read")
        .expect("snippet");
    assert!(snippet.contains("/forms/submit/"), "{snippet}");

    // A visitor on the hosted page.
    browser.follow_link("Open the public page").await;
    browser.shot("hosted").await;
    browser.check_accessibility("hosted").await;
    browser.fill("#f-firstName", "Ada").await;
    browser.fill("#f-lastName", "Lovelace").await;
    browser.fill("#f-email", "ada@example.com").await;
    browser.fill("#f-dateOfTheWedding", "12 June").await;
    browser.click_to_load("form button.primary").await;
    let page = browser.source().await;
    assert!(
        page.contains("Thank you! We received your answers"),
        "{page}"
    );
    browser.shot("thanks").await;

    // A visitor on the business's own website, where the snippet was pasted.
    let site = website(snippet).await;
    browser.goto(&site).await;
    browser.fill("input[name=firstName]", "Grace").await;
    browser.fill("input[name=email]", "grace@example.com").await;
    browser.shot("website").await;
    browser.click_to_load("button[type=submit]").await;
    let page = browser.source().await;
    assert!(
        page.contains("Thank you! We received your answers"),
        "{page}"
    );
    assert!(browser.path().await.ends_with("/thanks"));

    browser
        .goto(&app.url(&format!("/l/{}/forms", admin.location)))
        .await;
    browser.follow_link("Wedding enquiry").await;
    browser.follow_link("Submissions").await;
    let page = browser.source().await;
    assert!(
        page.contains("2 submissions") && page.contains("Ada") && page.contains("Grace"),
        "{page}"
    );
    browser.shot("submissions").await;
    browser.check_accessibility("submissions").await;
    browser.close().await;
    app.stop().await;
}
