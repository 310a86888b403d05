//! The CRM walked in headless Chromium as a business would: an integration's contacts appear
//! on the dashboard and in Contacts; the owner searches, opens one, adds a note and a task, and
//! finds the task on the dashboard; then the same search and open by keyboard alone. A
//! screenshot per step in `target/screenshots/crm-*.png`.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::browser_support::{Browser, add_note, add_task};
use crate::common::{PASSWORD, TestApp};

const TAB: &str = "\u{e004}";
const ENTER: &str = "\u{e007}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_business_works_the_contacts_its_integration_created() {
    let Some(mut browser) = Browser::start("crm").await else {
        return;
    };
    let app = TestApp::sqlite().await;
    let admin = app.new_admin("Rosan Bakery").await;
    let (status, body) = app
        .manage(
            &admin.session,
            Method::POST,
            &admin.integrations_path(),
            Some(json!({
                "name": "Zapier Integration",
                "scopes": ["contacts.readonly", "contacts.write"],
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let token = body["token"].as_str().expect("token").to_owned();
    let people = [
        ("Ada", "Lovelace", "ada@example.com", "+1 555-0100", "lead"),
        (
            "Grace",
            "Hopper",
            "grace@example.com",
            "+1 555-0101",
            "customer",
        ),
        (
            "Alan",
            "Turing",
            "alan@example.com",
            "+44 20 7946 0001",
            "lead",
        ),
    ];
    for (first, last, email, phone, tag) in people {
        let (status, body) = app
            .api(
                &token,
                Method::POST,
                "/contacts/",
                Some(json!({
                    "locationId": admin.location, "firstName": first, "lastName": last,
                    "email": email, "phone": phone, "tags": [tag], "source": "Website form",
                })),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        app.clock.advance(std::time::Duration::from_secs(60));
    }

    browser.sign_in(&app, &admin.email, PASSWORD).await;
    assert!(browser.text(".stat-value").await.contains('3'));
    browser.shot("dashboard").await;
    browser.check_accessibility("dashboard").await;

    browser.follow_link("Contacts").await;
    let list = browser.source().await;
    assert!(list.contains("3 contacts") && list.contains("Grace Hopper"));
    browser.shot("contacts-list").await;
    browser.check_accessibility("contacts-list").await;

    browser.fill("#f-q", "lov").await;
    browser
        .click_to_load("form[role=search] button[type=submit]")
        .await;
    let found = browser.source().await;
    assert!(found.contains("Ada Lovelace") && !found.contains("Grace Hopper"));
    browser.shot("contacts-search").await;
    browser.check_accessibility("contacts-search").await;

    browser.follow_link("Ada Lovelace").await;
    add_note(&browser, "Wants a wedding cake for June.").await;
    add_task(&browser, &app, "Send the cake quote").await;
    browser.fill("#f-new-tag", "Wedding").await;
    browser
        .click_to_load("#tags form.inline-add button[type=submit]")
        .await;
    assert!(browser.source().await.contains("wedding"));
    browser.shot("contact-page").await;
    browser.check_accessibility("contact-page").await;

    browser.follow_link("Dashboard").await;
    assert!(browser.source().await.contains("Send the cake quote"));
    browser.shot("dashboard-task-due").await;
    browser.check_accessibility("dashboard-task-due").await;

    // By keyboard alone: from the top of the contacts list to the search box, a search, and
    // into the first result.
    browser.follow_link("Contacts").await;
    let mut reached = false;
    for _ in 0..20 {
        let active = browser.client.active_element().await.expect("focus");
        active.send_keys(TAB).await.expect("tab");
        let focused = browser.client.active_element().await.expect("focus");
        if focused.attr("id").await.expect("id").as_deref() == Some("f-q") {
            reached = true;
            break;
        }
    }
    assert!(reached, "Tab reaches the search box");
    let search = browser.client.active_element().await.expect("focus");
    search.send_keys("turing").await.expect("type");
    search.send_keys(ENTER).await.expect("enter");
    browser
        .wait_for_path("the search", |p| p.ends_with("/contacts"))
        .await;
    let mut opened = false;
    for _ in 0..30 {
        let active = browser.client.active_element().await.expect("focus");
        active.send_keys(TAB).await.expect("tab");
        let focused = browser.client.active_element().await.expect("focus");
        if focused.text().await.unwrap_or_default() == "Alan Turing" {
            focused.send_keys(ENTER).await.expect("enter");
            opened = true;
            break;
        }
    }
    assert!(opened, "Tab reaches the result");
    browser
        .wait_for_path("the contact", |p| p.contains("/contacts/"))
        .await;
    assert!(browser.source().await.contains("alan@example.com"));
    browser.shot("contact-by-keyboard").await;
    browser.close().await;
}

/// The inbox as the business works it: a tool's message and the customer's reply arrive through
/// the API; the owner reaches the conversation by keyboard alone, replies through the webhook
/// provider and sees the delivery status; Settings > Messaging shows the provider.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_business_replies_in_the_inbox() {
    let Some(mut browser) = Browser::start("inbox").await else {
        return;
    };
    let app = TestApp::sqlite().await;
    let t = crate::conversations::tenant(&app).await;
    let mut hook = crate::support_webhook::receiver(Some(0)).await;
    crate::web_conversations::use_webhook(&app, &t.admin, &hook).await;
    let (conversation, _) =
        crate::web_conversations::send_sms(&app, &t.token, &t.contact, "Your cake is ready!").await;
    crate::web_conversations::receive_sms(&app, &t, &conversation, "Great, I'll come at 5.").await;
    hook.bodies
        .recv()
        .await
        .expect("the tool's message went out");

    browser.sign_in(&app, &t.admin.email, PASSWORD).await;
    browser.follow_link("Conversations").await;
    assert!(browser.source().await.contains("Great, I'll come at 5."));
    browser.shot("inbox").await;
    browser.check_accessibility("inbox").await;

    // By keyboard alone: Tab to the conversation and open it.
    let mut opened = false;
    for _ in 0..30 {
        let active = browser.client.active_element().await.expect("focus");
        active.send_keys(TAB).await.expect("tab");
        let focused = browser.client.active_element().await.expect("focus");
        let href = focused
            .attr("href")
            .await
            .expect("href")
            .unwrap_or_default();
        if href.ends_with(&format!("/conversations/{conversation}")) {
            focused.send_keys(ENTER).await.expect("enter");
            opened = true;
            break;
        }
    }
    assert!(opened, "Tab reaches the conversation");
    browser
        .wait_for_path("the thread", |p| p.ends_with(&conversation))
        .await;
    browser.fill("#f-message", "See you then, Ada!").await;
    browser.click_to_load("#send-reply").await;
    let delivered = tokio::time::timeout(std::time::Duration::from_secs(10), hook.bodies.recv())
        .await
        .expect("the reply reaches the webhook")
        .expect("a body");
    assert_eq!(delivered["message"], "See you then, Ada!");
    // The worker reports the delivery; the thread shows it once the page is loaded again.
    let mut status_shown = false;
    for _ in 0..50 {
        browser.client.refresh().await.expect("reload");
        let page = browser.source().await;
        if page.contains("See you then, Ada!") && !page.contains(">Pending<") {
            status_shown = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(status_shown, "the reply no longer shows as pending");
    browser.shot("thread-replied").await;
    browser.check_accessibility("thread").await;

    browser.follow_link("Settings").await;
    browser.follow_link("Messaging").await;
    assert!(browser.source().await.contains(&hook.url));
    browser.shot("settings-messaging").await;
    browser.check_accessibility("settings-messaging").await;
    browser.close().await;
}
